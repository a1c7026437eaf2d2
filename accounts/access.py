"""Role checks for staff views.

Every staff view is wrapped in `role_required`, so the server, not the template,
decides who sees what. Anonymous users are sent to sign in; a signed-in user
without the role gets a plain 403 that reveals nothing about the object.
A user who owes a two-factor code (or, under REQUIRE_2FA, has no authenticator
yet) is sent to do that first. Object-level checks (someone else's object) live in each view's
`_get_<thing>_for_user` helper and answer 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.models import Role, User
from accounts.otp import needs_setup, needs_verification

STAFF_ROLES: tuple[str, ...] = (Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER)
INBOX_ROLES: tuple[str, ...] = (Role.ADMIN, Role.INTAKE, Role.THERAPIST)
CLIENT_ROLES: tuple[str, ...] = (Role.ADMIN, Role.INTAKE, Role.THERAPIST)
# Who may see every request and client, not only those assigned to them.
ALL_RECORDS_ROLES: tuple[str, ...] = (Role.ADMIN, Role.INTAKE)
# Clinical actions (referring, consents, courses, starting a dosing session):
# the client's therapist, or the practice admin.
CLINICAL_ROLES: tuple[str, ...] = (Role.ADMIN, Role.THERAPIST)
# The partner portal.
PARTNER_ROLES: tuple[str, ...] = (Role.PRESCRIBER,)


class AuthedRequest(HttpRequest):
    """What a view behind `role_required` receives: a signed-in staff User."""

    user: User


View = Callable[..., HttpResponse]


def redirect_to(url_name: str, request: HttpRequest) -> HttpResponse:
    return redirect_to_login(request.get_full_path(), login_url=reverse(url_name))


def role_required(*roles: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if needs_verification(user):
                return redirect_to("accounts:verify", request)
            if needs_setup(user):
                return redirect_to("accounts:otp_setup", request)
            if not user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

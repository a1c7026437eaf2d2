"""Session limits, checked on every request after the user is read.

- Absolute lifetime: a session ends SESSION_ABSOLUTE_HOURS after sign-in, however
  active it has been (the idle limit, SESSION_IDLE_MINUTES, is the session's own
  expiry, renewed by a request when SESSION_RENEW_SECONDS stale: accounts.session_store).
- A session whose user no longer signs in (deactivated, deleted) is ended, not left
  waiting for the user to be reactivated.
- "Sign out everywhere" and a change of role or of the admin flags end sessions
  through the user's session auth hash (accounts.models.User), which Django checks
  on every request when it reads the user.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django_otp import middleware as otp_middleware

from accounts.actor import actor_from
from accounts.models import Authenticator, User
from accounts.signals import SIGNED_IN_AT
from audit.services import log_action
from common.prepared import Prepared


@Prepared
def _authenticator(*, pk: int) -> QuerySet[Authenticator]:
    return Authenticator.objects.filter(id=pk).order_by("pk")[:1]


class OTPMiddleware(otp_middleware.OTPMiddleware):  # type: ignore[misc]  # django-otp is untyped
    """django-otp's middleware (the session's verified device on `request.user`), with
    the read of an authenticator through SQL compiled once (common.prepared): every
    signed-in request makes it (issue 14). Any other device, or an id that is not
    plain digits, is read as django-otp reads it; either way django-otp then checks
    that the device is the user's and confirmed (`_finalize_device`)."""

    def _device_from_persistent_id(self, persistent_id: str) -> Any:
        normal = self._normalize_persistent_id(persistent_id)
        label, _, device_id = normal.rpartition("/")
        # Plain digits of a size an id can have: anything else (a text of thousands of
        # digits, which int() refuses) is django-otp's to read, and to refuse.
        if (
            label == Authenticator._meta.label_lower
            and device_id.isascii()
            and device_id.isdigit()
            and len(device_id) < 19
        ):
            found = _authenticator(pk=int(device_id))
            return found[0] if found else None
        return super()._device_from_persistent_id(persistent_id)


class SessionLimitsMiddleware:
    """After AuthenticationMiddleware (and OTPMiddleware): see the module doc."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if SESSION_KEY in request.session:
            if not request.user.is_authenticated:
                # Django read no user from it: inactive or gone. Sign the session out.
                request.session.flush()
            elif _too_old(request):
                if isinstance(request.user, User):
                    log_action(actor_from(request), "auth.session_expired", request.user)
                request.session.flush()
                request.user = AnonymousUser()
        return self.get_response(request)


def _too_old(request: HttpRequest) -> bool:
    signed_in_at = request.session.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, int | float):
        return True  # a session from before this rule: sign in again
    return time.time() - signed_in_at > settings.SESSION_ABSOLUTE_HOURS * 3600

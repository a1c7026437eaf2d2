"""Re-authentication before a sensitive action: `@reauth_required`.

Changing who may do what (users, roles), replacing an authenticator, or taking
data out of the system (an export) needs the person at the keyboard to have typed
their password, and the code from their authenticator when they have one,
within the last REAUTH_MINUTES. A session left open on an unattended computer is
then not enough.

The times are kept in the session: PASSWORD_AT when the password was last
checked (at sign-in or on the re-authentication page), SECOND_FACTOR_AT when an
authenticator code was. `force_login` (tests, scripts) sets neither: it is not
proof that anyone typed anything.

A GET without a fresh re-authentication is sent to `accounts:reauth`, with a
same-host `next` to come back to. A POST is not carried out: it is answered with a
page asking the person to confirm it is them and then do it again. Nothing
already stored is touched, and the page says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import User
from accounts.otp import has_confirmed_device, needs_verification

PASSWORD_AT = "pathways_password_at"  # noqa: S105  (a session key's name, not a password)
SECOND_FACTOR_AT = "pathways_second_factor_at"

View = Callable[..., HttpResponse]


def mark_password(request: HttpRequest) -> None:
    """The password was checked just now (sign-in or re-authentication)."""
    request.session[PASSWORD_AT] = time.time()


def mark_second_factor(request: HttpRequest) -> None:
    """An authenticator code was checked just now."""
    request.session[SECOND_FACTOR_AT] = time.time()


def _recent(request: HttpRequest, key: str) -> bool:
    stamp = request.session.get(key)
    if not isinstance(stamp, int | float):
        return False
    age = time.time() - stamp
    return 0 <= age <= settings.REAUTH_MINUTES * 60


def is_fresh(request: HttpRequest) -> bool:
    """Whether the signed-in user proved who they are within REAUTH_MINUTES: the
    password, and the second factor when they have a confirmed authenticator."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    if not _recent(request, PASSWORD_AT):
        return False
    return not has_confirmed_device(user) or _recent(request, SECOND_FACTOR_AT)


def safe_next(request: HttpRequest, candidate: str, default: str = "") -> str:
    """`candidate` when it points at this site (a path or this host), else `default`."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, request.is_secure()
    ):
        return candidate
    return default


def reauth_url(next_url: str) -> str:
    return f"{reverse('accounts:reauth')}?{urlencode({'next': next_url})}"


def reauth_required(view: View) -> View:
    """Let `view` run only after a recent re-authentication (see the module doc).

    Put it inside `role_required` (below it), so that the role is checked first:
    a user without the role gets the 403, not an offer to re-authenticate."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if needs_verification(user):
            # The second factor owed at sign-in comes first.
            return redirect_to_login(request.get_full_path(), reverse("accounts:verify"))
        if is_fresh(request):
            return view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            return HttpResponseRedirect(reauth_url(request.get_full_path()))
        # A POST is not carried out. Send the person back to the page they were on
        # (same host only), through the re-authentication page.
        back = safe_next(request, request.headers.get("Referer", ""), request.path)
        context = {"reauth_url": reauth_url(back), "minutes": settings.REAUTH_MINUTES}
        return render(request, "accounts/reauth_needed.html", context, status=403)

    return wrapped

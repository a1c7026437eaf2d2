"""The audit of signing in and out, of failed sign-ins and of lock-outs.

These entries are the trail: django-axes deletes its own rows on a successful
sign-in and after the cool-off, so nothing here reads them. A failed sign-in has
no user; its entry keeps the address and the username that was tried (never the
password: Django hands the receiver the credentials with the password masked,
and only the username is read).
"""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.actor import Actor
from audit.services import log_action
from common.ip import client_ip

# When the session's user signed in (a Unix time): the absolute session lifetime
# (accounts.middleware.SessionLimitsMiddleware) counts from it.
SIGNED_IN_AT = "pathways_signed_in_at"
USERNAME_MAX = 150  # AbstractUser.username's max_length


def _ip(request: Any) -> str | None:
    return client_ip(request) if request is not None else None


def _actor(request: Any, user: Any) -> Actor:
    # The user signing in or out is not yet (or no longer) request.user.
    return Actor.for_user(user, _ip(request))


def _tried(username: Any) -> str:
    return str(username or "")[:USERNAME_MAX]


@receiver(user_logged_in)
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()
    log_action(_actor(request, user), "auth.login", user)


@receiver(user_logged_out)
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        log_action(_actor(request, user), "auth.logout", user)


def _is_reauth(request: Any) -> bool:
    # The re-authentication page audits its own failures (auth.reauth_failed).
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name == "accounts:reauth"


@receiver(user_login_failed)
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    if _is_reauth(request):
        return
    detail = {"username": _tried(credentials.get("username"))}
    log_action(Actor.anonymous(_ip(request)), "auth.login_failed", detail=detail)


@receiver(user_locked_out)
def _on_locked_out(sender: Any, request: Any = None, username: Any = None, **kw: Any) -> None:
    detail = {"username": _tried(username)}
    log_action(Actor.anonymous(_ip(request)), "auth.lockout", detail=detail)

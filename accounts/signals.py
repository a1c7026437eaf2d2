from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from accounts.actor import Actor
from audit.services import log_action
from common.ip import client_ip


def _actor(request: Any, user: Any) -> Actor:
    # The user signing in or out is not yet (or no longer) request.user.
    return Actor.for_user(user, client_ip(request) if request is not None else None)


@receiver(user_logged_in)
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    log_action(_actor(request, user), "auth.login", user)


@receiver(user_logged_out)
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        log_action(_actor(request, user), "auth.logout", user)

"""The one audit call. Every view that reads or changes PHI calls `log_action`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from audit.models import AuditEvent


class AuditActor(Protocol):
    """Who acts, as the trail records it: `accounts.actor.Actor` (audit sits below
    accounts in the layers, so it names the shape, not the class)."""

    @property
    def user(self) -> AbstractBaseUser | None: ...

    @property
    def ip(self) -> str | None: ...

    @property
    def kind(self) -> str: ...


def log_action(
    actor: AuditActor,
    action: str,
    obj: models.Model | None = None,
    *,
    client: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record who did `action` to `obj` (about `client`), when (UTC) and from where.

    `actor` is who acted (an `accounts.actor.Actor`: a user, a client on a link, or
    the system, which has no user and no address). `action` is a dotted verb such as
    "request.view" or "client.create". `client` is the client record (or None); only
    its id is stored, so the entry outlives it. `detail` holds ids, field names and
    statuses only, never free text.
    """
    user, ip = actor.user, actor.ip
    return AuditEvent.objects.create(
        at=datetime.now(UTC),
        actor=user,  # type: ignore[misc]  # the project user model (AUTH_USER_MODEL)
        actor_username=user.get_username() if user else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        client_id=client.pk if client is not None else None,
        ip=ip,
        detail=detail or {},
    )

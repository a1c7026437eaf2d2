"""The one audit call. Every view that reads or changes PHI calls `log_action`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.http import HttpRequest

from audit.ip import client_ip
from audit.models import AuditEvent


def log_action(
    request: HttpRequest | None,
    action: str,
    obj: models.Model | None = None,
    *,
    client: Any = None,
    detail: dict[str, Any] | None = None,
    actor: Any = None,
) -> AuditEvent:
    """Record who did `action` to `obj` (about `client`), when (UTC) and from where.

    `action` is a dotted verb such as "request.view" or "client.create".
    `detail` holds ids, field names and statuses only, never free text.
    """
    if actor is None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    return AuditEvent.objects.create(
        at=datetime.now(UTC),
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        client=client,
        ip=client_ip(request) if request is not None else None,
        detail=detail or {},
    )

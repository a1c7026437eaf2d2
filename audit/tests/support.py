"""Tampering with the audit trail the way someone with the database's password could:
raw SQL, past the model's guards (the test database lets DELETE through; see
conftest.py's django_db_setup)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import connection

from accounts.actor import Actor
from audit.chain import canonical, chain_hash
from audit.models import AuditEvent
from audit.services import log_action

COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "client_id",
    "ip",
    "detail",
    "prev_hash",
    "hash",
)


def trail(count: int) -> list[AuditEvent]:
    return [
        log_action(Actor.system(), "request.view", detail={"n": n}) for n in range(1, count + 1)
    ]


def row(event_id: int) -> dict[str, Any]:
    values = AuditEvent.objects.filter(pk=event_id).values(*COLUMNS).get()
    return dict(values)


def rehashed(values: dict[str, Any]) -> dict[str, Any]:
    """`values` with the hash a forger who knows the algorithm would give them."""
    content = canonical(**{k: values[k] for k in COLUMNS if k not in ("id", "prev_hash", "hash")})
    return {**values, "hash": chain_hash(values["prev_hash"], content)}


def raw_delete(*ids: int) -> None:
    with connection.cursor() as cursor:
        for event_id in ids:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event_id])


def raw_insert(values: dict[str, Any]) -> None:
    params = [
        connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, datetime)
        else json.dumps(value)
        if key == "detail"
        else value
        for key, value in ((k, values[k]) for k in COLUMNS)
    ]
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO audit_auditevent ({', '.join(COLUMNS)}) VALUES ({placeholders})",  # noqa: S608  (fixed column names)
            params,
        )


def raw_move_head(values: dict[str, Any]) -> None:
    """Point the chain head at `values` (log_action may update it; so can a forger)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_id = %s, last_hash = %s WHERE id = 1",
            [values["id"], values["hash"]],
        )

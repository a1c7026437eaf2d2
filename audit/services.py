"""The one audit call. Every view that reads or changes PHI calls `log_action`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache
from typing import Any, Protocol

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import QuerySet

from audit.chain import GENESIS, canonical, chain_hash, lock_chain, normal_detail, normal_ip
from audit.models import AuditChainHead, AuditEvent
from common.inserts import insert_one
from common.prepared import Prepared

# The ids of the entries written while handling the current request, when someone
# (audit.middleware.RefusalAuditMiddleware) is watching; None otherwise.
_written: ContextVar[list[int] | None] = ContextVar("audit_written", default=None)


@contextmanager
def watch_entries() -> Iterator[list[int]]:
    """Collect the ids of the entries `log_action` writes inside the block."""
    written: list[int] = []
    token = _written.set(written)
    try:
        yield written
    finally:
        _written.reset(token)


class AuditActor(Protocol):
    """Who acts, as the trail records it: `accounts.actor.Actor` (audit sits below
    accounts in the layers, so it names the shape, not the class)."""

    @property
    def user(self) -> AbstractBaseUser | None: ...

    @property
    def ip(self) -> str | None: ...

    @property
    def kind(self) -> str: ...


@Prepared
def _chain_head() -> QuerySet[AuditChainHead, tuple[str, datetime]]:
    # Compiled once (common.prepared): every page that shows PHI writes an entry.
    return AuditChainHead.objects.filter(pk=1).values_list("last_hash", "last_at")


@cache
def _head_update(vendor: str) -> tuple[str, tuple[models.Field[Any, Any], ...]]:
    """`AuditChainHead.objects.filter(pk=1).update(last_id=…, last_hash=…, last_at=…)`,
    compiled once per process and database vendor."""
    connection = connections[DEFAULT_DB_ALIAS]
    meta = AuditChainHead._meta
    fields: tuple[models.Field[Any, Any], ...] = (
        AuditChainHead._meta.get_field("last_id"),
        AuditChainHead._meta.get_field("last_hash"),
        AuditChainHead._meta.get_field("last_at"),
    )
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    table, key = quote(meta.db_table), quote(str(meta.pk.column))
    return f"UPDATE {table} SET {sets} WHERE {key} = 1", fields  # noqa: S608  (names from the model)


def _move_head(**moved: Any) -> int:
    """Point the chain's head at the new entry; how many rows it moved (0 or 1)."""
    connection = connections[DEFAULT_DB_ALIAS]
    sql, fields = _head_update(connection.vendor)
    params = [f.get_db_prep_save(moved[f.attname], connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


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
    user, ip = actor.user, normal_ip(actor.ip)
    fields: dict[str, Any] = {
        "actor_username": user.get_username() if user else "",
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "client_id": client.pk if client is not None else None,
        "ip": ip,
        "detail": normal_detail(detail),
    }
    # The chain's end is read and moved under its lock, held until the transaction
    # commits, so that two writers cannot both follow the same entry.
    with transaction.atomic():
        lock_chain(DEFAULT_DB_ALIAS)
        found = _chain_head()
        head = found[0] if found else None
        if head is None:
            # A new trail (or one emptied by the test suite's flush): its last entry, if any.
            head = AuditEvent.objects.order_by("-id").values_list("hash", "at").first()
        prev_hash, last_at = head if head is not None else (GENESIS, None)
        now = datetime.now(UTC)
        # Never before the entry it follows (a clock stepping back): the trail's
        # times only go forward, and the check reports an entry that goes back.
        at = max(now, last_at) if last_at is not None else now
        actor_id = user.pk if user else None
        if user is not None and actor_id is None:
            # As `create` refused it: an entry must not lose who acted.
            raise ValueError("log_action: the acting user is not saved.")
        content = canonical(at=at, actor_id=actor_id, **fields)
        row = {
            "at": at,
            "actor_id": actor_id,
            "prev_hash": prev_hash,
            "hash": chain_hash(prev_hash, content),
            **fields,
        }
        # Written by a statement compiled once (common.inserts): `objects.create`
        # compiled the INSERT on every page (issue 14). AuditEvent.save adds nothing
        # to a new entry, and the trail has no signal receivers.
        pk = insert_one(AuditEvent, row)
        if not _move_head(last_id=pk, last_hash=row["hash"], last_at=at):
            AuditChainHead.objects.create(pk=1, last_id=pk, last_hash=row["hash"], last_at=at)
    event = AuditEvent(id=pk, **row)
    event.actor = user  # type: ignore[assignment]  # the project user model (AUTH_USER_MODEL)
    event._state.adding = False
    event._state.db = DEFAULT_DB_ALIAS
    watched = _written.get()
    if watched is not None:
        watched.append(event.pk)
    return event

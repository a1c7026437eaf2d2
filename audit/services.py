"""The one audit call. Every view that reads or changes PHI calls `log_action`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Protocol

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import QuerySet

from audit.chain import GENESIS, canonical, chain_hash, lock_chain, normal_detail, normal_ip
from audit.models import AuditChainHead, AuditEvent
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
        content = canonical(at=at, actor_id=user.pk if user else None, **fields)
        event = AuditEvent.objects.create(
            at=at,
            actor=user,  # type: ignore[misc]  # the project user model (AUTH_USER_MODEL)
            prev_hash=prev_hash,
            hash=chain_hash(prev_hash, content),
            **fields,
        )
        moved = {"last_id": event.pk, "last_hash": event.hash, "last_at": at}
        if not AuditChainHead.objects.filter(pk=1).update(**moved):
            AuditChainHead.objects.create(pk=1, **moved)
    watched = _written.get()
    if watched is not None:
        watched.append(event.pk)
    return event

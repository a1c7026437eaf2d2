"""The audit trail's hash chain: how an entry is hashed, and the walk that checks it.

Each entry's `hash` is the SHA-256 of the previous entry's hash (`prev_hash`, 64
zeros for the first) and of the entry's canonical content: every stored field,
serialised one stable way (`canonical`). Walking the entries in id order, each must
hash to its own `hash` and name the one before it; the chain head
(`AuditChainHead`) must name the last. `verify_chain` reports the first entry where
that fails and why: edited, deleted, inserted, reordered or backdated.

A chain without a secret key detects tampering by anyone who does not re-hash every
later entry; `audit_verify` prints the head's hash so that it can be kept outside
the database (a log, a ticket) and compared later.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from audit.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
# The key of PostgreSQL's advisory lock that serialises writers of the chain.
CHAIN_LOCK_KEY = 0x41554449  # "AUDI"


def normal_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """`detail` as it comes back from the database (JSON types only)."""
    value = json.loads(json.dumps(detail or {}))
    if not isinstance(value, dict):
        raise TypeError("detail must be a dict")
    return value


@functools.lru_cache(maxsize=1024)
def normal_ip(ip: str | None) -> str | None:
    # Cached: every entry is hashed with its address, and a practice's addresses are
    # few (parsing one is a quarter of the time of hashing a bulk trail's entry).
    return str(ipaddress.ip_address(ip)) if ip else None


def canonical(
    *,
    at: datetime,
    actor_id: int | None,
    actor_username: str,
    action: str,
    object_type: str,
    object_id: str,
    client_id: int | None,
    ip: str | None,
    detail: dict[str, Any],
) -> bytes:
    """Every stored field of an entry, serialised one stable way."""
    fields = {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_username": actor_username,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "client_id": client_id,
        "ip": normal_ip(ip),
        "detail": detail,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + content).hexdigest()


def event_content(event: AuditEvent) -> bytes:
    return canonical(
        at=event.at,
        actor_id=event.actor_id,
        actor_username=event.actor_username,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        client_id=event.client_id,
        ip=event.ip,
        detail=event.detail,
    )


def event_hash(event: AuditEvent) -> str:
    """The hash `event` should carry, given its content and its `prev_hash`."""
    return chain_hash(event.prev_hash, event_content(event))


def lock_chain(using: str) -> None:
    """Take the writers' lock of the chain until the transaction ends.

    PostgreSQL: a transaction-level advisory lock. SQLite serialises writers itself
    (the project opens every transaction IMMEDIATE), so there is nothing to take."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("lock_chain needs a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


# --- The check -----------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int | None
    kind: str  # edited | deleted | inserted | reordered | backdated
    message: str


@dataclass(frozen=True)
class ChainReport:
    count: int
    head_hash: str
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


class Source(Protocol):
    """Where the check reads the trail from: a database alias (`OrmSource`) or a
    SQLite file such as a backup (`SqliteFileSource`)."""

    def head(self) -> AuditChainHead | None: ...

    def events(self) -> Iterator[AuditEvent]:
        """Every entry, in id order."""
        ...

    def by_hash(self, hash_: str) -> AuditEvent | None: ...

    def first_after(self, event_id: int) -> AuditEvent | None: ...


@dataclass(frozen=True)
class OrmSource:
    using: str = DEFAULT_DB_ALIAS

    def head(self) -> AuditChainHead | None:
        return AuditChainHead.objects.using(self.using).filter(pk=1).first()

    def events(self) -> Iterator[AuditEvent]:
        return AuditEvent.objects.using(self.using).order_by("id").iterator(chunk_size=2000)

    def by_hash(self, hash_: str) -> AuditEvent | None:
        return AuditEvent.objects.using(self.using).filter(hash=hash_).order_by("id").first()

    def first_after(self, event_id: int) -> AuditEvent | None:
        events = AuditEvent.objects.using(self.using)
        return events.filter(pk__gt=event_id).order_by("id").first()


_COLUMNS = (
    "id, at, actor_id, actor_username, action, object_type, object_id, client_id, ip, "
    "detail, prev_hash, hash"
)


def _sqlite_time(value: str) -> datetime:
    # Django keeps an aware time in SQLite as the UTC time without its offset.
    at = datetime.fromisoformat(value)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SqliteFileSource:
    """A SQLite database read with sqlite3 alone (a backup, before it is restored)."""

    db: sqlite3.Connection

    def _event(self, row: tuple[Any, ...] | None) -> AuditEvent | None:
        if row is None:
            return None
        pk, at, actor, username, action, otype, oid, client, ip, detail, prev, hash_ = row
        return AuditEvent(
            pk=pk,
            at=_sqlite_time(at),
            actor_id=actor,
            actor_username=username,
            action=action,
            object_type=otype,
            object_id=oid,
            client_id=client,
            ip=ip,
            detail=json.loads(detail),
            prev_hash=prev,
            hash=hash_,
        )

    def _one(self, where: str, params: list[Any]) -> AuditEvent | None:
        sql = f"SELECT {_COLUMNS} FROM audit_auditevent WHERE {where} ORDER BY id LIMIT 1"  # noqa: S608  (fixed text)
        return self._event(self.db.execute(sql, params).fetchone())

    def head(self) -> AuditChainHead | None:
        row = self.db.execute(
            "SELECT last_id, last_hash, last_at, backfilled_through FROM audit_auditchainhead "
            "WHERE id = 1"
        ).fetchone()
        if row is None:
            return None
        last_id, last_hash, last_at, backfilled = row
        return AuditChainHead(
            pk=1,
            last_id=last_id,
            last_hash=last_hash,
            last_at=_sqlite_time(last_at),
            backfilled_through=backfilled,
        )

    def events(self) -> Iterator[AuditEvent]:
        cursor = self.db.execute(f"SELECT {_COLUMNS} FROM audit_auditevent ORDER BY id")  # noqa: S608  (fixed text)
        for row in cursor:
            event = self._event(row)
            if event is not None:
                yield event

    def by_hash(self, hash_: str) -> AuditEvent | None:
        return self._one("hash = ?", [hash_])

    def first_after(self, event_id: int) -> AuditEvent | None:
        return self._one("id > ?", [event_id])


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """One consistent view of the head and the entries (a concurrent writer commits
    both or neither): a REPEATABLE READ transaction on PostgreSQL."""
    connection = connections[using]
    nested = connection.in_atomic_block
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and not nested:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _broken_link(source: Source, event: AuditEvent, previous: AuditEvent | None) -> ChainProblem:
    """Why `event` does not follow `previous` (its content matches its hash)."""
    after = f"#{previous.pk}" if previous is not None else "the start of the chain"
    followed = source.by_hash(event.prev_hash)
    if followed is not None and followed.pk > event.pk:
        return ChainProblem(
            event.pk,
            "reordered",
            f"entry #{event.pk} was reordered: it follows #{followed.pk}, which comes after it",
        )
    if followed is not None and previous is not None and followed.pk < previous.pk:
        # Entries were put between `followed` and `event`: name the first of them.
        first = source.first_after(followed.pk)
        inserted = first.pk if first is not None else previous.pk
        return ChainProblem(
            inserted,
            "inserted",
            f"entry #{inserted} was inserted: entry #{event.pk} follows #{followed.pk}, "
            f"not {after}",
        )
    if event.prev_hash == GENESIS:
        return ChainProblem(
            event.pk,
            "inserted",
            f"entry #{event.pk} was inserted: it claims to start the chain but comes "
            f"after {after}",
        )
    return ChainProblem(
        event.pk,
        "deleted",
        f"entries before #{event.pk} were deleted (or replaced): it does not follow {after}",
    )


def verify_chain(using: str = DEFAULT_DB_ALIAS) -> ChainReport:
    """Walk the trail of the database `using` in id order and report the first entry
    that breaks the chain."""
    with _snapshot(using):
        return check_chain(OrmSource(using))


def verify_sqlite_file(path: str) -> ChainReport:
    """The same check on a SQLite database file (a backup), read with sqlite3 alone."""
    db = sqlite3.connect(path)
    try:
        with db:
            return check_chain(SqliteFileSource(db))
    finally:
        db.close()


def check_chain(source: Source) -> ChainReport:
    """Walk `source` in id order; the first entry that breaks the chain, and why."""
    head = source.head()
    # The migration chained the entries written before the lock existed, whose
    # times may be out of order: the time check starts after them.
    backfilled = head.backfilled_through if head is not None else 0
    previous: AuditEvent | None = None
    count = 0
    for event in source.events():
        problem: ChainProblem | None = None
        expected = previous.hash if previous is not None else GENESIS
        if event_hash(event) != event.hash:
            problem = ChainProblem(
                event.pk,
                "edited",
                f"entry #{event.pk} was edited: its content no longer matches its hash",
            )
        elif event.prev_hash != expected:
            problem = _broken_link(source, event, previous)
        elif previous is not None and event.at < previous.at and event.pk > backfilled:
            problem = ChainProblem(
                event.pk,
                "backdated",
                f"entry #{event.pk} is backdated: its time is before entry #{previous.pk}'s",
            )
        if problem is not None:
            return ChainReport(count, expected, problem)
        previous = event
        count += 1
    tail = _tail(source, head, previous)
    return ChainReport(count, previous.hash if previous else GENESIS, tail)


def _tail(
    source: Source, head: AuditChainHead | None, last: AuditEvent | None
) -> ChainProblem | None:
    """Does the head name the last entry? (It is written with every entry.)"""
    if last is None:
        if head is None:
            return None
        return ChainProblem(
            head.last_id,
            "deleted",
            f"the trail is empty but its chain head names entry #{head.last_id}: "
            "entries were deleted",
        )
    if head is None:
        return ChainProblem(
            last.pk,
            "inserted",
            f"the chain head is missing: entry #{last.pk} was not written by log_action",
        )
    if head.last_id == last.pk and head.last_hash == last.hash:
        return None
    if head.last_id > last.pk:
        # Ids may have gaps (a rolled-back transaction): name the last entry kept.
        return ChainProblem(
            last.pk,
            "deleted",
            f"the entries after #{last.pk} were deleted: the chain head names "
            f"#{head.last_id} as the last",
        )
    if head.last_id == last.pk:
        return ChainProblem(
            last.pk,
            "edited",
            f"entry #{last.pk} was replaced: its hash is not the one the chain head holds",
        )
    first = source.first_after(head.last_id)
    inserted = first.pk if first is not None else last.pk
    return ChainProblem(
        inserted,
        "inserted",
        f"entry #{inserted} was inserted outside log_action: the chain head names #{head.last_id}",
    )

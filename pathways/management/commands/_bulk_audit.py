"""The bulk practice's audit trail, written as one run of the hash chain.

`audit.services.log_action` appends one entry per call: it takes the chain's lock,
reads the head, hashes the entry onto it and moves the head, with the time of the
call. A two-year past cannot go through it: every entry would carry today's time,
and a million calls (each a transaction and two writes) would take far longer than
the whole seed may. The audit app has no batch path, so this is one, built from the
chain's own parts and kept to its rules:

- under the chain's lock (`audit.chain.lock_chain`), in the caller's transaction;
- after the head: the trail must be empty, or every entry here must be no earlier
  than its last entry (`check_chain` reports an entry earlier than the one before
  it as backdated). `seed_demo --clients` requires an empty trail, so the past can
  start two years ago;
- in time order (a stable sort of the collected entries), each hashed with
  `audit.chain.canonical` and `chain_hash` onto the one before, exactly as
  `log_action` hashes it, so that `manage.py audit_verify` walks it like any other;
- then the head names the last entry, as `log_action` leaves it.

In three steps: `chain_start` (the lock, the head, the indexes dropped) and
`chain_finish` (the indexes made again, the head moved) where the connection is,
`chain_rows` (the hashing) in the building process of `_bulk_split`.

The table's triggers refuse UPDATE and DELETE, never INSERT; nothing here updates.
Rows go in through one prepared INSERT (see `_bulk_common` for why not bulk_create).
The audit app could own this as a `log_actions_bulk` (say so in the report).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection

from audit.chain import GENESIS, canonical, chain_hash, lock_chain, normal_ip
from audit.models import AuditChainHead, AuditEvent
from pathways.management.commands._bulk_common import (
    BATCH,
    Entry,
    Tables,
    Writer,
    datetime_adapter,
)

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


@dataclass(frozen=True)
class ChainStart:
    """The trail as the chain finds it (read where the connection is)."""

    prev_hash: str  # the head's hash, or the genesis
    last_at: dt.datetime | None  # the head's time (None: an empty trail)
    next_id: int
    rebuild: list[str]  # the statements that make the dropped indexes again
    sql: str  # the INSERT of an entry


@dataclass(frozen=True)
class ChainEnd:
    count: int
    last_id: int
    last_hash: str
    last_at: dt.datetime | None


def chain_start(tables: Tables) -> ChainStart:
    """Lock the chain, read its head, make ready for the bulk insert."""
    lock_chain(DEFAULT_DB_ALIAS)
    head = AuditChainHead.objects.filter(pk=1).first()
    table = tables[AuditEvent]
    if table.next_id != 1 and head is None:
        raise ValueError("The trail has entries but no chain head.")
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(COLUMNS))
    sql = (
        f"INSERT INTO {quote(AuditEvent._meta.db_table)} "  # noqa: S608  (names from the model)
        f"({', '.join(quote(c) for c in COLUMNS)}) VALUES ({marks})"
    )
    return ChainStart(
        prev_hash=head.last_hash if head is not None else GENESIS,
        last_at=head.last_at if head is not None else None,
        next_id=table.next_id,
        rebuild=_drop_indexes(),
        sql=sql,
    )


def chain_rows(entries: list[Entry], start: ChainStart, writer: Writer) -> ChainEnd:
    """Chain `entries` after the head and hand their rows to `writer`, in time order.
    Pure computation: it may run in the building process (`_bulk_split`)."""
    entries.sort(key=itemgetter(0))
    if not entries:
        return ChainEnd(0, 0, start.prev_hash, start.last_at)
    if start.last_at is not None and entries[0][0] < start.last_at:
        raise ValueError("The bulk trail would start before the trail's last entry.")
    adapt = datetime_adapter()
    as_json = connection.ops.adapt_json_value  # what the JSONField sends
    rows: list[tuple[Any, ...]] = []
    prev_hash, next_id = start.prev_hash, start.next_id
    for when, actor_id, username, action, otype, oid, client_id, ip, detail in entries:
        content = canonical(
            at=when,
            actor_id=actor_id,
            actor_username=username,
            action=action,
            object_type=otype,
            object_id=oid,
            client_id=client_id,
            ip=ip,
            detail=detail,
        )
        hash_ = chain_hash(prev_hash, content)
        rows.append(
            (
                next_id,
                adapt(when),
                actor_id,
                username,
                action,
                otype,
                oid,
                client_id,
                normal_ip(ip),  # cached (audit.chain)
                as_json(detail, None),
                prev_hash,
                hash_,
            )
        )
        prev_hash = hash_
        next_id += 1
        if len(rows) >= BATCH:
            writer.insert(start.sql, rows)
            rows = []
    if rows:
        writer.insert(start.sql, rows)
    return ChainEnd(len(entries), next_id - 1, prev_hash, entries[-1][0])


def chain_finish(start: ChainStart, end: ChainEnd) -> None:
    """Once every row is in: the indexes made again, the id sequence moved on, and the
    head naming the last entry, as `log_action` leaves it."""
    with connection.cursor() as cursor:
        for statement in start.rebuild:
            cursor.execute(statement)
        for statement in connection.ops.sequence_reset_sql(no_style(), [AuditEvent]):
            cursor.execute(statement)
    if not end.count:
        return
    moved = {"last_id": end.last_id, "last_hash": end.last_hash, "last_at": end.last_at}
    if not AuditChainHead.objects.filter(pk=1).update(**moved):
        AuditChainHead.objects.create(pk=1, **moved)


def _drop_indexes() -> list[str]:
    """On SQLite, drop the trail's plain indexes for the bulk insert; returns the
    statements that make them again, exactly as they were (their stored definitions).

    Why: the trail has nine secondary indexes; kept during the insert, each of millions
    of rows goes into each of them in turn, most in random order. Made once at the end,
    each is one sort. The unique index (prev_hash) is part of the table and stays: it
    is the chain's guard against a fork."""
    table = AuditEvent._meta.db_table
    if connection.vendor != "sqlite":
        # On PostgreSQL the deferred foreign-key checks of the rows just inserted
        # would have to run first (CREATE INDEX refuses pending trigger events); the
        # gain was measured on SQLite only.
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL",
            [table],
        )
        found = cursor.fetchall()
        quote = connection.ops.quote_name
        for name, _sql in found:
            cursor.execute(f"DROP INDEX {quote(name)}")
    return [sql for _name, sql in found]

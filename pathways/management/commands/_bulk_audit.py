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

The table's triggers refuse UPDATE and DELETE, never INSERT; nothing here updates.
Rows go in through one prepared INSERT (see `_bulk_common` for why not bulk_create).
The audit app could own this as a `log_actions_bulk` (say so in the report).
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection

from audit.chain import GENESIS, canonical, chain_hash, lock_chain, normal_ip
from audit.models import AuditChainHead, AuditEvent
from pathways.management.commands._bulk_common import (
    BATCH,
    Entry,
    Table,
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


def write_chain(entries: list[Entry], writer: Writer) -> int:
    """Chain and insert `entries` after the trail's head; returns how many. `writer`
    is idle (every batch before is in) and stopped when this returns."""
    lock_chain(DEFAULT_DB_ALIAS)
    head = AuditChainHead.objects.filter(pk=1).first()
    prev_hash = head.last_hash if head is not None else GENESIS
    entries.sort(key=itemgetter(0))
    if not entries:
        return 0
    if head is not None and entries[0][0] < head.last_at:
        raise ValueError("The bulk trail would start before the trail's last entry.")
    table = Table(AuditEvent, writer)
    if table.next_id != 1 and head is None:
        raise ValueError("The trail has entries but no chain head.")
    next_id = table.next_id
    rebuilt = _drop_indexes()
    writer.start()
    adapt = datetime_adapter()
    quote = connection.ops.quote_name
    as_json = connection.ops.adapt_json_value  # what the JSONField sends
    marks = ", ".join(["%s"] * len(COLUMNS))
    sql = (
        f"INSERT INTO {quote(AuditEvent._meta.db_table)} "  # noqa: S608  (names from the model)
        f"({', '.join(quote(c) for c in COLUMNS)}) VALUES ({marks})"
    )
    rows: list[tuple[Any, ...]] = []
    last_id, last_at = 0, entries[-1][0]
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
        last_id, prev_hash = next_id, hash_
        next_id += 1
        if len(rows) >= BATCH:
            writer.insert(sql, rows)
            rows = []
    if rows:
        writer.insert(sql, rows)
    writer.stop()
    with connection.cursor() as cursor:
        for statement in rebuilt:
            cursor.execute(statement)
        for statement in connection.ops.sequence_reset_sql(no_style(), [AuditEvent]):
            cursor.execute(statement)
    moved = {"last_id": last_id, "last_hash": prev_hash, "last_at": last_at}
    if not AuditChainHead.objects.filter(pk=1).update(**moved):
        AuditChainHead.objects.create(pk=1, **moved)
    return len(entries)


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

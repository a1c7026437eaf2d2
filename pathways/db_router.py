"""The database router: the reports' reads to the read replica, everything else to the
primary (issue 14 §5).

With REPLICA_DATABASE_URL set, settings define a second alias, "replica": a streaming
copy of the primary ("default"), e.g. a PostgreSQL hot standby. Only the reads of the
views marked `common.replica.reads_from_replica` go there (the outcomes report, the
audit report and the audit trail in the admin): they read the whole practice, and on
the primary they would compete with the clinical pages. A replica runs behind the
primary by a moment, which is fine for a report and not for anything else: a page that
saves and reads back, a permission just revoked, a dose just given must all be read
from the primary.

- Every write goes to the primary, also that of an object read from the replica (left
  alone, Django would write it back where it was read).
- A read inside a transaction on the primary stays there: it must see the
  transaction's own writes and take part in its locks (the audit entry a report writes
  reads the end of the hash chain under its lock).
- Migrations run on the primary only; the replica gets them by replication.
- Without a "replica" alias every read goes to the primary, scope or not.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from common.replica import replica_reads
from pathways.settings_check import REPLICA


def replica_configured() -> bool:
    """Whether settings define the replica alias (REPLICA_DATABASE_URL is set)."""
    return REPLICA in connections.settings


class ReplicaRouter:
    """Reads inside `reads_from_replica` to the replica, when there is one; the rest to
    the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        if (
            replica_reads()
            and replica_configured()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both aliases hold the same rows: an object read from the replica may be
        # related to one from the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS

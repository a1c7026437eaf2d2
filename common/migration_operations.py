"""Migration operations shared by the apps.

`AddIndexOnline`: an index on a table that may be large in production (appointments,
sessions, responses, the audit trail). On PostgreSQL it is built with `CREATE INDEX
CONCURRENTLY`, which lets the practice go on writing to the table while it is built (a
plain `CREATE INDEX` holds a lock that blocks every insert and update until it ends);
on SQLite, which has no such statement, it is a plain AddIndex. PostgreSQL refuses
CONCURRENTLY inside a transaction, so a migration that uses it says `atomic = False`,
and holds nothing else that must be atomic (issue 14).
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations.operations import AddIndex


class AddIndexOnline(AddIndexConcurrently):
    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
            return
        super().database_backwards(app_label, schema_editor, from_state, to_state)

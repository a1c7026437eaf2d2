"""An index on a large table is built without blocking writes on PostgreSQL
(common.migration_operations.AddIndexOnline, issue 14), and as a plain index on SQLite."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

ONLINE = [("treatment", "0004"), ("scheduling", "0006")]


# sqlmigrate opens a schema editor, which SQLite refuses inside a test's transaction.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("app", "migration"), ONLINE)
def test_it_builds_the_index_without_blocking_writes_where_it_can(
    app: str, migration: str, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("sqlmigrate", app, migration)
    sql = capsys.readouterr().out

    assert "CREATE INDEX" in sql
    if connection.vendor == "postgresql":
        assert sql.count("CREATE INDEX CONCURRENTLY") == sql.count("CREATE INDEX")
        assert "BEGIN;" not in sql  # CONCURRENTLY cannot run inside a transaction
    else:
        assert "CONCURRENTLY" not in sql

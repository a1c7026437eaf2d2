"""Back the database up: `manage.py backup <path>`.

SQLite: an online backup (sqlite3's backup API) into a new file at <path>, taken
while the site runs, consistent as of one moment, that opens as an identical
database. The copy's audit trail is then checked (audit_verify on the copy).

PostgreSQL: the command prints the pg_dump command to run (it needs the server's
client tools, which this process may not have): a custom-format dump, restored with
`pg_restore --clean --if-exists -d <database> <path>`. After a restore, run
`manage.py audit_verify` against the restored database.
"""

from __future__ import annotations

import shlex
import sqlite3
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from audit.chain import ChainReport, verify_sqlite_file


class Command(BaseCommand):
    help = "Back the database up to <path> (SQLite), or print the pg_dump command (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        target = Path(options["path"])
        if connection.vendor == "postgresql":
            self.stdout.write(pg_dump_command(connection.settings_dict, target))
            return
        if connection.vendor != "sqlite":
            raise CommandError(f"No backup for {connection.vendor}: use its own tools.")
        if target.exists():
            raise CommandError(f"{target} exists: choose a new file (nothing is overwritten).")
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent} is not a folder.")
        count = sqlite_backup(connection, target)
        report = verify_copy(target)
        if report.problem is not None:
            raise CommandError(
                f"Backed up to {target}, but its audit trail: {report.problem.message}"
            )
        self.stdout.write(
            f"Backed up {count} tables to {target}; its audit trail checks OK "
            f"({report.count} entries, chain head {report.head_hash})."
        )


def sqlite_backup(connection: Any, target: Path) -> int:
    """Copy the SQLite database of `connection` to `target` with the online backup API.
    Returns the number of tables copied."""
    connection.ensure_connection()
    source: sqlite3.Connection = connection.connection
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        (tables,) = copy.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()
    finally:
        copy.close()
    return int(tables)


def verify_copy(path: Path) -> ChainReport:
    """Check the audit trail of the SQLite database at `path` (read with sqlite3)."""
    return verify_sqlite_file(str(path))


def pg_dump_command(settings_dict: dict[str, Any], target: Path) -> str:
    parts = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            parts.append(f"{flag}={settings_dict[key]}")
    parts.append(str(settings_dict["NAME"]))
    command = " ".join(shlex.quote(p) for p in parts)
    return (
        "PostgreSQL: run (with the password in PGPASSWORD or ~/.pgpass):\n"
        f"  {command}\n"
        "Restore into an empty database with:\n"
        f"  pg_restore --clean --if-exists --no-owner -d <database> {shlex.quote(str(target))}\n"
        "then check the restored audit trail: manage.py audit_verify"
    )

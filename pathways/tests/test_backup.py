"""`manage.py backup <path>`: an online SQLite backup that opens as the same database,
its audit trail intact; on PostgreSQL, the pg_dump command to run."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.actor import Actor
from accounts.models import Role
from audit.services import log_action
from pathways.management.commands.backup import verify_copy
from pathways.testing import make_client, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def tables(db: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    names = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {
        # The names come from sqlite_master, not from input. Sorted here: some tables
        # have no rowid to order by (FTS5's own, of clients.name_index).
        name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)  # noqa: S608
        for name in names
    }


def practice() -> None:
    admin = make_user("ada", Role.ADMIN)
    client = make_client()
    for action in ("client.view", "client.update", "client.list"):
        log_action(Actor.for_user(admin, "192.0.2.1"), action, client, client=client)


def test_it_copies_every_table_and_the_copy_verifies(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite online backup; PostgreSQL has its own test below")
    practice()
    target = tmp_path / "copy.sqlite3"
    out = io.StringIO()

    call_command("backup", str(target), stdout=out)

    connection.ensure_connection()
    source: sqlite3.Connection = connection.connection
    # Read the copy with the same type conversions as Django's connection to the source.
    copy = sqlite3.connect(target, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
    try:
        original, copied = tables(source), tables(copy)
    finally:
        copy.close()
    assert copied == original
    assert original["audit_auditevent"]
    assert original["clients_client"]
    assert "checks OK (" in out.getvalue()
    report = verify_copy(target)
    assert report.ok
    assert report.count == len(original["audit_auditevent"])


def test_it_reports_a_copy_whose_trail_was_tampered_with(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite online backup")
    practice()
    target = tmp_path / "copy.sqlite3"
    call_command("backup", str(target), stdout=io.StringIO())
    copy = sqlite3.connect(target)
    try:
        (second,) = copy.execute(
            "SELECT id FROM audit_auditevent ORDER BY id LIMIT 1 OFFSET 1"
        ).fetchone()
        # The copy keeps the test database's marker table, so the trigger lets this through.
        copy.execute("DELETE FROM audit_auditevent WHERE id = ?", [second])
        copy.commit()
    finally:
        copy.close()

    report = verify_copy(target)

    assert report.problem is not None
    assert report.problem.kind == "deleted"


def test_it_refuses_to_overwrite_a_file(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite online backup")
    target = tmp_path / "there.sqlite3"
    target.write_text("keep me")

    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(target))

    assert target.read_text() == "keep me"


def test_it_prints_the_pg_dump_command_on_postgresql(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's backup is pg_dump")
    out = io.StringIO()

    call_command("backup", str(tmp_path / "pathways.dump"), stdout=out)

    text = out.getvalue()
    assert "pg_dump --format=custom" in text
    assert str(connection.settings_dict["NAME"]) in text
    assert "pg_restore" in text
    assert "audit_verify" in text
    assert not (tmp_path / "pathways.dump").exists()

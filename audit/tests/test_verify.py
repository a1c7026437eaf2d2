"""audit_verify names the first entry that was edited, deleted, inserted, reordered or
backdated, on SQLite and PostgreSQL (the TRUNCATE case on PostgreSQL only)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.chain import GENESIS, verify_chain
from audit.tests.support import raw_delete, raw_insert, raw_move_head, rehashed, row, trail

pytestmark = pytest.mark.django_db


def verify_fails(kind: str, entry_id: int) -> str:
    report = verify_chain()
    assert report.problem is not None
    assert (report.problem.kind, report.problem.entry_id) == (kind, entry_id), report.problem
    with pytest.raises(CommandError) as raised:
        call_command("audit_verify")
    assert f"#{entry_id}" in str(raised.value)
    return str(raised.value)


def test_it_says_ok_with_the_count_for_an_intact_trail() -> None:
    events = trail(5)
    out = io.StringIO()

    call_command("audit_verify", stdout=out)

    assert out.getvalue().startswith("OK: 5 audit entries")
    assert events[-1].hash in out.getvalue()
    assert events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]


def test_it_says_ok_for_an_empty_trail() -> None:
    out = io.StringIO()

    call_command("audit_verify", stdout=out)

    assert out.getvalue().startswith("OK: 0 audit entries")


def test_it_names_an_entry_edited_by_delete_then_insert() -> None:
    events = trail(5)
    forged = {**row(events[2].pk), "action": "request.forged"}
    raw_delete(events[2].pk)
    raw_insert(forged)

    message = verify_fails("edited", events[2].pk)

    assert "edited" in message


def test_it_names_an_entry_edited_in_the_detail_only() -> None:
    events = trail(3)
    forged = {**row(events[1].pk), "detail": {"n": 99}}
    raw_delete(events[1].pk)
    raw_insert(forged)

    verify_fails("edited", events[1].pk)


def test_it_names_the_entry_after_a_deleted_one() -> None:
    events = trail(5)
    raw_delete(events[2].pk)

    message = verify_fails("deleted", events[3].pk)

    assert "deleted" in message


def test_it_names_a_replaced_entry_even_when_the_forger_rehashes_it() -> None:
    events = trail(5)
    forged = rehashed({**row(events[2].pk), "action": "request.forged"})
    raw_delete(events[2].pk)
    raw_insert(forged)

    verify_fails("deleted", events[3].pk)


def test_it_names_deleted_entries_at_the_end() -> None:
    events = trail(5)
    raw_delete(events[4].pk, events[3].pk)

    message = verify_fails("deleted", events[2].pk)

    assert f"after #{events[2].pk}" in message


def test_it_names_an_entry_appended_outside_log_action() -> None:
    events = trail(3)
    last = row(events[-1].pk)
    forged = rehashed(
        {
            **last,
            "id": last["id"] + 1,
            "at": last["at"] + timedelta(seconds=1),
            "prev_hash": last["hash"],
            "action": "request.forged",
        }
    )
    raw_insert(forged)

    verify_fails("inserted", forged["id"])


def test_it_names_reordered_entries() -> None:
    events = trail(5)
    third, fourth = row(events[2].pk), row(events[3].pk)
    raw_delete(events[2].pk, events[3].pk)
    raw_insert({**fourth, "id": third["id"]})
    raw_insert({**third, "id": fourth["id"]})

    message = verify_fails("reordered", events[2].pk)

    assert "reordered" in message


def test_it_names_a_backdated_entry_even_with_the_head_moved() -> None:
    events = trail(3)
    last = row(events[-1].pk)
    forged = rehashed(
        {
            **last,
            "id": last["id"] + 1,
            "at": last["at"] - timedelta(days=3),
            "prev_hash": last["hash"],
            "action": "client.view",
        }
    )
    raw_insert(forged)
    raw_move_head(forged)

    message = verify_fails("backdated", forged["id"])

    assert "backdated" in message


# Committed first: PostgreSQL refuses a TRUNCATE after inserts in the same transaction.
@pytest.mark.django_db(transaction=True)
def test_it_names_a_truncated_trail_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    events = trail(4)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")

    message = verify_fails("deleted", events[-1].pk)

    assert "empty" in message

"""The database itself refuses to rewrite the audit trail (migration 0004).

UPDATE is refused always. DELETE (and TRUNCATE on PostgreSQL) is refused unless the
table `audit_flush_allowed` exists, which only the test set-up creates
(conftest.py) so that Django's flush can empty the tables between tests: these
tests drop it inside a transaction that is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.actor import Actor
from audit.models import AuditChainHead, AuditEvent
from audit.services import log_action

pytestmark = pytest.mark.django_db


@contextmanager
def as_in_production() -> Iterator[None]:
    """The database as production has it: without the test suite's marker table."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE audit_flush_allowed")
        yield
        transaction.set_rollback(True)


def refused(sql: str, params: list[str | int] | None = None) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_it_refuses_an_update_that_bypasses_the_orm_even_with_the_marker() -> None:
    event = log_action(Actor.system(), "request.view")
    # Raw SQL on purpose: this is the path the model-level guard cannot see.
    refused("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["tampered", event.pk])

    event.refresh_from_db()
    assert event.action == "request.view"


def test_it_refuses_a_delete_without_the_test_marker() -> None:
    event = log_action(Actor.system(), "request.view")
    with as_in_production():
        refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
        refused("DELETE FROM audit_auditevent")

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_to_delete_the_chain_head_without_the_test_marker() -> None:
    log_action(Actor.system(), "request.view")
    with as_in_production():
        refused("DELETE FROM audit_auditchainhead")

    assert AuditChainHead.objects.exists()


def test_it_refuses_a_truncate_on_postgresql_without_the_test_marker() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    log_action(Actor.system(), "request.view")
    with as_in_production():
        refused("TRUNCATE audit_auditevent")
        refused("TRUNCATE audit_auditchainhead")

    assert AuditEvent.objects.count() == 1


def test_it_lets_the_test_suites_flush_delete_while_the_marker_exists() -> None:
    event = log_action(Actor.system(), "request.view")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])

    assert not AuditEvent.objects.filter(pk=event.pk).exists()

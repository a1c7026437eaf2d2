"""The database itself refuses to rewrite the audit trail (migration 0002)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.actor import Actor
from audit.services import log_action


@pytest.mark.django_db
def test_it_refuses_an_update_that_bypasses_the_orm() -> None:
    event = log_action(Actor.system(), "request.view")
    # Raw SQL on purpose: this is the path the model-level guard cannot see.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET action = %s WHERE id = %s", ["tampered", event.pk]
        )
    event.refresh_from_db()
    assert event.action == "request.view"


@pytest.mark.django_db
def test_it_refuses_a_delete_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps DELETE for Django's test flush; see migration 0002")
    event = log_action(Actor.system(), "request.view")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert type(event).objects.filter(pk=event.pk).exists()

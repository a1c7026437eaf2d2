"""Migration 0004 chains the entries already in the trail, in id order, and leaves the
triggers in place."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from accounts.actor import Actor
from audit.chain import GENESIS, verify_chain
from audit.models import AuditChainHead, AuditEvent
from audit.services import log_action

BEFORE = ("audit", "0003_client_id_plain_integer")
AFTER = ("audit", "0004_hash_chain")


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_the_existing_entries_and_keeps_the_triggers() -> None:
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])
        old_event = executor.loader.project_state([BEFORE]).apps.get_model("audit", "AuditEvent")
        # Written before the lock existed: times out of id order are possible.
        for at in ("2030-01-01T00:00:02Z", "2030-01-01T00:00:01Z", "2030-01-01T00:00:03Z"):
            old_event.objects.create(at=at, action="client.view", detail={"b": 1, "a": [1, 2]})

        executor.loader.build_graph()
        executor.migrate([AFTER])

        events = list(AuditEvent.objects.order_by("id"))
        assert events[0].prev_hash == GENESIS
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        head = AuditChainHead.objects.get()
        assert (head.last_id, head.last_hash) == (events[-1].pk, events[-1].hash)
        assert verify_chain().ok
        # New entries follow on, after the latest time backfilled.
        new = log_action(Actor.system(), "request.view")
        assert new.prev_hash == events[-1].hash
        assert verify_chain().ok
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [new.pk])
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

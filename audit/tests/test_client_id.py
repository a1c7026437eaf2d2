"""An audit entry names its client by id only, so the trail outlives the client row."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor

from accounts.actor import Actor
from audit.models import AuditEvent
from audit.services import log_action
from pathways.testing import BaseTestCase, make_client

BEFORE = ("audit", "0002_append_only_triggers")
AFTER = ("audit", "0003_client_id_plain_integer")


class ClientIdTestCase(BaseTestCase):
    def test_it_keeps_the_client_id_as_a_plain_indexed_integer(self) -> None:
        field = AuditEvent._meta.get_field("client_id")

        assert isinstance(field, models.BigIntegerField)
        assert not field.is_relation
        assert field.db_index  # type: ignore[attr-defined]  # not in django-stubs' Field
        assert field.column == "client_id"

    def test_it_writes_the_clients_pk(self) -> None:
        record = make_client()

        event = log_action(Actor.system(), "client.view", record, client=record)

        event.refresh_from_db()
        assert event.client_id == record.pk

    def test_it_writes_no_client_id_without_a_client(self) -> None:
        event = log_action(Actor.system(), "client.list")

        event.refresh_from_db()
        assert event.client_id is None

    def test_it_keeps_the_client_id_after_the_client_is_gone(self) -> None:
        record = make_client()
        pk = record.pk
        event = log_action(Actor.system(), "client.view", record, client=record)

        record.delete()

        event.refresh_from_db()
        assert event.client_id == pk


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_each_entrys_client_id_and_the_append_only_trigger() -> None:
    record = make_client()
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])
        old_apps = executor.loader.project_state([BEFORE]).apps
        old_event = old_apps.get_model("audit", "AuditEvent")
        with_client = old_event.objects.create(
            at="2030-01-01T00:00:00Z", action="client.view", client_id=record.pk
        )
        without = old_event.objects.create(at="2030-01-01T00:00:00Z", action="client.list")

        executor.loader.build_graph()
        executor.migrate([AFTER])

        # The model as it stands after 0003 (later migrations add columns).
        new_event = executor.loader.project_state([AFTER]).apps.get_model("audit", "AuditEvent")
        assert new_event.objects.get(pk=with_client.pk).client_id == record.pk
        assert new_event.objects.get(pk=without.pk).client_id is None
        # The rebuild of the table on SQLite must not lose the append-only trigger.
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET action = %s WHERE id = %s", ["x", with_client.pk]
            )
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

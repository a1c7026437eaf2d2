"""The service of interest is the service's title as text (migration 0004 keeps the data)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clients.models import Client
from pathways.testing import BaseTestCase, make_client
from website.models import Service

BEFORE = ("clients", "0003_record_ordering_icd10")
AFTER = ("clients", "0004_service_of_interest_title")


class ServiceOfInterestTestCase(BaseTestCase):
    def test_it_keeps_the_title_when_the_service_is_renamed_or_removed(self) -> None:
        record = make_client(service_of_interest=self.service.title)
        title = self.service.title

        Service.objects.filter(pk=self.service.pk).update(title="Renamed")
        Service.objects.filter(pk=self.service.pk).delete()

        record.refresh_from_db()
        assert record.service_of_interest == title


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_each_clients_service_title_and_back() -> None:
    service = Service.objects.create(
        slug="kap",
        title="Ketamine-assisted psychotherapy",
        summary="s",
        what_it_is="w",
        who_it_may_help="w",
        how_it_works="h",
        session_experience="s",
    )
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])
        old_client = executor.loader.project_state([BEFORE]).apps.get_model("clients", "Client")
        chose = old_client.objects.create(
            first_name="A", last_name="B", service_of_interest_id=service.pk
        )
        none = old_client.objects.create(first_name="C", last_name="D")

        executor.loader.build_graph()
        executor.migrate([AFTER])

        assert Client.objects.get(pk=chose.pk).service_of_interest == service.title
        assert Client.objects.get(pk=none.pk).service_of_interest == ""

        executor.loader.build_graph()
        executor.migrate([BEFORE])

        old_client = executor.loader.project_state([BEFORE]).apps.get_model("clients", "Client")
        assert old_client.objects.get(pk=chose.pk).service_of_interest_id == service.pk
        assert old_client.objects.get(pk=none.pk).service_of_interest_id is None
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

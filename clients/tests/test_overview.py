"""The chart's overview reads its lists and the record's creator by compiled queries
(clients.overview): the same rows in the same order as the related managers, each
knowing its client, and the creator cached as the foreign key caches it."""

from __future__ import annotations

from django.utils import timezone

from clients.models import Allergy, Client, Diagnosis, ReportedMedication
from clients.overview import overview_lists, read_creator
from pathways.testing import BaseTestCase, make_phi_client


class OverviewTests(BaseTestCase):
    def setUp(self) -> None:
        self.client_record = make_phi_client(self.therapist, created_by=self.intake)
        now = timezone.now()
        c, by = self.client_record, self.therapist
        # Ended items sort after the current ones (NULLs first), then by name or code.
        Diagnosis.objects.create(client=c, code="F43.10", description="PTSD", added_by=by)
        Diagnosis.objects.create(
            client=c, code="F32.1", description="MDD", added_by=by, resolved_at=now
        )
        Diagnosis.objects.create(client=c, code="F33.1", description="MDD, rec.", added_by=by)
        ReportedMedication.objects.create(client=c, name="Sertraline", stopped_at=now)
        ReportedMedication.objects.create(client=c, name="Bupropion")
        Allergy.objects.create(client=c, substance="Penicillin", removed_at=now)
        Allergy.objects.create(client=c, substance="Latex")
        other = make_phi_client(self.therapist, 1)
        Allergy.objects.create(client=other, substance="Not this client's")

    def test_it_reads_the_lists_the_related_managers_read_in_their_order(self) -> None:
        client = Client.objects.get(pk=self.client_record.pk)

        with self.assertNumQueries(3):
            lists = overview_lists(client)
            for items in lists.values():
                for item in items:
                    assert item.client is client  # no query: as the manager sets it

        assert lists["diagnoses"] == list(client.diagnoses.all())
        assert [d.code for d in lists["diagnoses"]] == ["F33.1", "F43.10", "F32.1"]
        assert lists["medications"] == list(client.medications.all())
        assert [m.name for m in lists["medications"]] == ["Bupropion", "Sertraline"]
        assert lists["allergies"] == list(client.allergies.all())
        assert [a.substance for a in lists["allergies"]] == ["Latex", "Penicillin"]

    def test_it_caches_the_creator_as_the_foreign_key_does(self) -> None:
        client = Client.objects.get(pk=self.client_record.pk)

        with self.assertNumQueries(1):
            read_creator(client)
            read_creator(client)  # cached: no second read
            assert client.created_by == self.intake
            assert client.created_by.display_name == self.intake.display_name

    def test_it_reads_nothing_for_a_record_nobody_created(self) -> None:
        Client.objects.filter(pk=self.client_record.pk).update(created_by=None)
        client = Client.objects.get(pk=self.client_record.pk)

        with self.assertNumQueries(0):
            read_creator(client)
            assert client.created_by is None

    def test_the_overview_shows_the_lists_and_the_creator(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/clients/{self.client_record.pk}/")

        self.assertContains(response, "F43.10")
        self.assertContains(response, "Bupropion")
        self.assertContains(response, "Latex")
        self.assertNotContains(response, "Not this client")
        self.assertContains(response, f"by {self.intake.display_name}")

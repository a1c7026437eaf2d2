from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_client


class ClientListTestCase(BaseTestCase):
    def test_it_lists_every_client_for_intake_by_last_name(self) -> None:
        zed = make_client(first_name="Zara", last_name="Zimmer")
        abe = make_client(first_name="Abe", last_name="Abbott", assigned_therapist=self.therapist)
        self.client.force_login(self.intake)

        response = self.client.get("/staff/clients/")

        assert [c.pk for c in response.context["page"]] == [abe.pk, zed.pk]
        self.assertContains(response, "Abbott, Abe")
        self.assertContains(response, f'href="/staff/clients/{zed.pk}/"')
        self.assertContains(response, "2 clients")

    def test_it_shows_the_date_of_birth_status_and_therapist(self) -> None:
        make_client(
            first_name="Abe",
            last_name="Abbott",
            date_of_birth=datetime.date(1979, 1, 31),
            status="on_hold",
            assigned_therapist=self.therapist,
        )
        self.client.force_login(self.intake)

        response = self.client.get("/staff/clients/")

        self.assertContains(response, "<td>1979-01-31</td><td>On hold</td>", html=True)
        self.assertContains(response, "<td>Theo</td>", html=True)

    def test_it_shows_a_therapist_only_their_clients(self) -> None:
        mine = make_client(last_name="Mine", assigned_therapist=self.therapist)
        make_client(last_name="Theirs", assigned_therapist=self.therapist2)
        make_client(last_name="Nobodys")
        self.client.force_login(self.therapist)

        response = self.client.get("/staff/clients/")

        assert [c.pk for c in response.context["page"]] == [mine.pk]
        self.assertNotContains(response, "Theirs")
        self.assertNotContains(response, "Nobodys")

    def test_it_offers_a_new_record_only_to_admin_and_intake(self) -> None:
        for user, shown in ((self.admin, True), (self.intake, True), (self.therapist, False)):
            with self.subTest(user=user.username):
                self.client.force_login(user)

                response = self.client.get("/staff/clients/")

                assert ('href="/staff/clients/new/"' in response.content.decode()) is shown

    def test_it_paginates_25_to_a_page(self) -> None:
        for i in range(30):
            make_client(last_name=f"Client{i:02d}")
        self.client.force_login(self.admin)

        first = self.client.get("/staff/clients/")
        second = self.client.get("/staff/clients/?page=2")

        assert len(first.context["page"]) == 25
        assert [c.last_name for c in second.context["page"]] == [
            f"Client{i:02d}" for i in range(25, 30)
        ]
        self.assertContains(first, "Page 1 of 2")
        self.assertContains(first, 'href="?page=2"')

    def test_it_says_so_when_there_are_none(self) -> None:
        self.client.force_login(self.therapist)

        self.assertContains(self.client.get("/staff/clients/"), "No clients yet.")

    def test_it_writes_an_audit_entry(self) -> None:
        make_client(assigned_therapist=self.therapist)
        self.client.force_login(self.therapist)

        self.client.get("/staff/clients/", REMOTE_ADDR="192.0.2.33")

        event = AuditEvent.objects.get(action="client.list")
        assert event.actor == self.therapist
        # What was shown, and that no search was made: ids and counts, no names.
        assert event.detail == {"page": 1, "count": 1, "searched": False}
        assert event.client_id is None
        assert event.ip == "192.0.2.33"

    def test_it_audits_the_page_and_how_many_it_showed(self) -> None:
        for i in range(27):
            make_client(last_name=f"Client{i:02d}")
        self.client.force_login(self.intake)

        self.client.get("/staff/clients/?page=2")

        event = AuditEvent.objects.get(action="client.list")
        assert event.detail == {"page": 2, "count": 2, "searched": False}

    def _make_clients(self, count: int) -> None:
        for i in range(count):
            make_client(
                last_name=f"Client{i:02d}",
                assigned_therapist=self.therapist if i % 2 else self.therapist2,
                service_of_interest=self.service.title,
            )

    def test_it_runs_as_many_queries_for_25_clients_as_for_5(self) -> None:
        self.client.force_login(self.intake)
        self._make_clients(5)
        with CaptureQueriesContext(connection) as five:
            response = self.client.get("/staff/clients/")
        assert len(response.context["page"]) == 5

        self._make_clients(20)
        # The therapist of every row comes with the page, not one query a row.
        with self.assertNumQueries(len(five)):
            response = self.client.get("/staff/clients/")
        assert len(response.context["page"]) == 25
        self.assertContains(response, "Tess")
        self.assertContains(response, "Theo")

from __future__ import annotations

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

    def test_it_shows_a_therapist_only_their_clients(self) -> None:
        mine = make_client(last_name="Mine", assigned_therapist=self.therapist)
        make_client(last_name="Theirs", assigned_therapist=self.therapist2)
        make_client(last_name="Nobodys")
        self.client.force_login(self.therapist)

        response = self.client.get("/staff/clients/")

        assert [c.pk for c in response.context["page"]] == [mine.pk]
        self.assertNotContains(response, "Theirs")
        self.assertNotContains(response, "Nobodys")

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

    def test_it_says_so_when_there_are_none(self) -> None:
        self.client.force_login(self.therapist)

        self.assertContains(self.client.get("/staff/clients/"), "No clients yet.")

    def test_it_writes_an_audit_entry(self) -> None:
        make_client(assigned_therapist=self.therapist)
        self.client.force_login(self.therapist)

        self.client.get("/staff/clients/", REMOTE_ADDR="192.0.2.33")

        event = AuditEvent.objects.get(action="client.list")
        assert event.actor == self.therapist
        assert event.detail == {"page": 1, "count": 1}
        assert event.ip == "192.0.2.33"

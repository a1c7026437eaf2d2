from __future__ import annotations

import datetime

from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_client, make_request


class ClientDetailTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Leopold",
            last_name="Castellanos",
            phone="(555) 010-0144",
            date_of_birth=datetime.date(1988, 4, 2),
            service_of_interest=self.service,
            assigned_therapist=self.therapist,
            created_by=self.intake,
        )
        self.url = f"/staff/clients/{self.record.pk}/"

    def test_it_shows_the_record(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get(self.url)

        self.assertContains(response, "<h1>Leopold Castellanos</h1>", html=True)
        for text in ("bob@example.com", "(555) 010-0144", "1988-04-02", self.service.title):
            self.assertContains(response, text)
        self.assertContains(response, "Theo")
        self.assertContains(response, "Prospective")

    def test_it_shows_the_assigned_therapist_the_record(self) -> None:
        self.client.force_login(self.therapist)

        self.assertContains(self.client.get(self.url), "Leopold Castellanos")

    def test_it_links_the_source_request_for_intake(self) -> None:
        source = make_request(client=self.record, status="converted")
        self.client.force_login(self.intake)

        response = self.client.get(self.url)

        self.assertContains(response, f'<a href="/staff/requests/{source.pk}/">')

    def test_it_does_not_link_a_request_the_therapist_cannot_open(self) -> None:
        source = make_request(client=self.record, status="converted", assigned_to=self.therapist2)
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        self.assertContains(response, f"Request #{source.pk}")
        self.assertNotContains(response, f'href="/staff/requests/{source.pk}/"')

    def test_it_links_a_request_assigned_to_the_therapist(self) -> None:
        source = make_request(client=self.record, status="converted", assigned_to=self.therapist)
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        self.assertContains(response, f'href="/staff/requests/{source.pk}/"')

    def test_it_writes_an_audit_entry(self) -> None:
        self.client.force_login(self.therapist)

        self.client.get(self.url, REMOTE_ADDR="192.0.2.34")

        event = AuditEvent.objects.get(action="client.view")
        assert event.actor == self.therapist
        assert event.object_type == "clients.client"
        assert event.object_id == str(self.record.pk)
        assert event.client == self.record
        assert event.ip == "192.0.2.34"

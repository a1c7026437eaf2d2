from __future__ import annotations

import datetime

from audit.models import AuditEvent
from clients.panels import TABS, providers_for
from pathways.testing import BaseTestCase, make_client, make_request, request_for

from .support import own_providers_only


class ClientDetailTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        own_providers_only(self)
        self.record = make_client(
            first_name="Leopold",
            last_name="Castellanos",
            phone="(555) 010-0144",
            date_of_birth=datetime.date(1988, 4, 2),
            service_of_interest=self.service.title,
            assigned_therapist=self.therapist,
            created_by=self.intake,
        )
        self.url = f"/staff/clients/{self.record.pk}/"

    def test_it_shows_the_record(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get(self.url)

        # The heading carries the status as a badge.
        self.assertContains(response, '<h1 id="client-name">Leopold Castellanos</h1>', html=True)
        self.assertContains(response, '<span class="badge badge-waiting status-prospective">')
        for text in ("bob@example.com", "(555) 010-0144", "1988-04-02", self.service.title):
            self.assertContains(response, text)
        self.assertContains(response, "Theo")
        self.assertContains(response, f'href="/staff/clients/{self.record.pk}/edit/"')

    def test_it_shows_the_preferred_name_beside_the_legal_name(self) -> None:
        self.record.preferred_name = "Leo"
        self.record.status = "active"
        self.record.save()
        self.client.force_login(self.intake)

        response = self.client.get(self.url)

        self.assertContains(
            response,
            '<h1 id="client-name">Leopold Castellanos <span class="muted">(Leo)</span></h1>',
            html=True,
        )
        self.assertContains(response, "Active</span>")

    def test_it_shows_contact_address_emergency_contact_and_escort(self) -> None:
        self.record.pronouns = "he/him"
        self.record.address_line1 = "12 Elm Street"
        self.record.address_line2 = "Apt 3"
        self.record.city = "Richmond"
        self.record.state = "VA"
        self.record.postal_code = "23220"
        self.record.emergency_contact_name = "Rosa Castellanos"
        self.record.emergency_contact_relationship = "sister"
        self.record.emergency_contact_phone = "(555) 010-0155"
        self.record.escort_name = "Marco Diaz"
        self.record.escort_relationship = "partner"
        self.record.escort_phone = "(555) 010-0166"
        self.record.save()
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        for text in (
            "he/him",
            "12 Elm Street, Apt 3",
            "Richmond VA 23220",
            "Rosa Castellanos (sister), (555) 010-0155",
            "Marco Diaz (partner), (555) 010-0166",
        ):
            self.assertContains(response, text)

    def test_it_says_what_is_not_recorded(self) -> None:
        self.record.date_of_birth = None
        self.record.save()
        self.client.force_login(self.intake)

        response = self.client.get(self.url)

        self.assertContains(response, "<dt>Date of birth</dt><dd>Not recorded</dd>", html=True)
        self.assertContains(response, "<dt>Emergency contact</dt><dd>Not recorded</dd>", html=True)
        self.assertContains(response, "<dt>Escort / ride</dt><dd>Not recorded</dd>", html=True)

    def test_it_shows_the_assigned_therapist_the_record(self) -> None:
        self.client.force_login(self.therapist)

        self.assertContains(self.client.get(self.url), "Leopold Castellanos")

    def test_it_hides_the_record_from_another_therapist(self) -> None:
        self.client.force_login(self.therapist2)

        response = self.client.get(self.url)

        assert response.status_code == 404
        self.assertNotContains(response, "Castellanos", status_code=404)
        assert not AuditEvent.objects.filter(action="client.view").exists()

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
        assert event.client_id == self.record.pk
        assert event.ip == "192.0.2.34"
        assert event.detail == {"tab": "overview"}


class ClientPageWithEveryPanelTestCase(BaseTestCase):
    """The page as it runs: every panel and timeline provider other apps register."""

    def test_it_renders_every_registered_panel_on_its_tab(self) -> None:
        record = make_client(assigned_therapist=self.therapist)
        self.client.force_login(self.therapist)
        html = ""

        for tab, _ in TABS:
            with self.subTest(tab=tab):
                response = self.client.get(f"/staff/clients/{record.pk}/{tab}/")
                assert response.status_code == 200
                rendered = response.context["panels"]
                request = request_for(self.therapist)
                providers = [p for p in providers_for(tab) if p(request, record)]
                assert len(rendered) == len(providers)
                html += response.content.decode()

        assert "Treatment courses" in html

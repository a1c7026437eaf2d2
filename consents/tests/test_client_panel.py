"""The consents section of the client page, and consent lines on the timeline."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from clients.panels import panels_for, timeline_for
from consents.models import ConsentKind, ConsentRevocation
from consents.panels import consents_panel
from consents.tests.factories import make_consent_request
from pathways.testing import (
    BaseTestCase,
    make_client,
    make_document,
    make_signed_consent,
    request_for,
)


class ClientPanelTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(assigned_therapist=self.therapist)
        make_document(ConsentKind.KAP, title="KAP informed consent")
        make_document(ConsentKind.TELEHEALTH, title="Telehealth consent")
        make_document(ConsentKind.ROI, title="Release of information")
        self.kap = make_signed_consent(self.record, ConsentKind.KAP)
        self.roi = make_signed_consent(self.record, ConsentKind.ROI, partner=self.partner)
        ConsentRevocation.objects.create(
            consent=self.roi, recorded_by=self.therapist, reason="Private reason 7731."
        )
        self.open_request, _ = make_consent_request(
            self.record, self.therapist, ConsentKind.TELEHEALTH
        )

    def panel_for(self, user: User) -> tuple[dict[str, object], str]:
        request = request_for(user)
        panel = consents_panel(request, self.record)
        assert panel is not None
        assert panel.template == "consents/_client_panel.html"
        html = render_to_string(panel.template, panel.context, request=request)
        return panel.context, html

    def test_it_is_registered_for_the_client_page(self) -> None:
        templates = [p.template for p in panels_for(request_for(self.therapist), self.record)]

        assert "consents/_client_panel.html" in templates

    def test_it_lists_consents_in_force_revoked_and_waiting(self) -> None:
        context, html = self.panel_for(self.therapist)

        assert context["in_force"] == [self.kap]
        assert context["revoked"] == [self.roi]
        assert context["open_requests"] == [self.open_request]
        assert f'href="/staff/consents/{self.kap.pk}/"' in html
        assert f'href="/staff/consents/{self.roi.pk}/"' in html
        assert "Blue Ridge Psychiatry" in html
        assert "Telehealth consent" in html
        local_expiry = timezone.localtime(self.open_request.expires_at)
        assert f"link expires {local_expiry:%Y-%m-%d %H:%M}" in html
        assert "Private reason 7731." not in html

    def test_it_leaves_out_links_that_no_longer_open(self) -> None:
        now = timezone.now()
        make_consent_request(self.record, self.therapist, ConsentKind.KAP, cancelled_at=now)
        make_consent_request(self.record, self.therapist, ConsentKind.KAP, used_at=now)
        make_consent_request(
            self.record, self.therapist, ConsentKind.KAP, expires_at=now - dt.timedelta(hours=1)
        )

        context, _ = self.panel_for(self.therapist)

        assert context["open_requests"] == [self.open_request]

    def test_it_offers_sending_and_cancelling_to_clinical_staff(self) -> None:
        _, html = self.panel_for(self.therapist)

        assert f'href="/staff/consents/client/{self.record.pk}/send/"' in html
        assert "Send a consent form" in html
        assert f'action="/staff/consents/request/{self.open_request.pk}/cancel/"' in html

    def test_it_shows_intake_the_consents_without_the_actions(self) -> None:
        _, html = self.panel_for(self.intake)

        assert "KAP informed consent" in html
        assert "Send a consent form" not in html
        assert "/cancel/" not in html

    def test_it_gives_no_panel_to_a_prescriber(self) -> None:
        assert consents_panel(request_for(self.prescriber), self.record) is None

    def test_it_appears_on_the_client_page(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/clients/{self.record.pk}/consents/")

        self.assertContains(response, '<h2 id="consents-title">Consents</h2>', html=True)
        self.assertContains(response, "Send a consent form")

    def test_it_adds_titles_to_the_timeline_but_no_free_text(self) -> None:
        texts = [e.text for e in timeline_for(self.record) if e.kind == "consent"]

        assert sorted(texts) == sorted(
            [
                f"Consent signed: {self.kap.title_signed}",
                f"Consent signed: {self.roi.title_signed}",
                f"Consent revoked: {self.roi.title_signed}",
                "Consent form sent",
            ]
        )
        for entry in timeline_for(self.record):
            assert "Private reason" not in entry.text
            assert self.record.first_name not in entry.text

    def test_it_links_timeline_lines_to_the_signed_copy(self) -> None:
        entries = [e for e in timeline_for(self.record) if e.text.startswith("Consent signed")]

        assert {e.url for e in entries} == {
            f"/staff/consents/{self.kap.pk}/",
            f"/staff/consents/{self.roi.pk}/",
        }

    def test_it_keeps_other_clients_consents_out(self) -> None:
        other = make_client(first_name="Other", assigned_therapist=self.therapist)
        make_signed_consent(other, ConsentKind.KAP)

        context, _ = self.panel_for(self.therapist)

        assert context["in_force"] == [self.kap]
        assert len([e for e in timeline_for(other) if e.kind == "consent"]) == 1

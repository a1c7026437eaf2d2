"""The client downloads a PDF of exactly what they signed, from the browser that signed
and for a limited time; staff open the same PDF from the signed consent's page."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from audit.models import AuditEvent
from consents.copy import signed_copy_html
from consents.models import ConsentKind, SignedConsent
from consents.tests.factories import make_consent_request
from pathways.testing import BaseTestCase, make_client, make_document, make_signed_consent

SIGN = {"typed_name": "marisol vantongeren", "agreed": "on"}


class ClientCopyTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Marisol", last_name="Vantongeren", assigned_therapist=self.therapist
        )
        make_document(
            ConsentKind.KAP, title="Informed consent for KAP", body="First.\n\nSecond paragraph."
        )
        _, token = make_consent_request(self.record, self.therapist)
        self.url = f"/consent/{token}/"

    def sign(self) -> SignedConsent:
        self.client.post(self.url, SIGN)
        return SignedConsent.objects.get()

    def test_it_offers_the_copy_on_the_done_page(self) -> None:
        signed = self.sign()

        response = self.client.get("/consent/done/")

        self.assertContains(response, f'href="/consent/copy/{signed.pk}/"')
        self.assertContains(response, "Download a copy of what you signed (PDF)")

    def test_it_downloads_the_pdf_with_no_store_and_an_audit_entry(self) -> None:
        signed = self.sign()

        response = self.client.get(f"/consent/copy/{signed.pk}/", REMOTE_ADDR="203.0.113.7")

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert "no-store" in response["Cache-Control"]
        assert response["Content-Disposition"] == 'attachment; filename="signed-consent.pdf"'
        event = AuditEvent.objects.get(action="consent.copy")
        assert (event.actor, event.client_id, event.ip) == (None, self.record.pk, "203.0.113.7")
        assert event.detail["purpose"] == "client_download"

    def test_the_copy_holds_exactly_what_was_signed(self) -> None:
        signed = self.sign()
        make_document(ConsentKind.KAP, title="A later version", body="Changed text.")

        html = signed_copy_html(SignedConsent.objects.get(pk=signed.pk))

        assert "Informed consent for KAP" in html
        assert "<p>Second paragraph.</p>" in html
        assert "marisol vantongeren" in html
        assert "Version 1" in html
        assert signed.document_sha256 in html
        assert "Changed text" not in html

    def test_it_refuses_another_browser(self) -> None:
        signed = self.sign()
        self.client.logout()  # a new, empty session: another browser

        response = self.client.get(f"/consent/copy/{signed.pk}/")

        assert response.status_code == 404
        self.assertContains(response, "This copy is not available here", status_code=404)
        assert not AuditEvent.objects.filter(action="consent.copy").exists()

    def test_it_refuses_a_copy_the_browser_did_not_sign(self) -> None:
        self.sign()
        other = make_signed_consent(make_client(first_name="Other", last_name="Person"))

        response = self.client.get(f"/consent/copy/{other.pk}/")

        assert response.status_code == 404

    @override_settings(CONSENT_COPY_MINUTES=30, SESSION_IDLE_MINUTES=15)
    def test_it_promises_no_longer_than_the_session_lasts(self) -> None:
        self.sign()

        response = self.client.get("/consent/done/")

        self.assertContains(response, "for 15 minutes, on this device only")

    def test_it_stops_after_the_time_allowed(self) -> None:
        with override_settings(CONSENT_COPY_MINUTES=0):
            signed = self.sign()

        response = self.client.get(f"/consent/copy/{signed.pk}/")

        assert response.status_code == 404


class StaffCopyTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(assigned_therapist=self.therapist)
        self.signed = make_signed_consent(
            self.record, signed_at=timezone.now() - dt.timedelta(days=3)
        )
        self.url = f"/staff/consents/{self.signed.pk}/pdf/"

    def test_it_lets_staff_open_the_pdf_to_print(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get(self.url)

        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("inline;")
        assert "no-store" in response["Cache-Control"]
        event = AuditEvent.objects.get(action="consent.copy")
        assert (event.actor, event.client_id) == (self.intake, self.record.pk)
        assert event.detail["purpose"] == "staff_print"

    def test_it_links_the_pdf_from_the_signed_consent(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/consents/{self.signed.pk}/")

        self.assertContains(response, f'href="{self.url}"')

    def test_it_answers_404_to_another_therapist(self) -> None:
        other = make_client()
        signed = make_signed_consent(other)
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/consents/{signed.pk}/pdf/")

        assert response.status_code == 404
        assert not AuditEvent.objects.filter(action="consent.copy").exists()

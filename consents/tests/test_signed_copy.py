"""Staff read the signed copy: the text as signed and the evidence of signing."""

from __future__ import annotations

import datetime as dt

from audit.models import AuditEvent
from consents.models import ConsentKind
from pathways.testing import BaseTestCase, make_client, make_document, make_signed_consent


class SignedCopyTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Marisol", last_name="Vantongeren", assigned_therapist=self.therapist
        )
        self.document = make_document(
            ConsentKind.ROI, title="Release to a partner", body="We may share.\n\nYou may revoke."
        )
        self.signed = make_signed_consent(
            self.record,
            ConsentKind.ROI,
            partner=self.partner,
            typed_name="Marisol V.",
            ip="203.0.113.7",
            signed_at=dt.datetime(2026, 7, 1, 16, 30, tzinfo=dt.UTC),
        )
        self.url = f"/staff/consents/{self.signed.pk}/"

    def test_it_shows_the_copy_and_the_evidence(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        assert response.status_code == 200
        self.assertContains(response, "Release to a partner")
        self.assertContains(response, "<p>We may share.</p>", html=True)
        self.assertContains(response, "Marisol V.")
        self.assertContains(response, "Marisol Vantongeren")
        self.assertContains(response, "203.0.113.7")
        self.assertContains(response, self.document.sha256)
        self.assertContains(response, "version 1")
        self.assertContains(response, "Blue Ridge Psychiatry")
        # In the practice's time zone (America/New_York) and in UTC.
        self.assertContains(response, "2026-07-01 12:30:00 EDT")
        self.assertContains(response, "2026-07-01 16:30:00 UTC")
        self.assertContains(response, "In force")
        self.assertContains(response, "Revoke this consent")
        self.assertNotContains(response, "does not match")

    def test_it_lets_intake_read_but_not_revoke(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get(self.url)

        assert response.status_code == 200
        self.assertNotContains(response, "Revoke this consent")

    def test_it_writes_an_audit_entry(self) -> None:
        self.client.force_login(self.therapist)

        self.client.get(self.url)

        event = AuditEvent.objects.get(action="consent.view")
        assert (event.actor, event.client_id) == (self.therapist, self.record.pk)
        assert event.object_id == str(self.signed.pk)

    def test_it_sends_no_store(self) -> None:
        self.client.force_login(self.therapist)

        assert "no-store" in self.client.get(self.url)["Cache-Control"]

    def test_it_answers_404_for_a_missing_copy(self) -> None:
        self.client.force_login(self.admin)

        assert self.client.get("/staff/consents/999999/").status_code == 404

"""Consent can be revoked; revoking takes effect at once."""

from __future__ import annotations

from audit.models import AuditEvent
from consents.models import ConsentKind, ConsentRevocation
from consents.queries import consent_in_force, release_in_force
from pathways.testing import BaseTestCase, make_client, make_signed_consent


class RevokeTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(assigned_therapist=self.therapist)
        self.signed = make_signed_consent(self.record, ConsentKind.KAP)
        self.url = f"/staff/consents/{self.signed.pk}/revoke/"
        self.client.force_login(self.therapist)

    def test_it_takes_effect_at_once(self) -> None:
        assert consent_in_force(self.record, ConsentKind.KAP) == self.signed

        response = self.client.post(self.url, {"reason": "Withdrawn by letter of 3 March."})

        self.assertRedirects(
            response, f"/staff/consents/{self.signed.pk}/", fetch_redirect_response=False
        )
        assert consent_in_force(self.record, ConsentKind.KAP) is None
        revocation = ConsentRevocation.objects.get()
        assert revocation.consent == self.signed
        assert revocation.recorded_by == self.therapist
        assert revocation.reason == "Withdrawn by letter of 3 March."

    def test_it_ends_a_release_to_a_partner_at_once(self) -> None:
        release = make_signed_consent(self.record, ConsentKind.ROI, partner=self.partner)
        assert release_in_force(self.record, self.partner.pk) == release

        self.client.post(f"/staff/consents/{release.pk}/revoke/", {"reason": "Asked by phone."})

        assert release_in_force(self.record, self.partner.pk) is None
        assert consent_in_force(self.record, ConsentKind.KAP) == self.signed

    def test_it_keeps_the_signed_copy(self) -> None:
        self.client.post(self.url, {"reason": "Withdrawn."})

        response = self.client.get(f"/staff/consents/{self.signed.pk}/")

        self.assertContains(response, "Revoked")
        self.assertContains(response, "Withdrawn.")
        self.assertContains(response, self.signed.body_signed)
        self.assertNotContains(response, "Revoke this consent")

    def test_it_needs_a_reason(self) -> None:
        response = self.client.post(self.url, {"reason": "  "})

        assert response.status_code == 200
        self.assertContains(response, 'id="id_reason_error"')
        self.assertContains(response, "Say why the consent is revoked.")
        assert not ConsentRevocation.objects.exists()
        assert consent_in_force(self.record, ConsentKind.KAP) == self.signed

    def test_it_keeps_a_too_long_reason_for_correction(self) -> None:
        reason = "R" * 301

        response = self.client.post(self.url, {"reason": reason})

        assert response.status_code == 200
        self.assertContains(response, "300 characters or fewer")
        self.assertContains(response, reason)
        assert not ConsentRevocation.objects.exists()

    def test_it_audits_the_copy_it_shows_again_after_an_error(self) -> None:
        self.client.post(self.url, {"reason": ""})

        event = AuditEvent.objects.exclude(action="auth.login").get()
        assert (event.action, event.object_id) == ("consent.view", str(self.signed.pk))

    def test_it_revokes_only_once(self) -> None:
        self.client.post(self.url, {"reason": "First."})

        response = self.client.post(self.url, {"reason": "Second."}, follow=True)

        self.assertContains(response, "already been revoked")
        assert ConsentRevocation.objects.get().reason == "First."

    def test_it_writes_an_audit_entry_without_the_reason(self) -> None:
        self.client.post(self.url, {"reason": "Moved away."}, REMOTE_ADDR="198.51.100.4")

        event = AuditEvent.objects.get(action="consent.revoke")
        assert (event.actor, event.client_id) == (self.therapist, self.record.pk)
        assert event.object_id == str(self.signed.pk)
        assert event.ip == "198.51.100.4"
        assert event.detail == {
            "revocation": ConsentRevocation.objects.get().pk,
            "document": self.signed.document_id,
        }
        assert "Moved" not in str(event.detail)

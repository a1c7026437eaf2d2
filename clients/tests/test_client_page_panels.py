"""The client page renders every app's panel with its real content (not just the template)."""

from __future__ import annotations

from consents.models import ConsentKind
from partners.models import ReferralStatus
from pathways.testing import (
    BaseTestCase,
    make_client,
    make_course,
    make_prescription,
    make_referral,
    make_signed_consent,
)


class ClientPagePanelsTestCase(BaseTestCase):
    def test_it_shows_referral_prescription_consents_and_course(self) -> None:
        client = make_client(first_name="Ines", assigned_therapist=self.therapist)
        referral = make_referral(
            client, self.partner, self.therapist, status=ReferralStatus.ELIGIBLE
        )
        make_prescription(referral, self.prescriber)
        make_signed_consent(client, ConsentKind.KAP)
        make_course(client, self.therapist)
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/clients/{client.pk}/")

        self.assertContains(response, "Active prescription, version 1")
        self.assertNotContains(response, "No active prescription")
        self.assertContains(response, "Evaluated: eligible")
        self.assertContains(response, self.partner.name)
        self.assertContains(response, "Send a consent form")
        self.assertContains(response, "KAP course")
        self.assertContains(response, "Prescription written (v1)")

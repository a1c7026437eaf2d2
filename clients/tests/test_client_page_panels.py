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

        # Each panel is on its tab; the timeline on its own.
        html = "".join(
            self.client.get(f"/staff/clients/{client.pk}/{tab}/").content.decode()
            for tab in ("referrals", "consents", "course", "timeline")
        )

        assert "Active prescription, version 1" in html
        assert "No active prescription" not in html
        assert "Evaluated: eligible" in html
        assert self.partner.name in html
        assert "Send a consent form" in html
        assert "KAP course" in html
        assert "Prescription written (v1)" in html

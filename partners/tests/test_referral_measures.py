"""A referral carries the client's latest measure scores, snapshotted when sent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.actor import Actor
from consents.models import ConsentKind
from measures.tests.factories import load_instruments, make_score
from partners.prescreen import PRESCREEN_ITEMS
from partners.services import referral_send
from pathways.testing import BaseTestCase, make_client, make_signed_consent


class ReferralMeasuresTestCase(BaseTestCase):
    def test_it_shares_the_newest_score_of_each_instrument(self) -> None:
        load_instruments()
        client = make_client(first_name="Aster", assigned_therapist=self.therapist)
        make_signed_consent(client, ConsentKind.ROI, self.partner)
        now = timezone.now()
        make_score(client, "phq9", 19, now - dt.timedelta(days=30))
        make_score(client, "phq9", 12, now - dt.timedelta(days=2))
        make_score(client, "gad7", 8, now - dt.timedelta(days=2))

        referral = referral_send(
            actor=Actor.for_user(self.therapist),
            client=client,
            partner=self.partner,
            reason="Exploring KAP.",
            prescreen=dict.fromkeys((key for key, _ in PRESCREEN_ITEMS), "no"),
            prescreen_notes="",
        )

        scores = {s["instrument"]: s["score"] for s in referral.measure_scores}
        assert scores == {"PHQ-9": 12, "GAD-7": 8}

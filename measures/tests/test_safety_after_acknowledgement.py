"""An answer that goes higher after its alert was acknowledged is a new risk (issue 8 §5:
a suicide-risk answer is never missed): it raises a new alert, e-mailed and gating,
and the acknowledged one stays as it was."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from measures.alerts import safety
from measures.models import Instrument, MeasureLink, SafetyAlert
from measures.tests.support import ON_LINK
from measures.tests.test_send import load_instruments
from pathways.testing import BaseTestCase, make_client


class AfterAcknowledgementTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()

    def setUp(self) -> None:
        self.client_obj = make_client(assigned_therapist=self.therapist)
        self.link = MeasureLink.objects.create(
            client=self.client_obj,
            instruments=["phq9"],
            token_hash="x" * 64,
            expires_at=timezone.now() + dt.timedelta(days=7),
            created_by=self.therapist,
        )

    def save_draft(self, item9: int) -> list[SafetyAlert]:
        draft = {str(n): 0 for n in range(1, 9)}
        draft["9"] = item9
        MeasureLink.objects.filter(pk=self.link.pk).update(draft={"phq9": draft})
        with self.captureOnCommitCallbacks(execute=True):
            return safety.alert_raise_for_draft(actor=ON_LINK, link=self.link)

    def test_a_higher_answer_after_acknowledgement_raises_a_new_alert(self) -> None:
        first = self.save_draft(1)[0]
        SafetyAlert.objects.filter(pk=first.pk).update(
            acknowledged_at=timezone.now(), acknowledged_by=self.therapist, action="safety_plan"
        )
        mail.outbox.clear()

        alerts = self.save_draft(3)

        self.assertEqual(SafetyAlert.objects.count(), 2)
        self.assertEqual(alerts[0].value, 3)
        self.assertIsNone(alerts[0].acknowledged_at)
        self.assertTrue(mail.outbox)
        first.refresh_from_db()
        self.assertIsNotNone(first.acknowledged_at)
        self.assertEqual(first.value, 1)

    def test_the_same_answer_after_acknowledgement_raises_nothing_new(self) -> None:
        first = self.save_draft(2)[0]
        SafetyAlert.objects.filter(pk=first.pk).update(
            acknowledged_at=timezone.now(), acknowledged_by=self.therapist, action="safety_plan"
        )

        self.save_draft(2)

        self.assertEqual(SafetyAlert.objects.count(), 1)
        self.assertTrue(Instrument.objects.filter(code="phq9").exists())

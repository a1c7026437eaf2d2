"""Issue 8 §1: the readiness gate holds at every dose, not only when the session starts.

Each test opens a record through the gate (so it passed then), changes one fact,
and checks that the dose, or the booster, is refused, audited, and explained.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consents.models import ConsentKind, ConsentRevocation, SignedConsent
from dosing import services
from dosing.models import Administration, DosingRecord
from dosing.tests.support import (
    actor_as,
    add_vitals,
    cleared,
    give_dose,
    open_record,
    recent_phq9,
)
from measures.models import SafetyAlert
from pathways.testing import BaseTestCase
from prescriptions.models import Prescription, RxStatus
from treatment.models import SessionStatus, TreatmentSession
from treatment.tests.support import make_ready


class GateAtEveryDoseTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(
            self.therapist, self.prescriber, self.partner, booster_mg=Decimal("50")
        )
        cleared(self.record, self.therapist, minutes_ago=50)
        self.client_id = self.ready.client.pk

    def assert_dose_refused(self, key: str, words: str) -> None:
        with self.assertRaises(services.DosingError) as refused:
            give_dose(self.record, self.therapist, self.admin, minutes_ago=1)
        self.assertIn(words, str(refused.exception))
        self.assertFalse(Administration.objects.exists())
        event = AuditEvent.objects.filter(action="dosing.administer_refused").latest("pk")
        self.assertIn(key, event.detail["failed"])

    def raise_alert(self) -> SafetyAlert:
        response = recent_phq9(self.client_id, hours_ago=1, item9=3)
        return SafetyAlert.objects.create(
            client_id=self.client_id,
            instrument=response.instrument,
            response=response,
            item=9,
            value=3,
        )

    def test_it_doses_when_every_condition_still_holds(self) -> None:
        given = give_dose(self.record, self.therapist, self.admin, minutes_ago=1)

        self.assertEqual(given.prescription, self.ready.prescription)

    def test_it_refuses_a_dose_after_a_safety_alert_is_raised(self) -> None:
        self.raise_alert()

        self.assert_dose_refused("safety", "No unacknowledged safety alert")

    def test_it_refuses_a_booster_after_a_safety_alert_is_raised(self) -> None:
        give_dose(self.record, self.therapist, self.admin, minutes_ago=45)
        add_vitals(self.record, self.therapist, phase="monitoring", minutes_ago=2)
        self.raise_alert()

        with self.assertRaises(services.DosingError) as refused:
            services.administration_add(
                actor=actor_as(self.therapist),
                record=self.record,
                kind="booster",
                dose_mg=Decimal("50"),
                given_at=timezone.now(),
                given_by=self.therapist,
                witnessed_by=self.admin,
            )
        self.assertIn("No unacknowledged safety alert", str(refused.exception))
        self.assertEqual(Administration.objects.count(), 1)

    def test_it_refuses_a_dose_after_the_kap_consent_is_revoked(self) -> None:
        signed = SignedConsent.objects.get(
            client_id=self.client_id, document__kind=ConsentKind.KAP
        )
        ConsentRevocation.objects.create(
            consent=signed, recorded_by=self.therapist, reason="Asked"
        )

        self.assert_dose_refused("consent", "Not signed, or revoked.")

    def test_it_refuses_a_dose_after_the_release_is_revoked(self) -> None:
        signed = SignedConsent.objects.get(
            client_id=self.client_id, document__kind=ConsentKind.ROI
        )
        ConsentRevocation.objects.create(
            consent=signed, recorded_by=self.therapist, reason="Asked"
        )

        self.assert_dose_refused("release", "A signed release of information")

    def test_it_refuses_a_dose_once_the_prescription_has_expired(self) -> None:
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        Prescription.objects.filter(pk=self.record.prescription_id).update(
            valid_from=yesterday - dt.timedelta(days=5), valid_to=yesterday
        )

        self.assert_dose_refused("prescription", "No prescription is valid today")

    def test_it_refuses_a_dose_once_the_prescription_is_discontinued(self) -> None:
        Prescription.objects.filter(pk=self.record.prescription_id).update(
            status=RxStatus.DISCONTINUED, discontinued_at=timezone.now()
        )

        with self.assertRaises(services.DosingError) as refused:
            give_dose(self.record, self.therapist, self.admin, minutes_ago=1)
        self.assertIn("discontinued", str(refused.exception))
        self.assertFalse(Administration.objects.exists())

    def test_it_refuses_a_dose_when_the_escort_was_confirmed_another_day(self) -> None:
        TreatmentSession.objects.filter(pk=self.record.session_id).update(
            escort_confirmed_at=timezone.now() - dt.timedelta(days=1)
        )

        self.assert_dose_refused("escort", "No escort or ride confirmed for today")

    def test_it_refuses_a_dose_when_the_prescription_does_not_cover_the_modality(self) -> None:
        Prescription.objects.filter(pk=self.record.prescription_id).update(modality="ka_emdr")

        self.assert_dose_refused("prescription", "not for a KAP dose")

    def test_the_page_says_which_condition_closed_the_gate(self) -> None:
        self.raise_alert()
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("dosing:record", args=[self.record.pk]))

        self.assertContains(response, 'id="dose-gate"')
        self.assertContains(response, 'data-check="safety"')
        self.assertContains(response, "PHQ-9 item 9 answered 3")

    def test_a_crafted_dose_post_meets_the_gate(self) -> None:
        self.raise_alert()
        self.client.force_login(self.therapist)
        local = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

        self.client.post(
            reverse("dosing:dose", args=[self.record.pk]),
            {
                "dose-dose_mg": "100",
                "dose-given_at": local,
                "dose-given_by": self.therapist.pk,
                "dose-witnessed_by": self.admin.pk,
            },
        )

        self.assertFalse(Administration.objects.exists())


class OpenByAnyPathTests(BaseTestCase):
    def test_a_session_started_elsewhere_opens_its_record_only_through_the_gate(self) -> None:
        # A session already in progress (started from the schedule, say) whose record
        # was never opened: a safety alert raised since then keeps the record shut.
        ready = make_ready(self.therapist, self.prescriber, self.partner)
        TreatmentSession.objects.filter(pk=ready.session.pk).update(
            status=SessionStatus.IN_PROGRESS,
            started_at=timezone.now(),
            prescription=ready.prescription,
        )
        response = recent_phq9(ready.client.pk, hours_ago=1, item9=2)
        SafetyAlert.objects.create(
            client=ready.client, instrument=response.instrument, response=response, item=9, value=2
        )

        record, checks = services.record_open(
            actor=actor_as(self.therapist), session=ready.session
        )

        self.assertIsNone(record)
        self.assertFalse(DosingRecord.objects.exists())
        self.assertIn("safety", [c.key for c in checks if not c.ok])
        self.assertTrue(AuditEvent.objects.filter(action="dosing.start_blocked").exists())

"""Issue 8 §4 and the last point of §5: monitoring, discharge, and adverse events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from dosing import services
from dosing.models import Discharge, VitalSigns
from dosing.tests.support import (
    actor_as,
    add_vitals,
    ago,
    cleared,
    give_dose,
    open_record,
)
from pathways.testing import BaseTestCase

TICKS = {
    "alert_and_oriented": True,
    "walks_steadily": True,
    "escort_present": True,
    "told_no_driving": True,
}


class DischargeRuleTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        # Timed back from now: baseline 170 min ago is before the session start in
        # support.open_record (90 min ago), so move the start back first.
        self.ready.session.started_at = timezone.now() - dt.timedelta(hours=4)
        self.ready.session.save(update_fields=["started_at"])
        self.record.session.refresh_from_db()
        cleared(self.record, self.therapist, minutes_ago=170)

    def discharge(
        self, at: dt.datetime | None = None, exception_reason: str = "", **ticks: bool
    ) -> Discharge:
        return services.record_discharge(
            actor=actor_as(self.therapist),
            record=self.record,
            ticks=services.DischargeTicks(**{**TICKS, **ticks}),
            discharged_at=at or timezone.now(),
            exception_reason=exception_reason,
        )

    def full_observation(self) -> None:
        give_dose(self.record, self.therapist, self.admin, minutes_ago=125)
        add_vitals(self.record, self.therapist, phase="monitoring", minutes_ago=85)  # +40 min
        add_vitals(self.record, self.therapist, phase="discharge", minutes_ago=2)

    def test_it_discharges_when_every_criterion_is_met(self) -> None:
        self.full_observation()

        done = self.discharge()

        self.assertTrue(done.observation_time_met and done.peak_bp_check_done)
        self.assertEqual(done.exception_reason, "")

    def test_it_refuses_a_discharge_two_minutes_after_the_dose_without_a_reason(self) -> None:
        add_vitals(self.record, self.therapist, phase="recheck", minutes_ago=5)
        give_dose(self.record, self.therapist, self.admin, minutes_ago=2)

        with self.assertRaises(services.DosingError) as refused:
            self.discharge()
        message = str(refused.exception)
        self.assertIn("the minimum observation time", message)
        self.assertIn("the BP check about 40 minutes after the dose", message)
        self.assertFalse(Discharge.objects.exists())
        event = AuditEvent.objects.get(action="dosing.discharge_refused")
        self.assertIn("observation_time_met", event.detail["unmet"])

    def test_it_refuses_a_discharge_one_minute_short_of_the_observation_time(self) -> None:
        give_dose(self.record, self.therapist, self.admin, minutes_ago=125)
        add_vitals(self.record, self.therapist, phase="monitoring", minutes_ago=85)
        add_vitals(self.record, self.therapist, phase="discharge", minutes_ago=10)

        with self.assertRaises(services.DosingError) as refused:
            self.discharge(at=timezone.now() - dt.timedelta(minutes=6))
        self.assertIn("minimum observation time", str(refused.exception))

    def test_an_early_discharge_needs_a_reason_and_tells_the_prescriber(self) -> None:
        add_vitals(self.record, self.therapist, phase="recheck", minutes_ago=5)
        give_dose(self.record, self.therapist, self.admin, minutes_ago=2)
        mail.outbox.clear()

        with self.captureOnCommitCallbacks(execute=True):
            done = self.discharge(
                exception_reason="Family emergency; client alert, escort present."
            )

        self.assertFalse(done.observation_time_met)
        subjects = [m.subject for m in mail.outbox]
        self.assertIn(f"An early discharge was recorded: {self._practice()}", subjects)
        self.assertNotIn("Scully", " ".join(str(m.body) for m in mail.outbox))

    def _practice(self) -> str:
        from django.conf import settings

        return str(settings.PRACTICE_NAME)

    def test_the_latest_set_governs_whatever_its_label(self) -> None:
        # A "discharge" set in range, then a later monitoring set of 185/115.
        give_dose(self.record, self.therapist, self.admin, minutes_ago=125)
        add_vitals(self.record, self.therapist, phase="monitoring", minutes_ago=85)
        add_vitals(self.record, self.therapist, phase="discharge", minutes_ago=5)
        add_vitals(
            self.record,
            self.therapist,
            phase="monitoring",
            minutes_ago=2,
            systolic=185,
            diastolic=115,
        )

        with self.assertRaises(services.DosingError) as refused:
            self.discharge()
        self.assertIn("the latest vitals, after the last dose", str(refused.exception))

    def test_a_discharge_set_cannot_be_recorded_before_the_dose(self) -> None:
        with self.assertRaises(services.DosingError) as refused:
            add_vitals(
                self.record, self.therapist, phase=VitalSigns.Phase.DISCHARGE, minutes_ago=1
            )
        self.assertIn("comes after the dose", str(refused.exception))

    def test_the_vitals_must_follow_the_last_dose(self) -> None:
        self.full_observation()
        # A booster after the last set: the set no longer speaks for the client.
        self.record.prescription.booster_mg = Decimal("50")
        self.record.prescription.booster_after_minutes = 30
        self.record.prescription.save()
        services.administration_add(
            actor=actor_as(self.therapist),
            record=self.record,
            kind="booster",
            dose_mg=Decimal("50"),
            given_at=ago(1),
            given_by=self.therapist,
            witnessed_by=self.admin,
        )

        with self.assertRaises(services.DosingError) as refused:
            self.discharge()
        self.assertIn("observation", str(refused.exception))
        ok, text = services.discharge_vitals_check(self.record)
        self.assertFalse(ok)
        self.assertIn("since the last dose", text)

    def test_it_needs_the_client_told_not_to_drive(self) -> None:
        self.full_observation()

        with self.assertRaises(services.DosingError) as refused:
            self.discharge(told_no_driving=False)
        self.assertIn("told not to drive", str(refused.exception))

    def test_an_overdue_monitoring_set_is_flagged_on_the_record(self) -> None:
        add_vitals(self.record, self.therapist, phase="recheck", minutes_ago=110)
        give_dose(self.record, self.therapist, self.admin, minutes_ago=100)
        add_vitals(self.record, self.therapist, phase="monitoring", minutes_ago=60)
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("dosing:record", args=[self.record.pk]))

        self.assertContains(response, 'id="vitals-overdue"')
        self.assertContains(response, "Overdue by 45 min.")


class AdverseEventSeverityTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        mail.outbox.clear()

    def add(self, severity: str, serious: bool) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self._add(severity, serious)

    def _add(self, severity: str, serious: bool) -> None:
        services.adverse_event_add(
            actor=actor_as(self.therapist),
            record=self.record,
            report=services.AdverseEventReport(
                type="elevated_bp",
                severity=severity,
                serious=serious,
                occurred_at=timezone.now(),
                action_taken="Clonidine 0.1 mg; rechecked in 15 min.",
            ),
        )

    def test_a_severe_event_notifies_the_prescriber(self) -> None:
        self.add("severe", serious=False)

        self.assertTrue(mail.outbox)

    def test_a_serious_event_of_moderate_severity_notifies_the_prescriber(self) -> None:
        self.add("moderate", serious=True)

        self.assertTrue(mail.outbox)

    def test_a_moderate_event_that_is_not_serious_notifies_nobody(self) -> None:
        self.add("moderate", serious=False)

        self.assertEqual(mail.outbox, [])

    def test_severity_serious_is_no_longer_a_severity(self) -> None:
        with self.assertRaises(services.DosingError):
            self.add("serious", serious=False)

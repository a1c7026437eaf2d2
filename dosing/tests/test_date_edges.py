"""Times at the edges (issue 10 §5): vitals, a dose and an adverse event dated
0001-01-01 are refused with a message, and the services hold every time to within
a day of the session."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dosing import services
from dosing.models import AdverseEvent, Discharge, DosingRecord, VitalSigns
from dosing.observation import AdverseEventReport, VitalsReading
from dosing.tests.support import IN_RANGE, actor_as, open_record
from pathways.testing import BaseTestCase

YEAR_ONE = dt.datetime(1, 1, 1, 12, tzinfo=dt.UTC)


class SessionTimeEdgeTests(BaseTestCase):
    record: DosingRecord

    def setUp(self) -> None:
        super().setUp()
        _, self.record = open_record(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.therapist)

    def test_it_refuses_vitals_dated_0001_01_01_beside_the_time(self) -> None:
        data = {
            "vitals-phase": VitalSigns.Phase.BASELINE,
            "vitals-taken_at": "0001-01-01T00:00",
            "vitals-systolic": "120",
            "vitals-diastolic": "80",
            "vitals-heart_rate": "72",
            "vitals-spo2": "98",
        }

        response = self.client.post(f"/staff/dosing/{self.record.pk}/vitals/", data)

        self.assertEqual(response.status_code, 200)
        self.assertIn("taken_at", response.context["vitals_form"].errors)
        self.assertContains(response, "Enter a date from 1 January 1900")
        self.assertFalse(VitalSigns.objects.filter(record=self.record).exists())

    def test_it_refuses_an_adverse_event_at_9999_12_31_23_00(self) -> None:
        data = {
            "ae-type": AdverseEvent.Type.NAUSEA,
            "ae-severity": AdverseEvent.Severity.MILD,
            "ae-occurred_at": "9999-12-31T23:00",
            "ae-action_taken": "Observed.",
        }

        response = self.client.post(f"/staff/dosing/{self.record.pk}/adverse-events/", data)

        self.assertLess(response.status_code, 500)
        self.assertFalse(AdverseEvent.objects.filter(record=self.record).exists())

    def test_the_services_refuse_times_more_than_a_day_from_the_session(self) -> None:
        actor = actor_as(self.therapist)
        # The record was opened three days ago: now is outside its session.
        opened = timezone.now() - dt.timedelta(days=3)
        DosingRecord.objects.filter(pk=self.record.pk).update(opened_at=opened)
        self.record.refresh_from_db()
        late = timezone.now() - dt.timedelta(minutes=5)

        with self.assertRaises(services.DosingError) as raised:
            services.adverse_event_add(
                actor=actor,
                record=self.record,
                report=AdverseEventReport(
                    type=AdverseEvent.Type.NAUSEA,
                    severity=AdverseEvent.Severity.MILD,
                    occurred_at=YEAR_ONE,
                    action_taken="Observed.",
                ),
            )
        self.assertIn("within a day of the session", " ".join(raised.exception.reasons))
        with self.assertRaises(services.DosingError) as raised:
            services.vitals_add(
                actor=actor,
                record=self.record,
                reading=VitalsReading(phase=VitalSigns.Phase.BASELINE, taken_at=late, **IN_RANGE),
            )
        self.assertIn("within a day of the session", " ".join(raised.exception.reasons))
        self.assertFalse(VitalSigns.objects.filter(record=self.record).exists())
        self.assertFalse(AdverseEvent.objects.filter(record=self.record).exists())
        with self.assertRaises(services.DosingError) as raised:
            services.record_discharge(
                actor=actor,
                record=self.record,
                ticks=services.DischargeTicks(
                    alert_and_oriented=True,
                    walks_steadily=True,
                    escort_present=True,
                    told_no_driving=True,
                ),
                discharged_at=late,
                exception_reason="Left with her escort after a long recovery.",
            )
        self.assertIn("within a day of the session", " ".join(raised.exception.reasons))
        self.assertFalse(Discharge.objects.filter(record=self.record).exists())

from __future__ import annotations

from typing import Any

from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from dosing import services
from dosing.models import Discharge, VitalSigns
from dosing.tests.support import (
    HIGH_BP,
    actor_as,
    add_vitals,
    ago,
    arrived,
    cleared,
    dosed_and_checked,
    give_dose,
    local,
    open_record,
    post_data,
)
from pathways.testing import BaseTestCase
from treatment.models import SessionStatus

CHECKED = {
    "alert_and_oriented": "on",
    "walks_steadily": "on",
    "escort_present": "on",
    "told_no_driving": "on",
}


class DischargeTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        # The dose 140 minutes ago (past the observation time) and the 40-minute BP
        # check: the final set after the dose is up to each test.
        dosed_and_checked(self.record, self.therapist, self.admin, minutes_ago=140)
        self.url = reverse("dosing:discharge", args=[self.record.pk])
        self.client.force_login(self.therapist)

    def _post(self, **fields: Any) -> Any:
        data = {"discharged_at": local(ago(1)), **fields}
        return self.client.post(self.url, post_data("discharge", **data))

    def _discharge_vitals(self, **values: Any) -> None:
        add_vitals(self.record, self.therapist, phase="discharge", minutes_ago=3, **values)

    def test_it_blocks_discharge_while_any_criterion_is_unmet(self) -> None:
        self._discharge_vitals()
        for unmet in CHECKED:
            with self.subTest(unmet):
                ticked = {k: v for k, v in CHECKED.items() if k != unmet}

                response = self._post(**ticked)

                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Discharge is blocked")
                self.assertContains(response, 'name="discharge-discharged_at"')
                self.assertFalse(Discharge.objects.exists())
        refused = AuditEvent.objects.filter(action="dosing.discharge_refused")
        self.assertEqual(refused.count(), len(CHECKED))
        self.assertEqual(sorted(e.detail["unmet"][0] for e in refused), sorted(CHECKED))

    def test_it_blocks_discharge_without_before_discharge_vitals(self) -> None:
        # Only a set taken after the last dose counts: here the baseline is the only one.
        _, record = open_record(self.therapist, self.prescriber, self.partner)
        arrived(record, 200)
        cleared(record, self.therapist, minutes_ago=150)
        give_dose(record, self.therapist, self.admin, minutes_ago=140)
        url = reverse("dosing:discharge", args=[record.pk])

        response = self.client.post(
            url, post_data("discharge", discharged_at=local(ago(1)), **CHECKED)
        )

        self.assertContains(response, "Discharge is blocked")
        self.assertContains(response, "the latest vitals, after the last dose, within the limits")
        self.assertContains(response, "No vitals have been taken since the last dose.")
        self.assertFalse(Discharge.objects.exists())
        event = AuditEvent.objects.get(action="dosing.discharge_refused")
        self.assertIn("vitals_within_parameters", event.detail["unmet"])

    def test_it_blocks_discharge_with_out_of_range_discharge_vitals(self) -> None:
        self._discharge_vitals(**HIGH_BP)

        response = self._post(**CHECKED)

        self.assertContains(response, "Discharge is blocked")
        self.assertFalse(Discharge.objects.exists())
        event = AuditEvent.objects.get(action="dosing.discharge_refused")
        self.assertEqual(event.detail["unmet"], ["vitals_within_parameters"])

    def test_it_judges_only_the_latest_discharge_set(self) -> None:
        add_vitals(self.record, self.therapist, phase="discharge", minutes_ago=10, **HIGH_BP)
        self._discharge_vitals()

        self.assertEqual(services.discharge_vitals_check(self.record)[0], True)

    def test_it_discharges_with_a_criterion_unmet_when_a_reason_is_documented(self) -> None:
        self._discharge_vitals()
        reason = "Escort waiting in the car park; walked the client out."

        response = self._post(
            alert_and_oriented="on",
            walks_steadily="on",
            told_no_driving="on",
            exception_reason=reason,
        )

        self.assertRedirects(response, reverse("dosing:record", args=[self.record.pk]))
        done = Discharge.objects.get()
        self.assertFalse(done.escort_present)
        self.assertTrue(done.vitals_within_parameters)
        self.assertEqual(done.exception_reason, reason)
        event = AuditEvent.objects.get(action="dosing.discharge")
        self.assertEqual(event.detail["unmet"], ["escort_present"])

    def test_it_discharges_and_completes_the_session_when_every_criterion_is_met(self) -> None:
        self._discharge_vitals()
        mail.outbox.clear()
        when = ago(1)

        with self.captureOnCommitCallbacks(execute=True):
            self._post(discharged_at=local(when), **CHECKED)

        done = Discharge.objects.get()
        self.assertEqual(done.discharged_at, when)
        self.assertEqual(done.discharged_by, self.therapist)
        self.assertEqual(done.exception_reason, "")
        session = self.ready.session
        session.refresh_from_db()
        self.assertEqual(session.status, SessionStatus.COMPLETED)
        self.assertIsNotNone(session.completed_at)
        self.assertTrue(mail.outbox)
        self.assertNotIn(self.ready.client.last_name, mail.outbox[0].body)

    def test_it_discharges_without_a_dose(self) -> None:
        _, record = open_record(self.therapist, self.prescriber, self.partner)
        # Before a dose only a baseline can be taken; with no dose it is the latest set.
        add_vitals(record, self.therapist, phase="baseline", minutes_ago=3)

        done = services.record_discharge(
            actor=actor_as(self.therapist),
            record=record,
            ticks=services.DischargeTicks(**dict.fromkeys(CHECKED, True)),
            discharged_at=ago(1),
        )

        self.assertTrue(done.vitals_within_parameters)

    def test_it_refuses_changes_after_discharge(self) -> None:
        self._discharge_vitals()
        self._post(**CHECKED)

        with self.assertRaises(services.DosingError):
            add_vitals(self.record, self.therapist, phase="monitoring", minutes_ago=0)
        response = self._post(**CHECKED)

        self.assertEqual(Discharge.objects.count(), 1)
        # Only the 40-minute check from before the discharge.
        self.assertEqual(VitalSigns.objects.filter(phase="monitoring").count(), 1)
        self.assertEqual(response.status_code, 200)

    def test_it_refuses_a_discharge_time_before_the_dose(self) -> None:
        self._discharge_vitals()

        response = self._post(discharged_at=local(ago(150)), **CHECKED)

        self.assertContains(response, "cannot be before the dose")
        self.assertFalse(Discharge.objects.exists())

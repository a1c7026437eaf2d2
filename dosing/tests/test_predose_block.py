from __future__ import annotations

from typing import Any

from django.urls import reverse

from dosing import services
from dosing.models import Administration, PrescriberContact
from dosing.tests.support import (
    HIGH_BP,
    actor_as,
    add_vitals,
    ago,
    give_dose,
    local,
    open_record,
    post_data,
    predose_done,
)
from pathways.testing import BaseTestCase


class PredoseBlockTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        predose_done(self.record)
        self.client.force_login(self.therapist)

    def _contact(self, proceed: bool, minutes_ago: int = 10) -> PrescriberContact:
        return services.prescriber_contact_add(
            actor=actor_as(self.therapist),
            record=self.record,
            contacted_at=ago(minutes_ago),
            prescriber_name="Dr Priya Rao",
            instruction="Recheck in 10 minutes.",
            proceed=proceed,
        )

    def _post_dose(self) -> Any:
        data = post_data(
            "dose",
            dose_mg="100",
            given_at=local(ago(1)),
            given_by=self.therapist.pk,
            witnessed_by=self.admin.pk,
        )
        return self.client.post(reverse("dosing:dose", args=[self.record.pk]), data, follow=True)

    def test_it_blocks_the_dose_after_an_out_of_range_baseline(self) -> None:
        add_vitals(self.record, self.therapist, minutes_ago=20, **HIGH_BP)

        ok, reasons = services.dosing_clearance(self.record)
        response = self._post_dose()

        self.assertFalse(ok)
        self.assertIn("Systolic BP 152 is above", reasons[0])
        self.assertContains(response, "Dosing is blocked")
        self.assertContains(response, "The latest pre-dose vitals are out of range")
        self.assertFalse(Administration.objects.exists())

    def test_it_unblocks_after_an_in_range_recheck(self) -> None:
        add_vitals(self.record, self.therapist, minutes_ago=20, **HIGH_BP)
        add_vitals(self.record, self.therapist, phase="recheck", minutes_ago=10)

        response = self._post_dose()

        self.assertEqual(services.dosing_clearance(self.record), (True, []))
        self.assertContains(response, "Dose recorded: 100 mg (prescription v1).")
        self.assertEqual(Administration.objects.get().dose_mg, 100)

    def test_it_stays_blocked_after_an_out_of_range_recheck(self) -> None:
        add_vitals(self.record, self.therapist, minutes_ago=20)
        add_vitals(self.record, self.therapist, phase="recheck", minutes_ago=10, **HIGH_BP)

        ok, _ = services.dosing_clearance(self.record)

        self.assertFalse(ok)

    def test_it_unblocks_when_the_prescriber_approves_dosing(self) -> None:
        add_vitals(self.record, self.therapist, minutes_ago=20, **HIGH_BP)
        self._contact(proceed=True)

        response = self._post_dose()

        self.assertEqual(services.dosing_clearance(self.record), (True, []))
        self.assertEqual(Administration.objects.count(), 1)
        self.assertContains(response, "dosing approved")

    def test_it_stays_blocked_when_the_prescriber_does_not_approve(self) -> None:
        add_vitals(self.record, self.therapist, minutes_ago=20, **HIGH_BP)
        self._contact(proceed=False)

        ok, reasons = services.dosing_clearance(self.record)
        self._post_dose()

        self.assertFalse(ok)
        self.assertIn("did not approve", reasons[0])
        self.assertFalse(Administration.objects.exists())

    def test_an_approval_does_not_cover_a_later_out_of_range_recheck(self) -> None:
        add_vitals(self.record, self.therapist, minutes_ago=30, **HIGH_BP)
        self._contact(proceed=True, minutes_ago=25)
        add_vitals(self.record, self.therapist, phase="recheck", minutes_ago=20, systolic=160)

        ok, _ = services.dosing_clearance(self.record)

        self.assertFalse(ok)

    def test_it_records_the_contact_through_the_form(self) -> None:
        add_vitals(self.record, self.therapist, minutes_ago=20, **HIGH_BP)
        page = self.client.get(reverse("dosing:record", args=[self.record.pk]))
        self.assertContains(page, "Prescriber contacted about the out-of-range vitals")
        data = post_data(
            "contact",
            topic="vitals",
            contacted_at=local(ago(5)),
            prescriber_name="Dr Priya Rao",
            instruction="Proceed; recheck at 40 minutes.",
            proceed="yes",
        )

        self.client.post(reverse("dosing:contact", args=[self.record.pk]), data)

        contact = PrescriberContact.objects.get()
        self.assertTrue(contact.proceed)
        self.assertEqual(contact.vitals, self.record.vitals.get())
        self.assertEqual(contact.recorded_by, self.therapist)

    def test_it_refuses_a_contact_when_the_vitals_are_in_range(self) -> None:
        add_vitals(self.record, self.therapist, minutes_ago=20)

        with self.assertRaises(services.DosingError):
            self._contact(proceed=True)

    def test_it_blocks_the_dose_until_the_predose_checks_are_recorded(self) -> None:
        predose_done(self.record, fasting_hours=None, intention="")
        add_vitals(self.record, self.therapist, minutes_ago=20)

        ok, reasons = services.dosing_clearance(self.record)
        with self.assertRaises(services.DosingError):
            give_dose(self.record, self.therapist, self.admin, minutes_ago=1)

        self.assertFalse(ok)
        self.assertEqual(
            reasons,
            [
                "The hours since the client last ate and drank are not recorded.",
                "The client's intention is not recorded.",
            ],
        )

    def test_it_blocks_the_dose_without_baseline_vitals(self) -> None:
        ok, reasons = services.dosing_clearance(self.record)

        self.assertFalse(ok)
        self.assertEqual(reasons, ["No baseline vitals are recorded."])

"""Issue 9: each dosing write checks its own values, so that a caller that skips the
form (another app, a script, a crafted call) cannot store what the form refuses:
hours, readings and amounts out of range or finer than their column, an unknown
choice, a required text left empty, or a text longer than its column."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from django.utils import timezone

from audit.models import AuditEvent
from dosing import services
from dosing.models import (
    Addendum,
    Administration,
    AdverseEvent,
    Discharge,
    DosingRecord,
    PrescriberContact,
    SessionNote,
    VitalSigns,
)
from dosing.tests.support import (
    HIGH_BP,
    actor_as,
    add_vitals,
    ago,
    cleared,
    give_dose,
    open_record,
    predose_done,
)
from pathways.testing import BaseTestCase

PREDOSE = services.PredoseChecks(
    fasting_hours=Decimal("5"),
    fasting_liquids_hours=Decimal("3"),
    holds_answers={"Benzodiazepines": "held"},
    escort_name="Walter Skinner",
    escort_phone="(555) 010-0150",
    intention="To meet the grief with kindness.",
)


class ValuesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        self.actor = actor_as(self.therapist)

    def refused(self, write: Any, **values: Any) -> str:
        with self.assertRaises(services.DosingError) as refused:
            write(actor=self.actor, record=self.record, **values)
        return str(refused.exception)


class PredoseValuesTests(ValuesTestCase):
    def test_it_refuses_fasting_hours_out_of_range_or_finer_than_a_tenth(self) -> None:
        for name in ("fasting_hours", "fasting_liquids_hours"):
            for bad in ("-0.5", "48.5", "5.25", "NaN"):
                with self.subTest(name=name, hours=bad):
                    changes: dict[str, Any] = {name: Decimal(bad)}
                    checks = dataclasses.replace(PREDOSE, **changes)

                    text = self.refused(services.predose_save, checks=checks)

                    self.assertIn("from 0 to 48, to a tenth of an hour", text)
        self.assert_nothing_stored()

    def test_it_refuses_an_escort_phone_without_enough_digits(self) -> None:
        for bad in ("555-01", "1" * 16):
            with self.subTest(phone=bad):
                checks = dataclasses.replace(PREDOSE, escort_phone=bad)

                text = self.refused(services.predose_save, checks=checks)

                self.assertIn("escort's phone number with area code", text)
        self.assert_nothing_stored()

    def test_it_refuses_texts_longer_than_their_columns(self) -> None:
        for name, limit in (("escort_name", 120), ("escort_phone", 32), ("intention", 2000)):
            with self.subTest(name=name):
                changes: dict[str, Any] = {name: "5" * (limit + 1)}
                checks = dataclasses.replace(PREDOSE, **changes)

                text = self.refused(services.predose_save, checks=checks)

                self.assertIn(f"too long: at most {limit} characters", text)
        self.assert_nothing_stored()

    def test_it_stores_the_checks_at_the_ends_of_the_ranges(self) -> None:
        checks = dataclasses.replace(
            PREDOSE, fasting_hours=Decimal("48"), fasting_liquids_hours=Decimal("0")
        )

        services.predose_save(actor=self.actor, record=self.record, checks=checks)

        stored = DosingRecord.objects.get(pk=self.record.pk)
        self.assertEqual(stored.fasting_hours, Decimal("48"))
        self.assertTrue(stored.fasting_confirmed)

    def assert_nothing_stored(self) -> None:
        stored = DosingRecord.objects.get(pk=self.record.pk)
        self.assertIsNone(stored.predose_checked_at)
        self.assertIsNone(stored.fasting_hours)
        self.assertFalse(AuditEvent.objects.filter(action="dosing.predose").exists())


class RiskCheckValuesTests(ValuesTestCase):
    def test_it_refuses_a_note_longer_than_its_column(self) -> None:
        text = self.refused(
            services.risk_check_save, method="cssrs", outcome="risk", note="x" * 2001
        )

        self.assertIn("at most 2000 characters", text)
        self.assertIsNone(DosingRecord.objects.get(pk=self.record.pk).risk_check_at)
        self.assertFalse(AuditEvent.objects.filter(action="dosing.risk_check").exists())


class PrescriberContactValuesTests(ValuesTestCase):
    def setUp(self) -> None:
        super().setUp()
        predose_done(self.record)
        add_vitals(self.record, self.therapist, minutes_ago=10, **HIGH_BP)

    def contact(self, **changes: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "contacted_at": ago(5),
            "prescriber_name": "Dr Priya Rao",
            "instruction": "Recheck in 10 minutes.",
            "proceed": False,
        }
        return {**values, **changes}

    def test_it_refuses_an_unknown_topic(self) -> None:
        text = self.refused(services.prescriber_contact_add, **self.contact(topic="weather"))

        self.assertIn("what the prescriber was contacted about", text)
        self.assertFalse(PrescriberContact.objects.exists())

    def test_it_needs_the_prescriber_and_what_they_said(self) -> None:
        for name, words in (
            ("prescriber_name", "Name the prescriber"),
            ("instruction", "what the prescriber said"),
        ):
            with self.subTest(name=name):
                text = self.refused(services.prescriber_contact_add, **self.contact(**{name: " "}))

                self.assertIn(words, text)
        self.assertFalse(PrescriberContact.objects.exists())

    def test_it_refuses_texts_longer_than_their_columns(self) -> None:
        for name, limit in (("prescriber_name", 120), ("instruction", 2000)):
            with self.subTest(name=name):
                changes = {name: "x" * (limit + 1)}

                text = self.refused(services.prescriber_contact_add, **self.contact(**changes))

                self.assertIn(f"at most {limit} characters", text)
        self.assertFalse(PrescriberContact.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="dosing.prescriber_contact").exists())


class VitalsValuesTests(ValuesTestCase):
    def test_it_refuses_readings_no_monitor_gives(self) -> None:
        for name, bad, words in (
            ("systolic", 300, "Systolic BP is recorded from 50 to 260 mmHg"),
            ("diastolic", 20, "Diastolic BP is recorded from 30 to 180 mmHg"),
            ("heart_rate", 0, "Heart rate is recorded from 20 to 250/min"),
            ("spo2", 101, "SpO2 is recorded from 50 to 100%"),
            ("spo2", "98", "SpO2 is recorded from 50 to 100%"),
        ):
            with self.subTest(name=name, value=bad):
                with self.assertRaises(services.DosingError) as refused:
                    reading: dict[str, Any] = {name: bad}
                    add_vitals(self.record, self.therapist, **reading)

                self.assertIn(words, str(refused.exception))
        self.assertFalse(VitalSigns.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="dosing.vitals_add").exists())

    def test_it_refuses_notes_longer_than_their_column(self) -> None:
        with self.assertRaises(services.DosingError) as refused:
            add_vitals(self.record, self.therapist, notes="x" * 2001)

        self.assertIn("at most 2000 characters", str(refused.exception))
        self.assertFalse(VitalSigns.objects.exists())

    def test_it_stores_readings_at_the_ends_of_the_ranges(self) -> None:
        vitals, flags = add_vitals(
            self.record, self.therapist, systolic=260, diastolic=30, heart_rate=20, spo2=100
        )

        self.assertEqual((vitals.systolic, vitals.spo2), (260, 100))
        self.assertTrue(flags)  # stored, and flagged against the prescription's limits


class AmountValuesTests(ValuesTestCase):
    def test_it_refuses_an_amount_finer_than_a_tenth_of_a_mg_and_audits_it(self) -> None:
        cleared(self.record, self.therapist, minutes_ago=20)

        with self.assertRaises(services.DosingError) as refused:
            give_dose(self.record, self.therapist, self.admin, mg="99.95", minutes_ago=1)

        self.assertIn("to one decimal place", str(refused.exception))
        self.assertFalse(Administration.objects.exists())
        event = AuditEvent.objects.get(action="dosing.administer_refused")
        self.assertEqual(event.detail["failed"], ["amount"])


class AdverseEventValuesTests(ValuesTestCase):
    def report(self, **changes: Any) -> services.AdverseEventReport:
        report = services.AdverseEventReport(
            type="nausea",
            severity="mild",
            occurred_at=timezone.now(),
            action_taken="Ondansetron 4 mg.",
        )
        return dataclasses.replace(report, **changes)

    def test_it_refuses_an_unknown_type_or_an_other_without_a_description(self) -> None:
        for changes, words in (
            ({"type": "headache"}, "Choose the type of event"),
            ({"type": "other", "description": "  "}, "Describe the event"),
            ({"action_taken": ""}, "Write down the action taken"),
        ):
            with self.subTest(changes=changes):
                text = self.refused(services.adverse_event_add, report=self.report(**changes))

                self.assertIn(words, text)
        self.assert_nothing_stored()

    def test_it_refuses_texts_longer_than_their_columns(self) -> None:
        for name, limit in (
            ("description", 300),
            ("action_taken", 2000),
            ("rescue_medication", 120),
        ):
            with self.subTest(name=name):
                report = self.report(**{name: "x" * (limit + 1)})

                text = self.refused(services.adverse_event_add, report=report)

                self.assertIn(f"at most {limit} characters", text)
        self.assert_nothing_stored()

    def assert_nothing_stored(self) -> None:
        self.assertFalse(AdverseEvent.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="dosing.adverse_event").exists())


class DischargeValuesTests(ValuesTestCase):
    def test_it_refuses_a_reason_longer_than_its_column(self) -> None:
        ticks = services.DischargeTicks(
            alert_and_oriented=True, walks_steadily=True, escort_present=True, told_no_driving=True
        )

        text = self.refused(
            services.record_discharge,
            ticks=ticks,
            discharged_at=timezone.now(),
            exception_reason="x" * 2001,
        )

        self.assertIn("at most 2000 characters", text)
        self.assertFalse(Discharge.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action__startswith="dosing.discharge").exists())


class NoteValuesTests(ValuesTestCase):
    def test_it_refuses_a_part_of_the_note_longer_than_its_column(self) -> None:
        for name in ("data", "assessment", "plan"):
            with self.subTest(name=name):
                note = {"data": "D", "assessment": "A", "plan": "P", name: "x" * 10001}

                text = self.refused(services.note_save, **note)

                self.assertIn("at most 10000 characters", text)
        self.assertFalse(SessionNote.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="note.save").exists())

    def test_it_refuses_an_empty_or_overlong_addendum(self) -> None:
        services.note_save(
            actor=self.actor, record=self.record, data="D", assessment="A", plan="P"
        )
        services.note_sign(actor=self.actor, record=self.record)

        for text, words in (("  \n", "Write the addendum"), ("x" * 5001, "at most 5000")):
            with self.subTest(words=words):
                self.assertIn(words, self.refused(services.addendum_add, text=text))
        self.assertFalse(Addendum.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="note.addendum").exists())


class AfterTheDoseTests(ValuesTestCase):
    """The checks before the dose cannot be rewritten once it is given."""

    def setUp(self) -> None:
        super().setUp()
        cleared(self.record, self.therapist, minutes_ago=20)
        give_dose(self.record, self.therapist, self.admin, minutes_ago=5)
        self.before = DosingRecord.objects.get(pk=self.record.pk)

    def test_it_refuses_the_predose_checks_risk_check_and_contact_after_the_dose(self) -> None:
        for write, values, words in (
            (services.predose_save, {"checks": PREDOSE}, "part of the record"),
            (
                services.risk_check_save,
                {"method": "cssrs", "outcome": "no_risk", "note": ""},
                "recorded before the dose",
            ),
            (
                services.prescriber_contact_add,
                {
                    "contacted_at": ago(1),
                    "prescriber_name": "Dr Priya Rao",
                    "instruction": "Proceed.",
                    "proceed": True,
                },
                "recorded before the dose",
            ),
        ):
            with self.subTest(write=write.__name__):
                self.assertIn(words, self.refused(write, **values))
        after = DosingRecord.objects.get(pk=self.record.pk)
        self.assertEqual(after.predose_checked_at, self.before.predose_checked_at)
        self.assertEqual(after.risk_check_at, self.before.risk_check_at)
        self.assertFalse(PrescriberContact.objects.exists())

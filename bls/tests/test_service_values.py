"""Issue 9: the EMDR writes check their own values, so that a direct call stores
nothing the forms refuse: a phase outside 1–8, an unknown kind of stimulation, a
speed, a number of passes or seconds out of range, or a text longer than its
column. Each refusal names the field, so the page can show it beside it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from accounts.actor import Actor
from audit.models import AuditEvent
from bls import services
from bls.models import DesensitisationSet, EmdrRecord, PhaseMark
from pathways.testing import BaseTestCase

from .support import make_emdr_session

SET = services.SetEntry(bls_type="eyes", speed_hz=Decimal("1.0"), passes=24)


class ServiceValuesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_emdr_session(self.therapist, self.prescriber, self.partner).record
        self.actor = Actor.for_user(self.therapist)

    def refused(self, write: Any, **values: Any) -> dict[str, str]:
        with self.assertRaises(services.EmdrError) as caught:
            write(actor=self.actor, record=self.record, **values)
        return caught.exception.errors

    def reload(self) -> EmdrRecord:
        return EmdrRecord.objects.get(pk=self.record.pk)


class PhaseTests(ServiceValuesTestCase):
    def test_it_refuses_a_phase_outside_the_eight(self) -> None:
        for bad in (0, 9, True, "3"):
            with self.subTest(phase=bad):
                errors = self.refused(services.phase_mark, phase=bad)

                self.assertEqual(errors, {"phase": "Choose one of the 8 phases."})
        self.assertFalse(PhaseMark.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="emdr.phase_mark").exists())

    def test_it_marks_each_of_the_eight(self) -> None:
        for phase in range(1, 9):
            services.phase_mark(actor=self.actor, record=self.record, phase=phase)

        self.assertEqual(PhaseMark.objects.count(), 8)


class TextLengthTests(ServiceValuesTestCase):
    def test_it_refuses_an_assessment_text_longer_than_its_column(self) -> None:
        for name, limit in (("target_memory", 2000), ("negative_cognition", 200)):
            with self.subTest(name=name):
                changes: dict[str, Any] = {name: "x" * (limit + 1)}
                assessment = replace(services.Assessment.of(self.record), **changes)

                errors = self.refused(services.assessment_save, assessment=assessment)

                self.assertEqual(errors, {name: f"Shorten this to {limit} characters or fewer."})
        record = self.reload()
        self.assertEqual((record.target_memory, record.negative_cognition), ("", ""))
        self.assertFalse(AuditEvent.objects.filter(action="emdr.assessment_save").exists())

    def test_it_refuses_a_closing_text_longer_than_its_column(self) -> None:
        closing = replace(
            services.Closing.of(self.record),
            closure="incomplete",
            closure_reason="x" * 2001,
            body_scan="y" * 2001,
        )

        errors = self.refused(services.closing_save, closing=closing)

        self.assertEqual(set(errors), {"closure_reason", "body_scan"})
        record = self.reload()
        self.assertEqual((record.closure, record.body_scan), ("", ""))
        self.assertFalse(AuditEvent.objects.filter(action="emdr.closing_save").exists())


class SetValuesTests(ServiceValuesTestCase):
    def test_it_refuses_an_unknown_kind_of_stimulation(self) -> None:
        errors = self.refused(services.set_add, entry=replace(SET, bls_type="light"))

        self.assertEqual(errors, {"bls_type": "Choose eye movements, auditory or tactile."})
        self.assert_no_set()

    def test_it_refuses_a_speed_out_of_range_or_finer_than_a_tenth(self) -> None:
        for bad in ("0", "5.1", "1.25", "NaN"):
            with self.subTest(speed=bad):
                errors = self.refused(services.set_add, entry=replace(SET, speed_hz=Decimal(bad)))

                self.assertEqual(
                    errors, {"speed_hz": "Enter a speed from 0.1 to 5 Hz, to one decimal place."}
                )
        self.assert_no_set()

    def test_it_refuses_passes_or_seconds_out_of_range(self) -> None:
        for name, bad, message in (
            ("passes", 0, "Enter from 1 to 1000 passes."),
            ("passes", 1001, "Enter from 1 to 1000 passes."),
            ("seconds", 0, "Enter from 1 to 3600 seconds."),
            ("seconds", 3601, "Enter from 1 to 3600 seconds."),
        ):
            with self.subTest(name=name, value=bad):
                changes: dict[str, Any] = {name: bad}
                errors = self.refused(services.set_add, entry=replace(SET, **changes))

                self.assertEqual(errors, {name: message})
        self.assert_no_set()

    def test_it_refuses_a_report_or_interweave_longer_than_its_column(self) -> None:
        for name in ("client_report", "interweave"):
            with self.subTest(name=name):
                changes: dict[str, Any] = {name: "x" * 2001}
                errors = self.refused(services.set_add, entry=replace(SET, **changes))

                self.assertEqual(errors, {name: "Shorten this to 2000 characters or fewer."})
        self.assert_no_set()

    def test_it_logs_a_set_at_the_ends_of_the_ranges(self) -> None:
        for speed, passes, seconds in (("0.1", 1, 1), ("5", 1000, 3600)):
            entry = replace(SET, speed_hz=Decimal(speed), passes=passes, seconds=seconds)

            made = services.set_add(actor=self.actor, record=self.record, entry=entry)

            self.assertEqual((made.passes, made.seconds), (passes, seconds))

    def assert_no_set(self) -> None:
        self.assertFalse(DesensitisationSet.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="emdr.set_add").exists())

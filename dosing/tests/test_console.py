"""The dosing console (issue 11 §3): times that default to the moment of submit and
can be corrected, a refused time beside its field, a confirm before signing, the
sticky bar's numbers at a fixed clock, and only the current step open."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

from django.urls import reverse
from django.utils import timezone

from dosing import console
from dosing.models import SessionNote, VitalSigns
from dosing.tests.support import (
    IN_RANGE,
    add_vitals,
    ago,
    cleared,
    give_dose,
    local,
    open_record,
    post_data,
)
from dosing.vitals import suggested_next
from pathways.testing import BaseTestCase

NOTE = {"data": "Calm.", "assessment": "Tolerated well.", "plan": "Integration."}
T0 = dt.datetime(2026, 5, 4, 14, 0, tzinfo=dt.UTC)


class ConsoleTimeTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.therapist)
        self.url = reverse("dosing:vitals", args=[self.record.pk])

    def post_vitals(self, phase: str, taken_at: str) -> Any:
        return self.client.post(
            self.url, post_data("vitals", phase=phase, taken_at=taken_at, **IN_RANGE)
        )

    def test_it_takes_the_time_of_the_submit_for_an_empty_time(self) -> None:
        before = timezone.now()
        self.post_vitals("baseline", "")
        after = timezone.now()

        stored = VitalSigns.objects.get(record=self.record)
        self.assertLessEqual(before, stored.taken_at)
        self.assertLessEqual(stored.taken_at, after)

    def test_it_keeps_a_typed_time(self) -> None:
        typed = ago(12)

        self.post_vitals("baseline", local(typed))

        self.assertEqual(VitalSigns.objects.get(record=self.record).taken_at, typed)

    def test_it_shows_a_time_before_the_dose_beside_the_field_keeping_it(self) -> None:
        cleared(self.record, self.therapist, minutes_ago=40)
        give_dose(self.record, self.therapist, self.admin, minutes_ago=20)
        typed = local(ago(30))

        response = self.post_vitals("monitoring", typed)

        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        error = html.index('id="id_vitals-taken_at_error"')
        self.assertIn("A set after the dose cannot be timed before it.", html[error : error + 200])
        self.assertContains(response, f'value="{typed}"')
        self.assertContains(response, 'aria-invalid="true"')
        self.assertFalse(VitalSigns.objects.filter(phase="monitoring").exists())

    def test_it_shows_a_time_in_the_future_beside_the_field(self) -> None:
        typed = local(timezone.now() + dt.timedelta(hours=2))

        response = self.post_vitals("baseline", typed)

        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        error = html.index('id="id_vitals-taken_at_error"')
        self.assertIn("cannot be in the future", html[error : error + 200])
        self.assertFalse(VitalSigns.objects.exists())

    def test_it_shows_a_dose_timed_before_the_baseline_beside_its_field(self) -> None:
        cleared(self.record, self.therapist, minutes_ago=10)
        data = {"dose_mg": "100", "given_at": local(ago(20)), "given_by": self.therapist.pk}
        data["witnessed_by"] = self.admin.pk

        response = self.client.post(
            reverse("dosing:dose", args=[self.record.pk]), post_data("dose", **data)
        )

        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        error = html.index('id="id_dose-given_at_error"')
        self.assertIn("before the pre-dose vitals", html[error : error + 300])
        # The step with the error is open, so that the error is seen.
        self.assertRegex(html, r'id="step-dose" open')

    def test_every_time_field_starts_empty_with_the_hint(self) -> None:
        cleared(self.record, self.therapist, minutes_ago=10)

        response = self.client.get(reverse("dosing:record", args=[self.record.pk]))

        html = response.content.decode()
        for name in (
            "vitals-taken_at",
            "dose-given_at",
            "ae-occurred_at",
            "discharge-discharged_at",
        ):
            start = html.index(f'name="{name}"')
            tag = html[html.rindex("<input", 0, start) : html.index(">", start)]
            self.assertNotIn("value=", tag, name)
            self.assertIn(f'id="id_{name}_helptext"', html)
        self.assertContains(response, "Leave empty for now", count=4)


class SignConfirmTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.therapist)
        self.client.post(reverse("dosing:note", args=[self.record.pk]), post_data("note", **NOTE))
        self.url = reverse("dosing:note_sign", args=[self.record.pk])

    def test_it_refuses_to_sign_without_the_confirm(self) -> None:
        response = self.client.post(self.url, follow=True)

        self.assertFalse(SessionNote.objects.get().is_signed)
        self.assertContains(response, "Not signed: confirm")

    def test_it_signs_with_the_confirm(self) -> None:
        self.client.post(self.url, {"confirm": "yes"})

        self.assertTrue(SessionNote.objects.get().is_signed)

    def test_the_page_offers_the_shared_confirm(self) -> None:
        response = self.client.get(reverse("dosing:record", args=[self.record.pk]))

        self.assertContains(response, '<details class="confirm"')
        self.assertContains(response, 'name="confirm" value="yes"')
        self.assertContains(response, "Yes, sign and lock the note")


class BarTests(BaseTestCase):
    def bar(self, now: dt.datetime, taken: list[int], discharged: bool = False) -> console.Bar:
        dose_at = T0
        suggestion = suggested_next(
            [T0 + dt.timedelta(minutes=m) for m in taken], dose_at, discharged
        )
        return console.console_bar(
            now=now,
            dose_at=dose_at,
            suggestion=suggestion,
            discharged=discharged,
            cleared=True,
            gate_failed=0,
            clearance_reasons=0,
        )

    def test_it_counts_the_minutes_since_the_dose_and_the_next_set_due(self) -> None:
        bar = self.bar(T0 + dt.timedelta(minutes=50, seconds=30), taken=[-10, 40])

        self.assertEqual(bar.minutes_since_dose, 50)
        self.assertEqual(bar.next_due, T0 + dt.timedelta(minutes=55))
        self.assertFalse(bar.overdue)
        self.assertEqual(bar.overdue_minutes, 0)
        self.assertEqual(bar.gate, "dosed")
        self.assertEqual(bar.due_iso, "2026-05-04T14:55:00+00:00")

    def test_it_is_overdue_past_the_next_set(self) -> None:
        bar = self.bar(T0 + dt.timedelta(minutes=62), taken=[-10, 40])

        self.assertTrue(bar.overdue)
        self.assertEqual(bar.overdue_minutes, 7)

    def test_it_is_overdue_only_a_whole_minute_late(self) -> None:
        bar = self.bar(T0 + dt.timedelta(minutes=55, seconds=30), taken=[-10, 40])

        self.assertFalse(bar.overdue)

    def test_the_peak_check_is_due_about_40_minutes_after_the_dose(self) -> None:
        bar = self.bar(T0 + dt.timedelta(minutes=30), taken=[-10, 25])

        self.assertEqual(bar.next_due, T0 + dt.timedelta(minutes=40))

    def test_nothing_is_overdue_once_discharged(self) -> None:
        bar = self.bar(T0 + dt.timedelta(minutes=200), taken=[-10, 40], discharged=True)

        self.assertFalse(bar.overdue)
        self.assertEqual(bar.gate, "discharged")
        self.assertEqual(bar.due_iso, "")

    def test_the_gate_is_closed_before_the_dose_while_not_cleared(self) -> None:
        bar = console.console_bar(
            now=T0,
            dose_at=None,
            suggestion=suggested_next([], None),
            discharged=False,
            cleared=False,
            gate_failed=1,
            clearance_reasons=2,
        )

        self.assertEqual(bar.gate, "closed")
        self.assertEqual(bar.gate_text, "Closed: 3 items to resolve")
        self.assertIsNone(bar.minutes_since_dose)
        self.assertFalse(bar.overdue)

    def test_the_page_shows_the_bar_at_a_fixed_clock(self) -> None:
        _ready, record = open_record(self.therapist, self.prescriber, self.partner)
        cleared(record, self.therapist, minutes_ago=80)
        dose = give_dose(record, self.therapist, self.admin, minutes_ago=75)
        add_vitals(record, self.therapist, phase="monitoring", minutes_ago=35)
        fixed = dose.given_at + dt.timedelta(minutes=75, seconds=10)
        due = dose.given_at + dt.timedelta(minutes=40 + 15)  # the set at +40, then 15 min
        self.client.force_login(self.therapist)

        with mock.patch("dosing.queries.timezone.now", return_value=fixed):
            response = self.client.get(reverse("dosing:record", args=[record.pk]))

        html = response.content.decode()
        self.assertIn('class="console-bar is-overdue"', html)
        self.assertIn("<strong data-since-dose>75</strong> min", html)
        self.assertIn(f'data-due-at="{due.isoformat(timespec="seconds")}"', html)
        self.assertIn("Vitals overdue", html)
        self.assertIn("by <span data-overdue-minutes>20</span> min", html)
        self.assertIn('role="status"', html)


class StepTests(BaseTestCase):
    def test_only_the_current_step_is_open(self) -> None:
        _ready, record = open_record(self.therapist, self.prescriber, self.partner)
        cleared(record, self.therapist, minutes_ago=80)
        give_dose(record, self.therapist, self.admin, minutes_ago=75)
        self.client.force_login(self.therapist)

        html = self.client.get(reverse("dosing:record", args=[record.pk])).content.decode()

        self.assertIn('id="step-monitoring" open', html)
        for key in ("before", "dose", "discharge", "note"):
            self.assertIn(f'id="step-{key}">', html)
        self.assertIn('aria-current="step"><a href="#step-monitoring">', html)

    def test_the_steps_follow_the_state(self) -> None:
        def current(
            dosed: bool = False,
            discharged: bool = False,
            cleared: bool = False,
            discharge_ready: bool = False,
        ) -> str:
            made = console.steps(
                dosed=dosed,
                discharged=discharged,
                cleared=cleared,
                discharge_ready=discharge_ready,
                note_signed=False,
            )
            return next(s.key for s in made if s.open)

        self.assertEqual(current(), console.BEFORE)
        self.assertEqual(current(cleared=True), console.DOSE)
        self.assertEqual(current(dosed=True), console.MONITORING)
        self.assertEqual(current(dosed=True, discharge_ready=True), console.DISCHARGE)
        self.assertEqual(current(dosed=True, discharged=True), console.NOTE)
        early = console.steps(
            dosed=False, discharged=True, cleared=False, discharge_ready=False, note_signed=False
        )
        self.assertEqual([s.state for s in early][1:3], ["skipped", "skipped"])

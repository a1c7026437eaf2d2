"""The planned end of reprocessing (issue 12 §3): the therapist sets it on the EMDR
record; a dose whose expected peak falls after it is flagged; before the dose, the
record says where a dose given now would peak against it. Bad input is answered
beside the field and keeps what was typed."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from accounts.actor import Actor
from audit.models import AuditEvent
from bls import services
from bls.dose_window import peak_position, planned_peak
from bls.models import EmdrRecord
from dosing.effect_window import PLANNING_NOTE
from pathways.testing import BaseTestCase

from .support import give, make_emdr_session

T0 = dt.datetime(2026, 5, 4, 14, 0, tzinfo=dt.UTC)


def test_a_peak_after_the_planned_end_is_flagged() -> None:
    # Sublingual: expected peak 45 min after the dose (clinical-reference.md).
    position = peak_position(
        dose_at=T0, route="sublingual", marks=[], planned_end=T0 + dt.timedelta(minutes=40)
    )

    assert position is not None
    assert position.after_planned_end
    assert "after the planned end of reprocessing at" in position.line


def test_a_peak_before_the_planned_end_is_not_flagged() -> None:
    position = peak_position(
        dose_at=T0, route="sublingual", marks=[], planned_end=T0 + dt.timedelta(minutes=45)
    )

    assert position is not None
    assert not position.after_planned_end
    assert "planned end" not in position.line


def test_a_dose_now_is_placed_against_the_planned_end() -> None:
    late = planned_peak(now=T0, route="intranasal", planned_end=T0 + dt.timedelta(minutes=10))
    early = planned_peak(now=T0, route="intranasal", planned_end=T0 + dt.timedelta(minutes=30))

    # Intranasal: expected peak 18 min after the dose.
    assert late is not None
    assert late.after_planned_end
    assert "about 8 min after the planned end" in late.line
    assert early is not None
    assert not early.after_planned_end
    assert "before the planned end" in early.line
    assert planned_peak(now=T0, route="intranasal", planned_end=None) is None
    assert planned_peak(now=T0, route="unknown", planned_end=T0) is None


class PlannedEndTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record
        self.url = reverse("bls:planned_end", args=[self.record.pk])
        self.page = reverse("bls:record", args=[self.record.pk])

    def local(self, at: dt.datetime) -> str:
        return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")

    def test_it_saves_the_planned_end_and_audits_it(self) -> None:
        self.client.force_login(self.therapist)
        end = (self.emdr.start + dt.timedelta(minutes=90)).replace(second=0)

        response = self.client.post(self.url, {"planned_reprocessing_end": self.local(end)})

        assert response.status_code == 302
        assert response["Location"].endswith("#dose-window")
        self.record.refresh_from_db()
        assert self.record.planned_reprocessing_end == end
        event = AuditEvent.objects.get(action="emdr.plan_reprocessing_end")
        assert event.client_id == self.emdr.client.pk
        assert event.detail == {"fields": ["planned_reprocessing_end"]}

    def test_it_flags_a_given_dose_whose_peak_falls_after_the_plan(self) -> None:
        give(self.emdr.session, self.therapist, self.emdr.start + dt.timedelta(minutes=30))
        EmdrRecord.objects.filter(pk=self.record.pk).update(
            planned_reprocessing_end=self.emdr.start + dt.timedelta(minutes=60)
        )
        self.client.force_login(self.therapist)

        html = self.client.get(self.page).content.decode()

        # Dose at 30 min, sublingual peak 45 min later: at 75 min, after the plan at 60.
        self.assertIn('id="peak-plan-flag"', html)
        self.assertIn("after the planned end of reprocessing at", html)
        self.assertNotIn('id="planned-peak"', html)  # the dose is given: no "if dosed now"

    def test_before_the_dose_it_says_where_a_dose_now_would_peak(self) -> None:
        EmdrRecord.objects.filter(pk=self.record.pk).update(
            planned_reprocessing_end=timezone.now() + dt.timedelta(minutes=20)
        )
        self.client.force_login(self.therapist)

        html = self.client.get(self.page).content.decode()

        # The prescription is sublingual: a dose now peaks in 45 min, after the plan.
        self.assertIn('id="planned-peak"', html)
        self.assertIn("A dose given now (sublingual)", html)
        self.assertIn('id="planned-peak-flag"', html)
        self.assertIn(PLANNING_NOTE, html)

    def test_it_answers_bad_input_beside_the_field_and_keeps_it(self) -> None:
        self.client.force_login(self.therapist)
        for typed, message in (
            ("2026-13-40T99:99", "Enter a date and time"),
            ("9999-12-31T23:59", "The planned end must be within a day of the session."),
            ("0001-01-01T00:00", ""),
        ):
            response = self.client.post(self.url, {"planned_reprocessing_end": typed})

            assert response.status_code == 200, typed
            html = response.content.decode()
            self.assertIn(message, html)
            self.assertIn('aria-invalid="true"', html)
            self.assertIn(f'value="{typed}"', html)
        self.record.refresh_from_db()
        assert self.record.planned_reprocessing_end is None

    def test_an_empty_field_clears_the_plan(self) -> None:
        EmdrRecord.objects.filter(pk=self.record.pk).update(
            planned_reprocessing_end=self.emdr.start
        )
        self.client.force_login(self.therapist)

        self.client.post(self.url, {"planned_reprocessing_end": ""})

        self.record.refresh_from_db()
        assert self.record.planned_reprocessing_end is None

    def test_the_service_refuses_a_naive_or_far_time(self) -> None:
        for value in (dt.datetime(2026, 5, 4, 14, 0), self.emdr.start + dt.timedelta(days=3)):  # noqa: DTZ001
            with self.assertRaises(services.EmdrError) as caught:
                services.record_plan_reprocessing_end(
                    actor=Actor.for_user(self.therapist), record=self.record, planned_end=value
                )
            assert "planned_reprocessing_end" in caught.exception.errors

    def test_another_therapist_gets_404_and_nothing_changes(self) -> None:
        self.client.force_login(self.therapist2)

        response = self.client.post(self.url, {"planned_reprocessing_end": ""})

        assert response.status_code == 404
        assert not AuditEvent.objects.filter(action="emdr.plan_reprocessing_end").exists()

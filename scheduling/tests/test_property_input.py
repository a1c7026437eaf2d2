"""Property tests of the scheduling forms (issue 10 §5): whatever is typed into the
booking, moving and calendar forms, cleaning never raises, and whatever is accepted
falls on a day in the booking range with a plausible length. A few posts go through
the views too: never a 5xx, and every stored appointment is in the range."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from clients.models import Client
from common.dates import appointment_days, plausible
from common.tests.support import (
    choice_text,
    date_text,
    dates_in,
    number_text,
    time_text,
    valid_time,
    view_examples,
)
from pathways.testing import BaseTestCase, make_client, request_for
from scheduling.forms import AppointmentForm, CalendarForm, MoveForm
from scheduling.models import Appointment, AppointmentType
from scheduling.services import MAX_MINUTES, MIN_MINUTES

FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VIEWS = settings(
    max_examples=view_examples(), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# A length: mostly a whole number of minutes near the allowed ones, sometimes empty.
minutes = st.one_of(st.just(""), st.integers(0, 800).map(str), number_text)


def assert_plausible_times(case: BaseTestCase, cleaned: dict[str, Any]) -> None:
    starts, ends = cleaned["starts_at"], cleaned["ends_at"]
    case.assertIn(starts, appointment_days())
    case.assertGreaterEqual(ends - starts, dt.timedelta(minutes=MIN_MINUTES))
    case.assertLessEqual(ends - starts, dt.timedelta(minutes=MAX_MINUTES))


class SchedulingFormProperties(HypothesisTestCase, BaseTestCase):
    record: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.record = make_client(assigned_therapist=cls.therapist)

    @FAST
    @given(
        date=dates_in(appointment_days()),
        start=st.one_of(valid_time, time_text),
        duration=minutes,
        type_=choice_text(list(AppointmentType.values)),
    )
    def test_the_booking_form_accepts_only_days_in_range(
        self, date: str, start: str, duration: str, type_: str
    ) -> None:
        data = {
            "client": self.record.pk,
            "clinician": self.therapist.pk,
            "type": type_,
            "date": date,
            "start": start,
            "duration": duration,
            "room": "",
            "session": "",
        }
        form = AppointmentForm(request_for(self.therapist), data)
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            assert_plausible_times(self, form.cleaned_data)

    @FAST
    @given(
        date=dates_in(appointment_days()), start=st.one_of(valid_time, time_text), duration=minutes
    )
    def test_the_move_form_accepts_only_days_in_range(
        self, date: str, start: str, duration: str
    ) -> None:
        data = {
            "move-date": date,
            "move-start": start,
            "move-duration": duration,
            "move-clinician": self.therapist.pk,
            "move-room": "",
        }
        form = MoveForm(data)
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            assert_plausible_times(self, form.cleaned_data)

    @FAST
    @given(date=date_text, view=choice_text(["week", "day"]))
    def test_the_calendar_filter_accepts_only_plausible_days(self, date: str, view: str) -> None:
        form = CalendarForm({"date": date, "view": view, "clinician": self.therapist.pk})
        form.is_valid()
        day = form.cleaned_data.get("date")
        if day is not None:
            self.assertIn(day, plausible())

    @VIEWS
    @given(date=date_text, view=choice_text(["week", "day"]))
    def test_the_calendar_page_never_fails(self, date: str, view: str) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get("/staff/schedule/", {"date": date, "view": view})

        self.assertEqual(response.status_code, 200)

    @VIEWS
    @given(
        date=dates_in(appointment_days()), start=st.one_of(valid_time, time_text), duration=minutes
    )
    def test_booking_posts_never_fail_nor_store_a_day_out_of_range(
        self, date: str, start: str, duration: str
    ) -> None:
        self.client.force_login(self.therapist)
        data = {
            "client": self.record.pk,
            "clinician": self.therapist.pk,
            "type": AppointmentType.PSYCHOTHERAPY,
            "date": date,
            "start": start,
            "duration": duration,
            "room": "",
            "session": "",
        }

        response = self.client.post("/staff/schedule/new/", data)

        self.assertIn(response.status_code, (200, 302))
        days = appointment_days()
        for appt in Appointment.objects.all():
            self.assertIn(appt.starts_at, days)

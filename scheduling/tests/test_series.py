"""Weekly appointments booked as a series: all or nothing, and cancelled one at a time
or with the ones after."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.actor import Actor
from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_client
from scheduling.models import Appointment, AppointmentSeries, AppointmentStatus
from scheduling.services import (
    SchedulingError,
    SeriesClash,
    appointment_book_series,
    appointment_cancel,
)
from scheduling.tests.factories import make_appointment
from scheduling.tests.support import at, booking, form_data, future_day


class SeriesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.dana = make_client(
            first_name="Dana", last_name="Scully", assigned_therapist=self.therapist
        )
        self.fox = make_client(
            first_name="Fox", last_name="Mulder", assigned_therapist=self.therapist
        )
        self.day = future_day(weekday=2)
        self.actor = Actor.for_user(self.intake)

    def book(self, weeks: int) -> list[Appointment]:
        outcome = appointment_book_series(
            actor=self.actor,
            booking=booking(self.dana, self.therapist, at(self.day, "10:00")),
            weeks=weeks,
        )
        return outcome.booked

    def test_it_books_one_appointment_a_week_at_the_same_time(self) -> None:
        booked = self.book(6)

        assert len(booked) == 6
        series = AppointmentSeries.objects.get()
        assert series.weeks == 6
        for n, appt in enumerate(booked):
            assert appt.series == series
            assert appt.starts_at == at(self.day + dt.timedelta(weeks=n), "10:00")
            assert appt.ends_at - appt.starts_at == dt.timedelta(minutes=50)

    def test_it_books_nothing_when_one_week_clashes_and_names_the_weeks(self) -> None:
        week3 = self.day + dt.timedelta(weeks=2)
        week5 = self.day + dt.timedelta(weeks=4)
        make_appointment(self.fox, self.therapist, at(week3, "10:30"))
        make_appointment(self.fox, self.therapist, at(week5, "09:30"))

        with pytest.raises(SeriesClash) as refused:
            self.book(6)

        assert refused.value.refused == [f"{week3} 10:00", f"{week5} 10:00"]
        assert str(week3) in str(refused.value)
        assert str(week5) in str(refused.value)
        assert "Nothing was booked" in str(refused.value)
        assert "Mulder" not in str(refused.value)
        assert "clinician" in refused.value.clashes
        assert Appointment.objects.filter(client=self.dana).count() == 0
        assert AppointmentSeries.objects.count() == 0
        event = AuditEvent.objects.get(action="appointment.series_refused")
        assert event.detail == {"weeks": 6, "refused": 2, "clashes": ["clinician"]}

    def test_it_bounds_the_number_of_weeks(self) -> None:
        for weeks in (0, 27):
            with pytest.raises(SchedulingError) as refused:
                self.book(weeks)
            assert refused.value.field == "repeat"
        assert Appointment.objects.count() == 0

    def test_it_cancels_this_one_only(self) -> None:
        booked = self.book(4)

        appointment_cancel(actor=self.actor, appointment=booked[1], reason="Away")

        statuses = [a.status for a in Appointment.objects.order_by("starts_at")]
        assert statuses == ["scheduled", "cancelled", "scheduled", "scheduled"]

    def test_it_cancels_this_one_and_the_following(self) -> None:
        booked = self.book(4)

        appointment_cancel(
            actor=self.actor, appointment=booked[1], reason="Moving away", following=True
        )

        statuses = [a.status for a in Appointment.objects.order_by("starts_at")]
        assert statuses == ["scheduled", "cancelled", "cancelled", "cancelled"]
        assert AuditEvent.objects.filter(action="appointment.cancel").count() == 3

    def test_the_form_books_a_series_and_shows_a_refusal_beside_the_repeat(self) -> None:
        week2 = self.day + dt.timedelta(weeks=1)
        make_appointment(self.fox, self.therapist, at(week2, "10:00"))
        self.client.force_login(self.intake)
        data = form_data(self.dana, self.therapist, self.day, "10:00")

        refused = self.client.post("/staff/schedule/new/", {**data, "repeat": 3})

        assert refused.status_code == 200
        self.assertContains(refused, 'id="id_repeat_error"')
        self.assertContains(refused, f"{week2} 10:00")
        self.assertContains(refused, "Nothing was booked")
        self.assertContains(refused, 'value="3"')
        assert Appointment.objects.filter(client=self.dana).count() == 0

        booked = self.client.post(
            "/staff/schedule/new/", {**data, "start": "14:00", "repeat": 3}, follow=True
        )

        self.assertContains(booked, "3 weekly appointments booked.")
        assert Appointment.objects.filter(client=self.dana, series__isnull=False).count() == 3

    def test_the_cancel_form_offers_this_one_or_the_following(self) -> None:
        booked = self.book(3)
        self.client.force_login(self.intake)

        page = self.client.get(f"/staff/schedule/{booked[0].pk}/")
        self.assertContains(page, "This one and the following ones of the weekly series")

        self.client.post(
            f"/staff/schedule/{booked[0].pk}/cancel/",
            {"cancel-reason": "Course ended", "cancel-scope": "following"},
        )

        assert set(Appointment.objects.values_list("status", flat=True)) == {
            AppointmentStatus.CANCELLED
        }

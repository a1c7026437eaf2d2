"""Dates at the edges of the calendar (issue 10 §5): the staff schedule, booking and
moving answer with a message, never a 500, and the services refuse such a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.actor import Actor
from accounts.models import Role
from common.dates import appointment_days
from pathways.testing import PASSWORD, BaseTestCase, make_client, make_user
from scheduling import services
from scheduling.models import Appointment
from scheduling.tests.factories import make_appointment
from scheduling.tests.support import at, booking, form_data, future_day

CALENDAR = "/staff/schedule/"


class CalendarEdgeTests(BaseTestCase):
    def test_it_shows_today_with_a_message_for_a_date_at_either_end(self) -> None:
        self.client.force_login(self.therapist)

        for date in ("0001-01-01", "9999-12-31"):
            for view in ("week", "day"):
                with self.subTest(date=date, view=view):
                    response = self.client.get(CALENDAR, {"date": date, "view": view})

                    self.assertEqual(response.status_code, 200)
                    self.assertEqual(response.context["day"], timezone.localdate())
                    self.assertIn("date", response.context["form"].errors)
                    self.assertContains(response, 'id="id_date_error"')
                    self.assertContains(response, "Enter a date from 1 January 1900")

    def test_it_steps_from_the_last_plausible_day_without_failing(self) -> None:
        self.client.force_login(self.therapist)
        last = appointment_days().latest.replace(year=timezone.localdate().year + 10)

        response = self.client.get(CALENDAR, {"date": last.isoformat()})

        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["form"].errors)


class BookAndMoveEdgeTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(assigned_therapist=self.therapist)
        self.client.force_login(self.therapist)

    def test_it_refuses_to_book_9999_12_31_at_23_00_beside_the_date(self) -> None:
        data = form_data(self.record, self.therapist, dt.date(9999, 12, 31), "23:00")

        response = self.client.post("/staff/schedule/new/", data)

        self.assertEqual(response.status_code, 200)
        self.assertIn("date", response.context["form"].errors)
        self.assertContains(response, 'value="9999-12-31"')  # what was typed is kept
        self.assertFalse(Appointment.objects.exists())

    def test_it_refuses_to_book_0001_01_01(self) -> None:
        data = form_data(self.record, self.therapist, dt.date(1, 1, 1), "00:00")

        response = self.client.post("/staff/schedule/new/", data)

        self.assertEqual(response.status_code, 200)
        self.assertIn("date", response.context["form"].errors)
        self.assertFalse(Appointment.objects.exists())

    def test_it_refuses_to_move_to_9999_12_31_at_23_00(self) -> None:
        day = future_day()
        appt = make_appointment(self.record, self.therapist, at(day, "10:00"), minutes=60)
        data = {
            "move-date": "9999-12-31",
            "move-start": "23:00",
            "move-duration": "60",
            "move-clinician": self.therapist.pk,
            "move-room": "",
        }

        response = self.client.post(f"/staff/schedule/{appt.pk}/move/", data)

        self.assertEqual(response.status_code, 200)
        self.assertIn("date", response.context["move_form"].errors)
        appt.refresh_from_db()
        self.assertEqual(appt.starts_at, at(day, "10:00"))

    def test_the_services_refuse_a_day_outside_the_booking_range(self) -> None:
        actor = Actor.for_user(self.therapist)
        far = dt.datetime(9999, 12, 31, 23, tzinfo=timezone.get_default_timezone())
        old = dt.datetime(1, 1, 1, 12, tzinfo=dt.UTC)
        too_late = at(appointment_days().latest + dt.timedelta(days=1), "10:00")
        for starts_at in (far, old, too_late):
            with self.subTest(starts_at=starts_at), self.assertRaises(services.SchedulingError):
                services.appointment_book(
                    actor=actor, booking=booking(self.record, self.therapist, starts_at)
                )
        appt = make_appointment(self.record, self.therapist, at(future_day(), "10:00"))
        with self.assertRaises(services.SchedulingError) as raised:
            services.appointment_move(
                actor=actor,
                appointment=appt,
                starts_at=too_late,
                ends_at=too_late + dt.timedelta(hours=1),
                clinician=self.therapist,
                room=None,
            )
        self.assertEqual(raised.exception.field, "date")
        self.assertFalse(Appointment.objects.exclude(pk=appt.pk).exists())

    def test_it_still_books_within_the_range(self) -> None:
        day = future_day()
        data = form_data(self.record, self.therapist, day, "10:00")

        response = self.client.post("/staff/schedule/new/", data)

        self.assertEqual(response.status_code, 302)
        self.assertEqual(Appointment.objects.get().starts_at, at(day, "10:00"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_link_to_9999_12_31_shows_this_week_and_says_why(page: Any) -> None:
    make_user("theo", Role.THERAPIST, first_name="Theo", last_name="Quinn")
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill("theo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out theo")).to_be_visible()

    page.goto("/staff/schedule/?date=9999-12-31")

    date = page.get_by_label("Date")
    expect(date).to_have_value("9999-12-31")
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_date_error")).to_contain_text("Enter a date from 1 January 1900")
    expect(page.locator("#calendar")).to_contain_text("(today)")

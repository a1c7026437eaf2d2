"""The front desk books a KA-EMDR dosing session, sees it on the clinician's week,
is refused a double booking beside the form, moves the session, and marks the
client arrived."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from pathways.testing import PASSWORD, make_client, make_user
from scheduling.models import Appointment, AppointmentStatus
from scheduling.tests.factories import make_room
from scheduling.tests.support import at, future_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, username: str) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def fill_booking(page: Any, client: str, type_: str, day: str, start: str) -> None:
    page.goto("/staff/schedule/new/")
    page.get_by_label("Client").select_option(label=client)
    page.get_by_label("Appointment type").select_option(type_)
    page.get_by_label("Clinician").select_option(label="Theo Quinn")
    page.get_by_label("Room").select_option(label="Garden room")
    page.get_by_label("Date").fill(day)
    page.get_by_label("Start time").fill(start)
    page.get_by_role("button", name="Book the appointment").click()


def test_it_books_refuses_a_double_booking_moves_and_marks_arrived(page: Any) -> None:
    make_user("ivy", Role.INTAKE, first_name="Ivy")
    theo = make_user("theo", Role.THERAPIST, first_name="Theo", last_name="Quinn")
    make_client(first_name="Wren", last_name="Halloway", assigned_therapist=theo)
    make_client(first_name="Sam", last_name="Rivers", assigned_therapist=theo)
    make_room("Garden room")
    day = future_day(weekday=2)

    # Intake books a KA-EMDR dosing session: three hours by default.
    sign_in(page, "ivy")
    fill_booking(page, "Halloway, Wren", "ka_emdr_dosing", day.isoformat(), "09:00")
    expect(page.get_by_role("status")).to_contain_text("Appointment booked.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("KA-EMDR dosing appointment")
    expect(page.locator(".facts")).to_contain_text("09:00–12:00")
    appointment_url = page.url

    # It is on Theo's week, in its day's column.
    page.get_by_role("link", name=re.compile("Theo Quinn's week")).click()
    calendar = page.locator("#calendar")
    expect(calendar).to_contain_text("Wren Halloway")
    expect(calendar).to_contain_text("KA-EMDR dosing")
    expect(calendar.get_by_role("heading", name=re.compile(day.strftime("%a")))).to_be_visible()

    # Booking Theo again at 10:00 is refused, beside the form, with the input kept.
    fill_booking(page, "Rivers, Sam", "psychotherapy", day.isoformat(), "10:00")
    expect(page.locator("#error-summary")).to_contain_text("This time is already taken.")
    expect(page.locator("#id_clinician_error")).to_contain_text("Theo Quinn is already booked")
    expect(page.get_by_label("Start time")).to_have_value("10:00")
    expect(page.locator("#error-summary")).not_to_contain_text("Halloway")
    assert Appointment.objects.count() == 1

    # The session moves to the afternoon.
    page.goto(appointment_url)
    page.get_by_label("New start time").fill("13:00")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Appointment moved.")
    expect(page.locator(".facts")).to_contain_text("13:00–16:00")

    # On the day, the client arrives.
    page.get_by_role("button", name="Mark arrived").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Arrived")

    appt = Appointment.objects.get()
    assert appt.status == AppointmentStatus.ARRIVED
    assert appt.starts_at == at(day, "13:00")

"""The calendar as a time grid, in the browser at desktop width: a dosing session drawn
over its three hours, a click on a free slot books there, a drag moves, the keyboard
alone moves (Tab, arrow keys, Enter), and a clash is refused with the reason on the
calendar, the appointment left where it was."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from pathways.testing import assert_accessible, make_client, make_user, sign_in
from pathways.testing.browser import screenshot
from scheduling.models import Appointment
from scheduling.tests.factories import make_appointment, make_room
from scheduling.tests.support import at, future_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def practice() -> dict[str, Any]:
    make_user("ivy", Role.INTAKE, first_name="Ivy")
    theo = make_user("theo", Role.THERAPIST, first_name="Theo", last_name="Quinn")
    tess = make_user("tess", Role.THERAPIST, first_name="Tess", last_name="Moreau")
    wren = make_client(first_name="Wren", last_name="Halloway", assigned_therapist=theo)
    sam = make_client(first_name="Sam", last_name="Rivers", assigned_therapist=theo)
    room = make_room("Garden room")
    day = future_day(weekday=1)  # a Tuesday
    dosing = make_appointment(
        wren, theo, at(day, "10:00"), minutes=180, type="kap_dosing", room=room
    )
    therapy = make_appointment(sam, theo, at(day, "15:00"), minutes=50)
    return {
        "theo": theo,
        "tess": tess,
        "room": room,
        "day": day,
        "dosing": dosing,
        "therapy": therapy,
        "week": f"/staff/schedule/?clinician={theo.pk}&date={day.isoformat()}",
    }


def block(page: Any, appt: Appointment) -> Any:
    return page.locator(f'.cal-appt[data-appointment="{appt.pk}"]')


def test_it_draws_a_dosing_session_over_its_three_hours(page: Any, practice: Any) -> None:
    sign_in(page, "ivy")
    page.goto(practice["week"])

    dosing = block(page, practice["dosing"])
    expect(dosing).to_contain_text("10:00–13:00")
    expect(dosing).to_contain_text("Wren Halloway")
    expect(dosing).to_contain_text("KAP dosing")
    expect(dosing).to_contain_text("Scheduled")
    therapy = block(page, practice["therapy"])
    tall, short = dosing.bounding_box(), therapy.bounding_box()
    slot = page.locator(".cal-slot").first.bounding_box()  # half an hour
    # 180 minutes are six half hours; 50 minutes a little under two.
    assert abs(tall["height"] - 6 * slot["height"]) < slot["height"] / 2
    assert tall["height"] > 3 * short["height"]
    # The column's heading names the day; the block's link names who, what, when.
    expect(page.get_by_role("heading", level=3, name=re.compile("Tue"))).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile("10:00–13:00 Wren Halloway KAP dosing"))
    ).to_be_visible()
    screenshot(page, "calendar-week")
    assert_accessible(page)


def test_a_click_on_a_free_slot_books_there(page: Any, practice: Any) -> None:
    sign_in(page, "ivy")
    page.goto(practice["week"])
    day = practice["day"]

    tuesday = page.locator(f'.cal-body[data-date="{day.isoformat()}"]')
    tuesday.get_by_role("link", name=re.compile("^Book 14:00")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("New appointment")
    expect(page.get_by_label("Date")).to_have_value(day.isoformat())
    expect(page.get_by_label("Start time")).to_have_value("14:00")
    expect(page.get_by_label("Clinician")).to_have_value(str(practice["theo"].pk))
    assert "Halloway" not in page.url
    assert "Rivers" not in page.url
    page.get_by_label("Client").select_option(label="Rivers, Sam")
    page.get_by_label("Appointment type").select_option("psychotherapy")
    screenshot(page, "calendar-book-from-slot")
    assert_accessible(page)
    page.get_by_role("button", name="Book the appointment").click()

    expect(page.get_by_role("status")).to_contain_text("Appointment booked.")
    booked = Appointment.objects.latest("pk")
    assert booked.starts_at == at(day, "14:00")
    assert booked.clinician == practice["theo"]


def test_a_drag_moves_an_appointment(page: Any, practice: Any) -> None:
    sign_in(page, "ivy")
    page.goto(practice["week"])
    day = practice["day"]

    target = page.locator(".cal-col").nth(2).get_by_role("link", name=re.compile("^Book 09:30"))
    block(page, practice["therapy"]).drag_to(target)

    expect(page.locator(".messages")).to_contain_text("Appointment moved.")
    moved = Appointment.objects.get(pk=practice["therapy"].pk)
    wednesday_date = day + dt.timedelta(days=1)
    assert moved.starts_at == at(wednesday_date, "09:30")
    assert moved.ends_at == at(wednesday_date, "10:20")
    expect(block(page, practice["therapy"])).to_contain_text("09:30–10:20")


def focus_by_tab(page: Any, appt: Appointment) -> None:
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.appointment") == str(appt.pk):
            return
    raise AssertionError("Tab never reached the appointment")


def test_the_keyboard_alone_moves_an_appointment(page: Any, practice: Any) -> None:
    sign_in(page, "ivy")
    page.goto(practice["week"])
    day = practice["day"]

    focus_by_tab(page, practice["therapy"])
    for _ in range(4):
        page.keyboard.press("ArrowDown")  # an hour later
    page.keyboard.press("ArrowRight")  # the next day
    expect(page.locator("#cal-live")).to_contain_text("at 16:00")
    screenshot(page, "calendar-keyboard-move")
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_contain_text("Appointment moved.")
    moved = Appointment.objects.get(pk=practice["therapy"].pk)
    assert moved.starts_at == at(day + dt.timedelta(days=1), "16:00")


def test_a_clash_is_refused_and_the_calendar_says_why(page: Any, practice: Any) -> None:
    sign_in(page, "ivy")
    page.goto(practice["week"])
    day = practice["day"]

    # Up from 15:00 to 12:00, into the dosing session.
    focus_by_tab(page, practice["therapy"])
    for _ in range(12):
        page.keyboard.press("ArrowUp")
    expect(page.locator("#cal-live")).to_contain_text("at 12:00")
    page.keyboard.press("Enter")

    status = page.locator(".messages")
    expect(status).to_contain_text("Not moved: this time is already taken.")
    expect(status).to_contain_text("Theo Quinn is already booked")
    expect(status).not_to_contain_text("Halloway")
    screenshot(page, "calendar-refused")
    assert_accessible(page)
    kept = Appointment.objects.get(pk=practice["therapy"].pk)
    assert kept.starts_at == at(day, "15:00")
    expect(block(page, practice["therapy"])).to_contain_text("15:00–15:50")


def test_the_day_shows_clinicians_side_by_side(page: Any, practice: Any) -> None:
    sign_in(page, "ivy")
    day = practice["day"]
    page.goto(f"/staff/schedule/?view=day&by=clinician&date={day.isoformat()}")

    expect(page.get_by_role("heading", level=3, name="Theo Quinn")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="Tess Moreau")).to_be_visible()
    # A drag into Tess's column gives her the appointment.
    tess = page.locator(f'.cal-body[data-clinician="{practice["tess"].pk}"]')
    screenshot(page, "calendar-day-by-clinician")
    assert_accessible(page)
    block(page, practice["therapy"]).drag_to(
        tess.get_by_role("link", name=re.compile("^Book 15:00"))
    )

    expect(page.locator(".messages")).to_contain_text("Appointment moved.")
    assert Appointment.objects.get(pk=practice["therapy"].pk).clinician == practice["tess"]

    page.goto(f"/staff/schedule/?view=day&by=room&date={day.isoformat()}")
    expect(page.get_by_role("heading", level=3, name="Garden room")).to_be_visible()
    screenshot(page, "calendar-day-by-room")
    assert_accessible(page)


def test_a_weekly_series_is_booked_and_cancelled_from_one_week_on(
    page: Any, practice: Any
) -> None:
    sign_in(page, "ivy")
    day = practice["day"]
    page.goto(f"/staff/schedule/new/?clinician={practice['theo'].pk}&date={day}&start=15:00")
    page.get_by_label("Client").select_option(label="Halloway, Wren")
    page.get_by_label("Appointment type").select_option("psychotherapy")
    page.get_by_label("Repeat weekly for how many weeks (optional)").fill("4")
    page.get_by_role("button", name="Book the appointment").click()

    # Sam Rivers holds Theo at 15:00 that first Tuesday: nothing is booked, and the
    # refusal names the week, beside the repeat.
    expect(page.locator("#id_repeat_error")).to_contain_text(f"{day} 15:00")
    expect(page.locator("#error-summary")).to_contain_text("Nothing was booked")
    expect(page.locator("#error-summary")).not_to_contain_text("Rivers")
    assert Appointment.objects.filter(series__isnull=False).count() == 0
    assert_accessible(page)

    page.get_by_label("Start time").fill("16:00")
    page.get_by_role("button", name="Book the appointment").click()
    expect(page.locator(".messages")).to_contain_text("4 weekly appointments booked.")
    expect(page.locator(".facts")).to_contain_text("Week 1 of 4")

    # Cancel from the second week on.
    second = Appointment.objects.filter(series__isnull=False).order_by("starts_at")[1]
    page.goto(f"/staff/schedule/{second.pk}/")
    page.get_by_label("Reason for cancelling").fill("Course paused")
    page.get_by_label("This one and the following ones of the weekly series").check()
    screenshot(page, "calendar-series-cancel")
    assert_accessible(page)
    page.get_by_role("button", name="Cancel the appointment").click()
    expect(page.locator(".messages")).to_contain_text("and the following ones cancelled")

    statuses = list(
        Appointment.objects.filter(series__isnull=False)
        .order_by("starts_at")
        .values_list("status", flat=True)
    )
    assert statuses == ["scheduled", "cancelled", "cancelled", "cancelled"]

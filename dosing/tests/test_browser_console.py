"""The dosing console in the browser (issue 11 §3), at desktop width: a KAP session
run through it (the dose, vitals with an empty time, discharge, the note signed with
its confirm) with the bar counting the minutes since the dose and flagging a set
overdue; a KA-EMDR console with its timeline chart. axe-core checks the console.

The record is prepared through the services (arrival 200 minutes ago, pre-dose
checks and a baseline 150 minutes ago), so that a dose typed 140 minutes ago makes
the observation time real without waiting; the last set and the discharge are
recorded with an empty time: the moment of the submit."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from bls.tests.support import give, make_emdr_session, mark, take_vitals
from dosing.models import Discharge, SessionNote, VitalSigns
from dosing.tests.support import ago, arrived, cleared, local, open_record
from pathways.testing import assert_accessible, make_partner, make_prescriber, make_user, sign_in
from pathways.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_vitals(page: Any, phase: str, when: str, values: tuple[int, int, int, int]) -> None:
    page.get_by_label("When in the session").select_option(phase)
    page.get_by_label("Time taken").fill(when)
    for label, value in zip(
        ("Systolic BP (mmHg)", "Diastolic BP (mmHg)", "Heart rate (/min)", "SpO2 (%)"),
        values,
        strict=True,
    ):
        page.get_by_label(label).fill(str(value))
    page.get_by_role("button", name="Record vitals").click()


def test_it_runs_a_kap_session_through_the_console(page: Any) -> None:
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    make_user("ada", Role.ADMIN, first_name="Ada")
    priya = make_prescriber("priya", partner, first_name="Priya")
    _ready, record = open_record(theo, priya, partner)
    arrived(record, 200)
    cleared(record, theo, minutes_ago=150)

    sign_in(page, "theo")
    page.goto(f"/staff/dosing/{record.pk}/")
    # The baseline is over an hour old now: "before the dose" is the current step, the
    # only one open; the dose step opens on a click (a dose typed within the hour
    # after that baseline is cleared).
    expect(page.locator("#step-before")).to_have_attribute("open", "")
    expect(page.locator("#step-dose")).not_to_have_attribute("open", "")
    expect(page.locator('[aria-current="step"]')).to_contain_text("Before the dose")
    expect(page.locator("#bar-since")).to_contain_text("Not dosed yet")
    expect(page.locator("#bar-gate")).to_contain_text("Closed: 1 item to resolve")
    assert_accessible(page)
    page.locator("#step-dose > summary").click()
    expect(page.get_by_label("Time given")).to_have_value("")

    # The dose, its time typed (a correction of "now").
    page.get_by_label("Time given").fill(local(ago(140)))
    page.get_by_label("Witnessed (or observed) by").select_option(label="Ada")
    page.get_by_role("button", name="Record the dose").click()
    expect(page.locator("#dose-given")).to_contain_text("100.0 mg")
    expect(page.locator("#step-monitoring")).to_have_attribute("open", "")
    # The bar counts the minutes since the dose (drawn by the server, ticked by the JS).
    expect(page.locator("[data-since-dose]")).to_have_text(re.compile(r"^1(39|40|41)$"))
    expect(page.locator("#bar-limits")).to_contain_text("v1")
    height = page.evaluate("document.body.scrollHeight")
    print(f"\nCONSOLE HEIGHT mid-session (monitoring): {height}px")
    screenshot(page, "console-kap")
    # The screenshot and axe-core leave empty style attributes on inputs, which an
    # htmx swap would copy (a CSP report): start the htmx part on a fresh page.
    page.reload()

    # The 40-minute check, typed; the next set is then long overdue.
    fill_vitals(page, "monitoring", local(ago(100)), (130, 84, 80, 98))
    expect(page.locator("#record-notices")).to_contain_text("Vitals recorded")
    expect(page.locator("#console-bar")).to_have_class(re.compile("is-overdue"))
    expect(page.locator("#console-overdue")).to_have_text(re.compile("Vitals overdue"))
    expect(page.locator("#console-overdue-by")).to_contain_text("min")
    # Observation, the 40-minute check and in-range vitals: discharge is the current
    # step. The bar still says the set is overdue.
    expect(page.locator("#step-discharge")).to_have_attribute("open", "")
    screenshot(page, "console-kap-overdue", full_page=False)
    assert_accessible(page)
    page.reload()

    # A last set with an empty time (the moment of the submit), from the monitoring step.
    page.locator("#step-monitoring > summary").click()
    before = timezone.now()
    fill_vitals(page, "discharge", "", (124, 80, 72, 98))
    expect(page.locator("#vitals-table tbody tr")).to_have_count(3)
    expect(page.locator("#step-discharge")).to_have_attribute("open", "")
    latest = VitalSigns.objects.filter(record=record).order_by("-taken_at").first()
    assert latest is not None
    assert before - dt.timedelta(seconds=1) <= latest.taken_at <= timezone.now()
    expect(page.locator("#console-overdue")).to_have_text("")
    page.wait_for_load_state("networkidle")
    page.get_by_label("Alert and oriented").check()
    page.get_by_label("Walks steadily").check()
    page.get_by_label("Escort present", exact=True).check()
    page.get_by_label("Told not to drive until the next day").check()
    expect(page.get_by_label("Discharge time")).to_have_value("")
    page.get_by_role("button", name="Discharge the client").click()
    expect(page.locator(".messages")).to_contain_text("Discharged. The session is completed.")
    assert Discharge.objects.get().exception_reason == ""

    # The note, then sign and lock: a confirm first.
    expect(page.locator("#step-note")).to_have_attribute("open", "")
    page.get_by_label("Data", exact=True).fill("Calm, then tearful; settled.")
    page.get_by_label("Assessment", exact=True).fill("Tolerated the dose.")
    page.get_by_label("Plan", exact=True).fill("Integration on Thursday.")
    page.get_by_role("button", name="Save the note").click()
    expect(page.locator(".messages")).to_contain_text("Note saved")
    page.locator("#step-note summary", has_text="Sign and lock the note").click()
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    assert not SessionNote.objects.get().is_signed
    page.get_by_role("button", name="Yes, sign and lock the note").click()
    expect(page.locator("#signed-note")).to_contain_text("Signed and locked")
    assert SessionNote.objects.get().is_signed
    expect(page.locator("#console-bar")).to_contain_text("Discharged")
    assert_accessible(page)


def test_it_shows_a_ka_emdr_console_with_its_timeline(page: Any) -> None:
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    priya = make_prescriber("priya", partner, first_name="Priya")
    emdr = make_emdr_session(theo, priya, partner)
    start = emdr.start
    take_vitals(emdr.session, theo, start + dt.timedelta(minutes=2))
    given = give(emdr.session, theo, start + dt.timedelta(minutes=5))
    take_vitals(emdr.session, theo, start + dt.timedelta(minutes=45), bp=(138, 86), hr=88)
    for phase in range(1, 9):  # one minute apart: the labels must not overlap
        mark(emdr.record, phase, start + dt.timedelta(minutes=20 + phase), theo)

    sign_in(page, "theo")
    page.goto(f"/staff/dosing/{given.record_id}/")
    expect(page.locator("#step-monitoring")).to_have_attribute("open", "")
    expect(page.locator("[data-since-dose]")).to_have_text(re.compile(r"^5[45]$"))
    chart = page.locator("#timeline-chart")
    expect(chart).to_have_attribute("alt", re.compile("EMDR phases"))
    # The picture is its own request (dosing:timeline_svg): wait for it to load.
    page.wait_for_function(
        "() => { const i = document.getElementById('timeline-chart');"
        " return i !== null && i.complete && i.naturalWidth > 0; }"
    )
    screenshot(page, "console-ka-emdr")
    assert_accessible(page)

"""A KA-EMDR dosing session as the therapist records it: the phases, the assessment
(with a mistake put right), three desensitisation sets, where the dose fell, a
closing that is not complete (refused as complete, then closed as incomplete with
the reason), and the session timeline picture beside its table."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from bls.models import DesensitisationSet, EmdrRecord
from pathways.testing import PASSWORD, make_partner, make_prescriber, make_user

from .support import give, make_emdr_session, take_vitals

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, username: str) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def chart_loaded(page: Any) -> None:
    """Wait for the timeline picture to finish loading. Before acting again: the
    test database (SQLite in memory, shared cache) locks a table that two requests
    write at once, where a real server waits."""
    page.wait_for_function(
        "() => { const i = document.getElementById('timeline-chart');"
        " return i !== null && i.complete && i.naturalWidth > 0; }"
    )


def mark_phase(page: Any, number: int, label: str) -> None:
    chart_loaded(page)
    page.locator(f'li[data-phase="{number}"] button').click()
    expect(page.locator("#current-phase")).to_have_text(f"Phase {number} {label}")
    expect(page.locator(f'li[data-phase="{number}"]')).to_have_attribute("aria-current", "step")


def log_set(page: Any, number: int, sud: str) -> None:
    chart_loaded(page)
    sets = page.locator("#sets")
    # The defaults: eye movements at 1.0 Hz, 24 passes.
    expect(sets.get_by_label("BLS type")).to_have_value("eyes")
    expect(sets.get_by_label("Speed (Hz)")).to_have_value("1.0")
    expect(sets.get_by_label("Passes", exact=True)).to_have_value("24")
    sets.get_by_label("SUD (if checked)").fill(sud)
    sets.get_by_label("The client's report").fill(f"Report after set {number}.")
    sets.get_by_role("button", name="Log the set").click()
    row = page.locator(f'#sets tr[data-set="{number}"]')
    expect(row).to_contain_text(f"Report after set {number}.")
    expect(page.locator("#sets")).to_contain_text(f"Set {number} logged.")
    # The timeline was swapped in too, with the new set's SUD.
    expect(page.locator("table.timeline-data")).to_contain_text(f"Set {number}")


def test_it_records_a_ka_emdr_session_and_draws_its_timeline(page: Any) -> None:
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    priya = make_prescriber("priya", partner, first_name="Priya")
    emdr = make_emdr_session(theo, priya, partner, record=False)
    # The dosing record, as the dosing pages would have written it.
    take_vitals(emdr.session, theo, emdr.start + dt.timedelta(minutes=5), (122, 78), 70)
    give(emdr.session, theo, emdr.start + dt.timedelta(minutes=10))
    take_vitals(emdr.session, theo, emdr.start + dt.timedelta(minutes=40), (136, 88), 84)

    sign_in(page, "theo")
    page.goto(f"/staff/clients/{emdr.client.pk}/course/")
    page.get_by_role("button", name="Open an EMDR record for the dosing session").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("EMDR record")
    record = EmdrRecord.objects.get(session=emdr.session)

    # The dose was given before any phase was marked: a flag, not a block.
    expect(page.locator("#dose-note")).to_contain_text("No EMDR phase is marked")
    expect(page.locator("#phase-dose")).to_contain_text("before any phase was marked")

    mark_phase(page, 1, "History taking")
    mark_phase(page, 2, "Preparation")
    mark_phase(page, 3, "Assessment")
    # Now it is placed: before the target memory was activated.
    expect(page.locator("#dose-note")).to_contain_text(
        "Dose given before the target memory was activated"
    )
    expect(page.locator("#dose-position")).to_contain_text("before the assessment")
    expect(page.locator("#dose-position")).to_contain_text("phase 3 marked")

    chart_loaded(page)
    assessment = page.locator("#assessment")
    assessment.get_by_label("Target memory").fill("The crash on the bridge.")
    assessment.get_by_label("Worst image").fill("Headlights in the rain.")
    assessment.get_by_label("Negative cognition", exact=True).fill("I am in danger.")
    assessment.get_by_label("Positive cognition", exact=True).fill("I am safe now.")
    assessment.get_by_label("VOC at start").fill("2")
    assessment.get_by_label("Emotions").fill("Fear")
    assessment.get_by_label("SUD at start").fill("12")
    assessment.get_by_label("Where it is felt in the body").fill("Chest")
    assessment.get_by_role("button", name="Save the assessment").click()

    sud = page.locator("#assessment").get_by_label("SUD at start")
    expect(page.locator("#id_sud_start_error")).to_have_text("SUD is from 0 to 10.")
    expect(sud).to_have_attribute("aria-invalid", "true")
    expect(sud).to_have_value("12")
    expect(page.locator("#assessment").get_by_label("Target memory")).to_have_value(
        "The crash on the bridge."
    )
    chart_loaded(page)
    sud.fill("8")
    page.locator("#assessment").get_by_role("button", name="Save the assessment").click()
    expect(page.locator(".messages")).to_contain_text("Assessment saved.")
    expect(page.locator("#id_sud_start_error")).to_have_count(0)

    mark_phase(page, 4, "Desensitisation")
    for number, value in ((1, "6"), (2, "3"), (3, "0")):
        log_set(page, number, value)
    assert list(DesensitisationSet.objects.values_list("number", "sud")) == [
        (1, 6),
        (2, 3),
        (3, 0),
    ]
    assert all(s.minutes_since_dose is not None for s in DesensitisationSet.objects.all())

    mark_phase(page, 5, "Installation")
    mark_phase(page, 6, "Body scan")
    mark_phase(page, 7, "Closure")
    chart_loaded(page)
    closing = page.locator("#closing")
    # The rule is beside the closure choice.
    expect(closing.locator("#id_closure_helptext")).to_contain_text(
        "SUD at end 1 or less and VOC at end 6 or more"
    )
    closing.get_by_label("Installation VOC").fill("6")
    closing.get_by_label("Body scan").fill("Some tension left in the chest.")
    closing.get_by_label("Complete", exact=True).check()
    closing.get_by_label("SUD at end").fill("2")
    closing.get_by_label("VOC at end").fill("6")
    closing.get_by_role("button", name="Save the closing").click()

    # SUD 2 is not complete: said beside the field, and nothing typed is lost.
    closing = page.locator("#closing")
    sud_end = closing.get_by_label("SUD at end")
    expect(page.locator("#id_sud_end_error")).to_have_text(
        "A complete closure needs SUD at end 1 or less."
    )
    expect(page.locator("#id_closure_error")).to_contain_text("choose Incomplete")
    expect(sud_end).to_have_attribute("aria-invalid", "true")
    expect(sud_end).to_have_value("2")
    expect(closing.get_by_label("Body scan")).to_have_value("Some tension left in the chest.")
    assert EmdrRecord.objects.get(pk=record.pk).closure == ""

    # Incomplete needs the clinician's reason.
    chart_loaded(page)
    closing.get_by_label("Incomplete", exact=True).check()
    closing.get_by_role("button", name="Save the closing").click()
    closing = page.locator("#closing")
    expect(page.locator("#id_closure_reason_error")).to_have_text(
        "Give the reason the session is incomplete."
    )
    chart_loaded(page)
    closing.get_by_label("Why the session is incomplete").fill(
        "Out of time at SUD 2; contained with the calm-place exercise."
    )
    closing.get_by_role("button", name="Save the closing").click()
    expect(page.locator(".messages")).to_contain_text("Closing saved.")
    expect(page.locator("#closing").get_by_label("Incomplete", exact=True)).to_be_checked()

    record.refresh_from_db()
    assert (record.sud_start, record.voc_start, record.installation_voc) == (8, 2, 6)
    assert (record.closure, record.sud_end, record.voc_end) == ("incomplete", 2, 6)
    assert record.closure_reason.startswith("Out of time at SUD 2")

    # The picture loads (an <img>: safe under the page's style-src 'self'), with its table.
    chart = page.locator("#timeline-chart")
    chart.scroll_into_view_if_needed()
    chart_loaded(page)
    assert chart.evaluate("img => img.naturalWidth") > 600
    table = page.locator("table.timeline-data")
    expect(table).to_contain_text("Dose")
    expect(table).to_contain_text("Set 3")
    expect(table).to_contain_text("VOC at end")
    expect(table).to_contain_text("BP 136/88, HR 84, SpO2 98%")
    if os.environ.get("BLS_SCREENSHOT"):
        page.screenshot(path=os.environ["BLS_SCREENSHOT"], full_page=True)

"""The client chart in the browser (issue 11): open a client, move through the tabs
with the keyboard only (htmx swaps the panel, the address follows, the focus stays
on the tab just opened), and mark a medication as stopped through its confirm.
axe-core finds no serious or critical violation on any tab."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from clients.models import ReportedMedication
from clients.panels import TABS
from pathways.testing import assert_accessible, make_client, make_course, make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_moves_through_the_tabs_with_the_keyboard(page: Any) -> None:
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    record = make_client(
        first_name="Marta",
        last_name="Quill",
        date_of_birth=dt.date(1984, 3, 9),
        assigned_therapist=theo,
    )
    make_course(record, theo)

    sign_in(page, "theo")
    page.goto("/staff/clients/")
    page.get_by_role("link", name=re.compile("Quill")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Marta Quill")
    tabs = page.get_by_role("navigation", name="Client chart")
    expect(tabs.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    expect(page.locator(".chart-facts")).to_contain_text("KAP course 1")
    assert_accessible(page)

    tabs.get_by_role("link", name="Overview").focus()
    for slug, label in TABS[1:]:
        page.keyboard.press("Tab")
        expect(tabs.get_by_role("link", name=label)).to_be_focused()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(f"/staff/clients/{record.pk}/{slug}/$"))
        current = tabs.get_by_role("link", name=label)
        expect(current).to_have_attribute("aria-current", "page")
        expect(page.locator("#tab-panel")).to_have_attribute("aria-label", label)
        # The focus is back on the tab just opened, so Tab goes on to the next.
        expect(current).to_be_focused()
        expect(page).to_have_title(f"{label} · Client · Pathways")
        assert_accessible(page)

    # Back works, as with any link: the previous tab again.
    page.go_back()
    expect(page).to_have_url(re.compile(f"/staff/clients/{record.pk}/notes/$"))
    expect(page.locator("#tab-panel")).to_have_attribute("aria-label", "Notes")


def test_it_marks_a_medication_stopped_only_through_the_confirm(page: Any) -> None:
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    record = make_client(first_name="Marta", last_name="Quill", assigned_therapist=theo)
    medication = ReportedMedication.objects.create(
        client=record, name="Sertraline", dose="50 mg", frequency="daily"
    )

    sign_in(page, "theo")
    page.goto(f"/staff/clients/{record.pk}/")
    opener = page.get_by_text("Mark as stopped", exact=True)
    opener.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Sertraline 50 mg daily will be marked as stopped")).to_be_visible()
    assert_accessible(page)
    medication.refresh_from_db()
    assert medication.stopped_at is None  # opening the confirm changes nothing

    page.get_by_role("button", name="Yes, mark as stopped: Sertraline 50 mg daily").click()

    expect(page.get_by_text("The reported medication was marked as stopped")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\(stopped \d{4}-\d{2}-\d{2}\)"))).to_be_visible()
    medication.refresh_from_db()
    assert medication.stopped_at is not None
    assert_accessible(page)


def test_it_shows_the_item_9_answers_on_the_measures_tab_and_the_scores(page: Any) -> None:
    from measures.models import Response
    from measures.tests.factories import day, load_instruments, make_score

    load_instruments()
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    record = make_client(first_name="Marta", last_name="Quill", assigned_therapist=theo)
    for i, total in enumerate((19, 15, 11, 8)):
        response = make_score(record, "phq9", total, day(2026, 6, 1) + dt.timedelta(days=30 * i))
        answers = {**response.answers, "9": 2 if i == 1 else 0}
        Response.objects.filter(pk=response.pk).update(answers=answers)

    sign_in(page, "theo")
    page.goto(f"/staff/clients/{record.pk}/measures/")
    expect(page.locator("figcaption.item-flag")).to_contain_text(
        "item 9 above 0 (safety item), marked by a triangle, on 1 Jul 2026 (2)"
    )
    expect(page.locator("img[src*='phq9.svg']")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("All charts and every score")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress on the outcome measures")
    table = page.locator("table.outcome-scores")
    expect(table.get_by_role("columnheader", name="Safety item")).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="Item 9: 2 (above 0)")).to_have_count(1)
    assert_accessible(page)

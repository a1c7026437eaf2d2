"""A PHQ-9 answer of 2 on item 9, as the therapist lives it: the alert is on the
dashboard, blocks the dosing gate, and is acknowledged with a note of the action
taken (chosen from a list, with a note); then it leaves the dashboard and the gate's
safety check turns green.

The dashboard step needs measures/alerts/_dashboard.html wired into
pathways/dashboard.html (the Today page; with `safety_alerts` from
measures.alerts.queries.dashboard_alerts).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from measures.alerts.safety import alert_raise_for_response
from measures.tests.factories import make_instrument, make_response
from measures.tests.support import ON_LINK
from pathways.testing import PASSWORD, make_client, make_partner, make_prescriber, make_user
from treatment.tests.support import make_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, username: str) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def test_it_takes_an_alert_from_the_dashboard_to_acknowledged(page: Any) -> None:
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    priya = make_prescriber("priya", partner, first_name="Priya")
    client = make_client(first_name="Wren", last_name="Halloway", assigned_therapist=theo)
    ready = make_ready(theo, priya, partner, client=client)
    (alert,) = alert_raise_for_response(
        actor=ON_LINK, response=make_response(client, make_instrument(), q9=2)
    )
    session_url = ready.session.get_absolute_url()
    safety_check = page.locator('#gate li[data-check="safety"]')

    sign_in(page, "theo")
    dashboard = page.locator("#safety-alerts")
    # The Today page's section: its heading with a count badge (issue 11 §1).
    expect(dashboard.get_by_role("heading", level=2)).to_have_text(
        "Safety alerts needing same-day follow-up 1"
    )
    expect(dashboard.locator(".today-count")).to_have_text("1")
    expect(dashboard.get_by_role("listitem")).to_have_count(1)

    page.goto(session_url)
    expect(safety_check).to_have_attribute("data-ok", "false")
    expect(safety_check).to_contain_text("PHQ-9 item 9 answered 2 on")

    page.goto("/staff/")
    # The dashboard names the client (changed with issue 8 §5).
    dashboard_link = page.locator("#safety-alerts").get_by_role("link", name="Wren Halloway")
    expect(dashboard_link).to_have_attribute("href", f"/staff/measures/alerts/{alert.pk}/")
    dashboard_link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Safety alert")
    expect(page.get_by_text("it is not a diagnosis")).to_be_visible()
    expect(page.get_by_text("Wren Halloway")).to_be_visible()
    expect(page.get_by_text("More than half the days (2)")).to_be_visible()

    page.get_by_role("button", name="Acknowledge the alert").click()
    expect(page.locator("#id_action_note_error")).to_contain_text("Write down the action")
    expect(page.locator("#id_action_error")).to_contain_text("Choose the action taken")
    note = page.get_by_role("textbox", name="Note (required)")
    expect(note).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Safety plan reviewed with the client").check()
    note.fill("Called Wren the same day; reviewed the safety plan; seeing her tomorrow.")
    page.get_by_role("button", name="Acknowledge the alert").click()
    expect(page.locator(".messages")).to_contain_text("Alert acknowledged")
    expect(page.get_by_text("reviewed the safety plan")).to_be_visible()

    page.goto("/staff/")
    # The section stays on the Today page, empty (issue 11 §1): a count of 0, no name.
    expect(dashboard.locator(".today-count")).to_have_text("0")
    expect(dashboard).to_contain_text("No open safety alerts.")
    expect(dashboard.get_by_role("listitem")).to_have_count(0)
    expect(dashboard.get_by_text("Wren Halloway")).to_have_count(0)

    page.goto(session_url)
    expect(safety_check).to_have_attribute("data-ok", "true")
    expect(safety_check).to_contain_text("No unacknowledged safety alerts.")

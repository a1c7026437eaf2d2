"""End to end: the prescriber writes, revises and discontinues; the therapist reads each step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from partners.models import ReferralStatus
from pathways.testing import (
    PASSWORD,
    make_client,
    make_partner,
    make_prescriber,
    make_referral,
    make_user,
)
from prescriptions.models import Prescription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, username: str) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def sign_out(page: Any, username: str) -> None:
    page.get_by_role("button", name=f"Sign out {username}").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_it_writes_revises_and_discontinues_a_prescription(page: Any) -> None:
    partner = make_partner()
    prescriber = make_prescriber("prescriber", partner)
    therapist = make_user("therapist", Role.THERAPIST, first_name="Theo")
    client = make_client(first_name="Marisol", last_name="Quintero", assigned_therapist=therapist)
    referral = make_referral(client, partner, therapist, status=ReferralStatus.ELIGIBLE)
    today = timezone.localdate()

    # The prescriber writes version 1.
    sign_in(page, prescriber.username)
    page.goto(f"/partner/prescriptions/new/{referral.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a prescription")
    expect(page.get_by_label("Highest systolic BP (mmHg)")).to_have_value("140")
    page.get_by_label("Authorised for").select_option("both")
    page.get_by_label("Route and formulation").select_option("sublingual")
    page.get_by_label("Dose per session (mg)").fill("100")
    page.get_by_label("Dosing sessions authorised").fill("6")
    page.get_by_label("Valid from").fill(today.isoformat())
    page.get_by_label("Valid to (last day)").fill((today + dt.timedelta(days=90)).isoformat())
    page.get_by_label("Fasting from food (hours before dosing)").fill("4")
    page.get_by_label("Fasting from clear liquids (hours before dosing)").fill("2")
    page.get_by_label("Other notes on fasting").fill("No food for 4 hours before.")
    # The suggested holds: benzodiazepines for 24 hours; the other suggestions cleared.
    expect(page.get_by_label("Medication to hold (1)")).to_have_value("Benzodiazepines")
    page.get_by_label("Hours before dosing (1)", exact=True).fill("24")
    for row in range(2, 6):
        page.get_by_label(f"Medication to hold ({row})").fill("")
    page.get_by_label("Other notes on medication holds").fill("No benzodiazepines for 24 hours.")
    page.get_by_label("Lowest heart rate (/min)").fill("50")
    page.get_by_label("Highest heart rate (/min)").fill("110")
    page.get_by_label("Lowest SpO2 (%)").fill("94")
    page.get_by_role("button", name="Write the prescription").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prescription, version 1")
    expect(page.get_by_text("Benzodiazepines: 24 h")).to_be_visible()
    first = Prescription.objects.get()
    assert first.hold_list() == [{"medication": "Benzodiazepines", "hours": 24}]
    assert (first.fasting_solids_hours, first.fasting_liquids_hours) == (Decimal(4), Decimal(2))

    # …then revises the dose: version 2, with version 1 in the history.
    page.get_by_role("link", name="Revise (writes version 2)").click()
    expect(page.get_by_label("Dose per session (mg)")).to_have_value("100.0")
    page.get_by_label("Dose per session (mg)").fill("150")
    page.get_by_role("button", name="Save version 2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prescription, version 2")
    history = page.get_by_role("region", name="History")
    expect(history.get_by_text("Version 2 (shown above)")).to_be_visible()
    expect(history.get_by_role("link", name="Version 1")).to_be_visible()
    expect(history).to_contain_text("Dose per session (mg): 100.0 → 150.0")
    current = Prescription.objects.get(version=2)
    sign_out(page, prescriber.username)

    # The therapist sees the new dose.
    sign_in(page, therapist.username)
    page.goto(f"/staff/prescriptions/{current.pk}/")
    expect(page.get_by_text("150.0 mg").first).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    sign_out(page, therapist.username)

    # The prescriber discontinues it…
    sign_in(page, prescriber.username)
    page.goto(f"/partner/prescriptions/{current.pk}/")
    page.get_by_role("button", name="Discontinue").click()
    expect(page.get_by_text("Give the reason for discontinuing.").first).to_be_visible()
    page.get_by_label("Reason for discontinuing").fill("Blood pressure stayed high.")
    page.get_by_role("button", name="Discontinue").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Discontinued — no dosing session can use it"
    )
    sign_out(page, prescriber.username)

    # …and the therapist's page says so at once.
    sign_in(page, therapist.username)
    page.goto(f"/staff/prescriptions/{current.pk}/")
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("Discontinued — no dosing session can use it")
    expect(banner).to_contain_text("Blood pressure stayed high.")

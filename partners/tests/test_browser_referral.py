"""End to end: a therapist refers a client, the partner's prescriber evaluates,
asks a question, the therapist answers in the thread, and the prescriber finds
the client eligible. Both sides see every step, with its time."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from clients.models import Diagnosis
from consents.models import ConsentKind
from partners.models import Referral, ReferralStatus
from partners.prescreen import PRESCREEN_ITEMS
from pathways.testing import (
    PASSWORD,
    make_client,
    make_partner,
    make_prescriber,
    make_signed_consent,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEPS_SEEN = [
    "Referral sent",
    "Evaluation scheduled",
    "Question from the prescriber",
    "Answer from the therapist",
    "Evaluated: eligible",
]


def sign_in(page: Any, username: str) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def sign_out(page: Any, username: str) -> None:
    page.get_by_role("button", name=f"Sign out {username}").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def expect_every_step(page: Any, steps: list[str]) -> None:
    thread = page.get_by_role("region", name="Thread").locator("li")
    expect(thread).to_have_count(len(steps))
    for index, step in enumerate(steps):
        item = thread.nth(index)
        expect(item).to_contain_text(step)
        # Each step says when, in the practice's time zone.
        expect(item.locator("time").first).to_have_text(
            re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d E[SD]T$")
        )


def test_it_takes_a_referral_from_sending_to_eligible(page: Any) -> None:
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    make_prescriber("priya", partner, first_name="Priya")
    client = make_client(
        first_name="Ottilie",
        last_name="Brennan",
        date_of_birth=dt.date(1984, 5, 6),
        phone="(555) 010-0177",
        address_line1="12 Hidden Lane",
        assigned_therapist=theo,
    )
    Diagnosis.objects.create(
        client=client,
        code="F33.1",
        description="Major depressive disorder, recurrent",
        added_by=theo,
    )
    make_signed_consent(client, ConsentKind.ROI, partner)

    # The therapist refers the client, filling in the pre-screen.
    sign_in(page, "theo")
    page.goto(f"/staff/referrals/new/{client.pk}/")
    shared = page.get_by_role("region", name="What will be shared")
    expect(shared).to_contain_text("F33.1 Major depressive disorder, recurrent")
    expect(shared).to_contain_text("None yet")
    page.get_by_label("Medication-management partner").select_option(label=partner.name)
    page.get_by_label("Reason for referral").fill("Depression that two SSRIs have not lifted.")
    prescreen = page.get_by_role(
        "group", name="Pre-screen (informs the prescriber; it does not decide eligibility)"
    )
    for _, label in PRESCREEN_ITEMS:
        answer = "Yes" if label == "Uncontrolled hypertension" else "No"
        prescreen.get_by_role("group", name=label).get_by_label(answer, exact=True).check()
    page.get_by_label("Pre-screen notes").fill("Home readings around 150/95.")
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ottilie Brennan")
    expect(page.get_by_role("status")).to_contain_text("Referral sent to Blue Ridge Psychiatry.")
    referral = Referral.objects.get()
    assert page.url.endswith(f"/staff/referrals/{referral.pk}/")
    expect_every_step(page, STEPS_SEEN[:1])
    sign_out(page, "theo")

    # The prescriber finds it in the portal and schedules the evaluation.
    sign_in(page, "priya")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals to Blue Ridge Psychiatry")
    # It is both waiting for the prescriber and in the list of all referrals.
    waiting = page.get_by_role("region", name="Referrals waiting for you")
    expect(waiting.get_by_role("listitem")).to_have_count(1)
    expect(waiting).to_contain_text("schedule the evaluation")
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Ottilie Brennan")).to_have_attribute(
        "href", f"/partner/referrals/{referral.pk}/"
    )
    waiting.get_by_role("link", name="Ottilie Brennan").click()
    expect(page.get_by_text("For the prescriber's attention:")).to_be_visible()
    expect(page.get_by_text("12 Hidden Lane")).to_have_count(0)
    expect(page.locator('a[href^="/staff/"]')).to_have_count(0)
    when = timezone.localtime() + dt.timedelta(days=7)
    page.get_by_label("Evaluation date and time").fill(when.strftime("%Y-%m-%dT10:30"))
    page.get_by_role("button", name="Schedule evaluation").click()
    expect(page.get_by_role("status")).to_contain_text("Evaluation scheduled.")
    expect(page.get_by_role("region", name="Thread")).to_contain_text(
        when.strftime("Evaluation on %Y-%m-%d 10:30")
    )

    # It needs more information: a question back to the therapist.
    page.get_by_label("Needs more information").check()
    page.get_by_label("Question for the therapist").fill("Any history of mania?")
    page.get_by_role("button", name="Record evaluation").click()
    expect(page.get_by_role("status")).to_contain_text("Evaluation recorded.")
    expect(page.get_by_text("Waiting for the therapist's answer")).to_be_visible()
    sign_out(page, "priya")

    # The therapist answers in the same thread.
    sign_in(page, "theo")
    page.goto(f"/staff/referrals/{referral.pk}/")
    expect(page.get_by_role("region", name="Thread")).to_contain_text("Any history of mania?")
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator("#id_answer-text_error")).to_have_text("Write your answer.")
    page.get_by_label("Your answer to the prescriber").fill("None; ruled out in 2024.")
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_role("status")).to_contain_text("Answer sent to the prescriber.")
    sign_out(page, "theo")

    # The prescriber finds the client eligible.
    sign_in(page, "priya")
    page.goto(f"/partner/referrals/{referral.pk}/")
    expect(page.get_by_role("region", name="Thread")).to_contain_text("None; ruled out in 2024.")
    page.get_by_label("Eligible", exact=True).check()
    page.get_by_role("button", name="Record evaluation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluated: eligible")
    expect_every_step(page, STEPS_SEEN)
    sign_out(page, "priya")

    # The therapist sees every step too.
    sign_in(page, "theo")
    page.goto(f"/staff/referrals/{referral.pk}/")
    expect_every_step(page, STEPS_SEEN)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ELIGIBLE

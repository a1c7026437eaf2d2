"""A KAP dosing session in the browser, from the gate to the prescriber's summary:
the therapist opens the record, records today's suicide-risk check and the
pre-dose checks (fasting hours, the prescription's hold), meets an out-of-range
baseline (the dose is blocked, and says why), re-checks in range, gives the dose,
monitors (the 40-minute check), records a serious adverse event, discharges,
signs the note and adds an addendum; then the prescriber reads the summary.

Times are typed in the past (the baseline 150 minutes ago, the dose 140), so that
the observation time and the 40-minute check are real without waiting; the
client arrived three hours ago."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from dosing.models import Administration, Discharge, SessionNote
from dosing.tests.support import (
    ago,
    local,
    picture_settled,
    recent_phq9,
    reveal,
    sign_note_in_page,
)
from pathways.testing import PASSWORD, make_partner, make_prescriber, make_user
from treatment.models import SessionStatus, TreatmentSession
from treatment.tests.support import make_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, username: str) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def record_vitals(
    page: Any, phase: str, minutes_ago: int, systolic: int, diastolic: int, hr: int, spo2: int
) -> None:
    picture_settled(page)
    reveal(page, "#id_vitals-phase")
    page.get_by_label("When in the session").select_option(phase)
    page.get_by_label("Time taken").fill(local(ago(minutes_ago)))
    page.get_by_label("Systolic BP (mmHg)").fill(str(systolic))
    page.get_by_label("Diastolic BP (mmHg)").fill(str(diastolic))
    page.get_by_label("Heart rate (/min)").fill(str(hr))
    page.get_by_label("SpO2 (%)").fill(str(spo2))
    page.get_by_role("button", name="Record vitals").click()


def test_it_runs_a_dosing_session_from_the_gate_to_the_prescribers_summary(page: Any) -> None:
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    make_user("ada", Role.ADMIN, first_name="Ada")
    priya = make_prescriber("priya", partner, first_name="Priya")
    ready = make_ready(theo, priya, partner)
    recent_phq9(ready.client.pk)  # answered yesterday evening: within the 72 hours

    # The gate is green: the therapist starts the session, which opens its record.
    sign_in(page, "theo")
    page.goto(f"/staff/courses/sessions/{ready.session.pk}/")
    page.get_by_role("button", name="Start the dosing session").click()
    if "/staff/dosing/" not in page.url:
        # The session page's button still starts the session without the record
        # (treatment owns it): open the record from the client page.
        page.goto(f"/staff/clients/{ready.client.pk}/course/")
        page.get_by_role("button", name="Open the dosing record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dosing session record")
    expect(page.locator("#clearance")).to_contain_text("No baseline vitals are recorded.")
    expect(page.locator('#dose-gate [data-check="risk_check"]')).to_be_visible()
    started = timezone.now() - dt.timedelta(hours=3)
    TreatmentSession.objects.filter(pk=ready.session.pk).update(started_at=started)

    # Today's suicide-risk check, by the clinician.
    page.get_by_label("How the risk was checked").select_option("cssrs")
    page.get_by_label("No current suicidal ideation or behaviour reported").check()
    page.get_by_role("button", name="Record the risk check").click()
    expect(page.locator(".messages")).to_contain_text("Today's suicide-risk check recorded.")
    expect(page.locator("#risk-check")).to_contain_text("C-SSRS screen")
    expect(page.locator("#dose-gate")).to_have_count(0)

    # Pre-dose checks: fasting hours and the prescription's hold; the escort comes
    # from the session.
    expect(page.get_by_label("Escort's name")).to_have_value("Walter Skinner")
    page.get_by_label("Hours since the client last ate").fill("6")
    page.get_by_label("Hours since the client last drank").fill("3")
    page.get_by_label("Held as prescribed").check()
    page.get_by_label("The client's intention for the session").fill("To let the grief move.")
    page.get_by_role("button", name="Save pre-dose checks").click()
    expect(page.locator(".messages")).to_contain_text("Pre-dose checks saved.")
    expect(page.locator("#shortfalls")).to_have_count(0)

    # An out-of-range baseline is flagged at once, and blocks the dose.
    record_vitals(page, "baseline", 150, 152, 94, 80, 98)
    expect(page.locator("#vitals-table .flag")).to_contain_text("Above the prescriber's limit")
    expect(page.locator("#record-notices")).to_contain_text("Systolic BP 152 is above")
    expect(page.locator("#clearance")).to_contain_text("Dosing is blocked")
    reveal(page, "#id_dose-given_at")
    page.get_by_label("Time given").fill(local(ago(140)))
    page.get_by_label("Witnessed (or observed) by").select_option(label="Ada")
    picture_settled(page)
    page.get_by_role("button", name="Record the dose").click()
    expect(page.locator(".messages")).to_contain_text(
        "The latest pre-dose vitals are out of range"
    )
    assert not Administration.objects.exists()

    # An in-range re-check clears the way for a dose within the hour after it (the
    # page judges a dose now, when that re-check is over an hour old).
    record_vitals(page, "recheck", 145, 128, 82, 76, 98)
    expect(page.locator("#clearance")).not_to_contain_text("out of range")
    expect(page.locator("#clearance")).to_contain_text("more than 60 minutes old")
    expect(page.get_by_label("Dose (mg)")).to_have_value("100.0")
    reveal(page, "#id_dose-given_at")
    page.get_by_label("Time given").fill(local(ago(140)))
    page.get_by_label("Witnessed (or observed) by").select_option(label="Ada")
    picture_settled(page)
    page.get_by_role("button", name="Record the dose").click()
    expect(page.locator("#dose-given")).to_contain_text("100.0 mg sublingual")

    # Monitoring (the 40-minute check), a serious adverse event (the prescriber is
    # told, without details).
    expect(page.locator("#vitals-next")).to_contain_text("Next set due")
    expect(page.locator('[data-criterion="peak"]')).to_have_attribute("data-ok", "false")
    record_vitals(page, "monitoring", 100, 138, 88, 84, 97)
    expect(page.locator("#record-notices")).to_contain_text("within the prescriber's parameters")
    expect(page.locator('[data-criterion="peak"]')).to_have_attribute("data-ok", "true")
    reveal(page, "#id_ae-type")
    page.get_by_label("Type of event").select_option("nausea")
    page.get_by_label("Severity").select_option("moderate")
    page.get_by_label("Serious adverse event").check()
    page.get_by_label("Action taken").fill("Ondansetron given; vomited once; settled.")
    page.get_by_label("Rescue medication given, with dose (if any)").fill("Ondansetron 4 mg")
    picture_settled(page)
    page.get_by_role("button", name="Record the event").click()
    expect(page.locator(".messages")).to_contain_text("the prescriber has been notified")
    serious = [m for m in mail.outbox if "severe or serious adverse event" in m.body]
    assert serious
    assert all("Dana" not in m.body and "Ondansetron" not in m.body for m in serious)

    # Discharge, once the criteria are met.
    record_vitals(page, "discharge", 0, 126, 80, 72, 98)
    for criterion in ("observation", "peak", "vitals"):
        expect(page.locator(f'[data-criterion="{criterion}"]')).to_have_attribute(
            "data-ok", "true"
        )
    # The vitals post re-renders the discharge panel (htmx): tick the boxes only once
    # that swap is done, or the ticks land on the panel being replaced.
    page.wait_for_load_state("networkidle")
    page.get_by_label("Alert and oriented").check()
    page.get_by_label("Walks steadily").check()
    page.get_by_label("Escort present", exact=True).check()
    page.get_by_label("Told not to drive until the next day").check()
    picture_settled(page)
    page.get_by_role("button", name="Discharge the client").click()
    expect(page.locator(".messages")).to_contain_text("Discharged. The session is completed.")
    done = Discharge.objects.get()
    assert done.vitals_within_parameters
    assert done.told_no_driving
    assert done.exception_reason == ""
    ready.session.refresh_from_db()
    assert ready.session.status == SessionStatus.COMPLETED

    # The note: written, signed (locked), then an addendum.
    page.get_by_label("Data", exact=True).fill("Client spoke of her brother; tearful, then calm.")
    page.get_by_label("Assessment", exact=True).fill("Tolerated the dose; nausea settled.")
    page.get_by_label("Plan", exact=True).fill("Integration session on Thursday.")
    picture_settled(page)
    page.get_by_role("button", name="Save the note").click()
    sign_note_in_page(page)
    expect(page.locator("#signed-note")).to_contain_text("Signed and locked")
    expect(page.get_by_label("Data", exact=True)).to_have_count(0)
    page.get_by_label("Addendum").fill("Client called next morning: slept well.")
    page.get_by_role("button", name="Add the addendum").click()
    expect(page.locator("#addenda")).to_contain_text("Client called next morning: slept well.")
    expect(page.locator("#addenda")).to_contain_text("by Theo")
    assert SessionNote.objects.get().is_signed
    page.get_by_role("button", name="Sign out theo").click()

    # The prescriber reads the summary in the portal.
    sign_in(page, "priya")
    page.goto("/partner/")
    # The home page also links the summary ("Sessions this week"); open the referral.
    referrals = page.get_by_role("table", name=re.compile("referral"))
    referrals.get_by_role("link", name="Dana Scully").click()
    page.get_by_role("link", name=re.compile("Session summary")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dosing session summary")
    expect(page.locator("#given")).to_contain_text("100.0 mg")
    expect(page.locator("#vitals .flag")).to_contain_text("Above the prescriber's limit")
    expect(page.locator("#adverse-events")).to_contain_text("Nausea or vomiting")
    expect(page.locator("#discharge")).to_contain_text("Alert and oriented")

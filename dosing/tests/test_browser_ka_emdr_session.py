"""A whole KA-EMDR dosing session in the browser: arrival, pre-dose vitals, the EMDR
assessment, the dose, three desensitisation sets, vitals at 40 minutes, closure,
discharge and the signed note; it ends on the prescriber's view of the summary.

Times are typed in the past (the baseline 150 minutes ago, the dose 140), so that
the set "40 minutes after the dose" and the observation time before discharge are
real without waiting; the client arrived three hours ago."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from bls.models import EmdrRecord
from dosing.models import Administration, Discharge, SessionNote
from dosing.tests.support import recent_phq9, reveal, sign_note_in_page
from pathways.testing import PASSWORD, make_partner, make_prescriber, make_user
from scheduling.models import Appointment, AppointmentType
from treatment.models import Modality, SessionStatus
from treatment.tests.support import make_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, username: str) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def minutes_ago(minutes: int) -> str:
    """A moment as <input type="datetime-local"> takes it, in the practice's time zone."""
    at = timezone.localtime() - dt.timedelta(minutes=minutes)
    return at.strftime("%Y-%m-%dT%H:%M")


def record_vitals(page: Any, phase: str, when: str, bp: tuple[int, int], hr: int) -> None:
    reveal(page, "#id_vitals-phase")
    page.get_by_label("When in the session").select_option(phase)
    page.get_by_label("Time taken").fill(when)
    page.get_by_label("Systolic BP (mmHg)").fill(str(bp[0]))
    page.get_by_label("Diastolic BP (mmHg)").fill(str(bp[1]))
    page.get_by_label("Heart rate (/min)").fill(str(hr))
    page.get_by_label("SpO2 (%)").fill("98")
    page.get_by_role("button", name="Record vitals").click()
    expect(page.locator("#record-notices")).to_contain_text("within the prescriber's parameters")


def chart_loaded(page: Any) -> None:
    """Wait for the EMDR timeline picture (its own request) before acting again:
    SQLite in the test server locks a table that two requests write at once."""
    page.wait_for_function(
        "() => { const i = document.getElementById('timeline-chart');"
        " return i !== null && i.complete && i.naturalWidth > 0; }"
    )


def mark_phase(page: Any, number: int) -> None:
    chart_loaded(page)
    page.locator(f'li[data-phase="{number}"] button').click()
    expect(page.locator(f'li[data-phase="{number}"]')).to_have_attribute("aria-current", "step")


def test_a_whole_ka_emdr_dosing_session_ends_on_the_prescribers_summary(page: Any) -> None:
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    make_user("ines", Role.INTAKE, first_name="Ines")
    priya = make_prescriber("priya", partner, first_name="Priya")
    ready = make_ready(theo, priya, partner, modality=Modality.KA_EMDR, escort=False)
    recent_phq9(ready.client.pk)  # answered yesterday evening: within the 72 hours
    now = timezone.now()
    appt = Appointment.objects.create(
        client=ready.client,
        clinician=theo,
        type=AppointmentType.KA_EMDR_DOSING,
        starts_at=now - dt.timedelta(minutes=180),
        ends_at=now + dt.timedelta(minutes=10),
        session=ready.session,
        created_by=theo,
    )

    # 1. Arrival: the intake desk marks the client arrived.
    sign_in(page, "ines")
    page.goto(f"/staff/schedule/{appt.pk}/")
    page.get_by_role("button", name="Mark arrived").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Arrived")
    page.get_by_role("button", name="Sign out ines").click()
    # The pre-dose vitals count only after the arrival: it was three hours ago.
    appt.refresh_from_db()
    assert appt.arrived_at is not None
    Appointment.objects.filter(pk=appt.pk).update(arrived_at=now - dt.timedelta(minutes=180))

    # The therapist confirms the escort; the gate turns green; the session starts.
    sign_in(page, "theo")
    page.goto(f"/staff/schedule/{appt.pk}/")
    page.get_by_role("link", name="Open the session and its dosing readiness gate").click()
    expect(page.locator('#gate [data-check="escort"]')).to_have_attribute("data-ok", "false")
    page.get_by_label("Escort's name").fill("Walter Skinner")
    page.get_by_label("Escort's phone").fill("(555) 010-0150")
    page.get_by_label("I have confirmed with the client").check()
    page.get_by_role("button", name="Confirm escort for today").click()
    expect(page.locator("#gate")).to_contain_text("Dosing readiness: ready to start")
    expect(page.locator('#gate [data-ok="false"]')).to_have_count(0)
    page.get_by_role("button", name="Start the dosing session").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dosing session record")
    dosing_url = page.url

    # 2. Today's suicide-risk check, the pre-dose checks (fasting hours, the hold),
    # and an in-range baseline taken 150 minutes ago.
    page.get_by_label("How the risk was checked").select_option("interview")
    page.get_by_label("No current suicidal ideation or behaviour reported").check()
    page.get_by_role("button", name="Record the risk check").click()
    expect(page.locator(".messages")).to_contain_text("Today's suicide-risk check recorded.")
    expect(page.get_by_label("Escort's name")).to_have_value("Walter Skinner")
    page.get_by_label("Hours since the client last ate").fill("6")
    page.get_by_label("Hours since the client last drank").fill("3")
    page.get_by_label("Held as prescribed").check()
    page.get_by_label("The client's intention for the session").fill("To put the crash down.")
    page.get_by_role("button", name="Save pre-dose checks").click()
    expect(page.locator(".messages")).to_contain_text("Pre-dose checks saved.")
    record_vitals(page, "baseline", minutes_ago(150), (124, 80), 74)
    # Judged now, the baseline is over an hour old; a dose within the hour after it is not.
    expect(page.locator("#clearance")).to_have_attribute("data-cleared", "false")
    expect(page.locator("#clearance li")).to_have_text(re.compile("more than 60 minutes old"))
    expect(page.locator("#dose-gate")).to_have_count(0)

    # 3. The EMDR record, from the session page: phases 1-3 and the assessment.
    page.get_by_role("link", name=re.compile("^← ")).click()  # the session, by its label
    page.get_by_role("button", name="Open an EMDR record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("EMDR record")
    emdr_url = page.url
    for number in (1, 2, 3):
        mark_phase(page, number)
    chart_loaded(page)
    assessment = page.locator("#assessment")
    assessment.get_by_label("Target memory").fill("The crash on the bridge.")
    assessment.get_by_label("Worst image").fill("Headlights in the rain.")
    assessment.get_by_label("Negative cognition", exact=True).fill("I am in danger.")
    assessment.get_by_label("Positive cognition", exact=True).fill("I am safe now.")
    assessment.get_by_label("VOC at start").fill("2")
    assessment.get_by_label("Emotions").fill("Fear")
    assessment.get_by_label("SUD at start").fill("8")
    assessment.get_by_label("Where it is felt in the body").fill("Chest")
    assessment.get_by_role("button", name="Save the assessment").click()
    expect(page.locator(".messages")).to_contain_text("Assessment saved.")
    chart_loaded(page)

    # 4. The dose, 140 minutes ago, given by Theo and witnessed by Ines.
    page.goto(dosing_url)
    expect(page.get_by_label("Dose (mg)")).to_have_value("100.0")
    reveal(page, "#id_dose-dose_mg")
    page.get_by_label("Dose (mg)").fill("80")
    page.get_by_label("Time given").fill(minutes_ago(140))
    expect(page.get_by_label("Given by")).to_have_value(str(theo.pk))
    page.get_by_label("Witnessed (or observed) by").select_option(label="Ines")
    page.get_by_role("button", name="Record the dose").click()
    expect(page.locator("#dose-given")).to_contain_text("80.0 mg sublingual")
    expect(page.locator("#dose-given")).to_contain_text("given by Theo, witnessed by Ines")

    # 5. EMDR record: phase 4, and three desensitisation sets (SUD 7, 5, 3).
    page.goto(emdr_url)
    mark_phase(page, 4)
    for number, sud in ((1, "7"), (2, "5"), (3, "3")):
        chart_loaded(page)
        sets = page.locator("#sets")
        sets.get_by_label("SUD (if checked)").fill(sud)
        sets.get_by_label("The client's report").fill(f"Report after set {number}.")
        sets.get_by_role("button", name="Log the set").click()
        expect(page.locator("#sets")).to_contain_text(f"Set {number} logged.")
        sud_cell = page.locator(f'#sets tr[data-set="{number}"] td').nth(4)
        expect(sud_cell).to_have_text(sud)
        expect(page.locator("table.timeline-data")).to_contain_text(f"Set {number}")
    chart_loaded(page)

    # 6. Dosing record: the peak check, 40 minutes after the dose; in range, no flag.
    page.goto(dosing_url)
    record_vitals(page, "monitoring", minutes_ago(100), (134, 86), 82)
    expect(page.locator("#vitals-table .flag")).to_have_count(0)
    expect(page.locator("#vitals-table [data-flagged]")).to_have_count(0)

    # 7. EMDR record: installation, body scan, closure; the picture loads.
    page.goto(emdr_url)
    for number in (5, 6, 7):
        mark_phase(page, number)
    chart_loaded(page)
    closing = page.locator("#closing")
    closing.get_by_label("Installation VOC").fill("6")
    closing.get_by_label("Body scan").fill("Clear.")
    closing.get_by_label("Complete", exact=True).check()
    closing.get_by_label("SUD at end").fill("1")
    closing.get_by_label("VOC at end").fill("6")
    closing.get_by_role("button", name="Save the closing").click()
    expect(page.locator(".messages")).to_contain_text("Closing saved.")
    chart_loaded(page)
    assert page.locator("#timeline-chart").evaluate("img => img.naturalWidth") > 0
    expect(page.locator("table.timeline-data")).to_contain_text("VOC at end")

    # 8. Dosing record: a before-discharge set, then discharge with every criterion met.
    page.goto(dosing_url)
    record_vitals(page, "discharge", minutes_ago(0), (122, 78), 72)
    for criterion in ("observation", "peak", "vitals"):
        expect(page.locator(f'[data-criterion="{criterion}"]')).to_have_attribute(
            "data-ok", "true"
        )
    page.wait_for_load_state("networkidle")
    reveal(page, "#id_discharge-alert_and_oriented")
    page.get_by_label("Alert and oriented").check()
    page.get_by_label("Walks steadily").check()
    page.get_by_label("Escort present", exact=True).check()
    page.get_by_label("Told not to drive until the next day").check()
    page.get_by_role("button", name="Discharge the client").click()
    expect(page.locator(".messages")).to_contain_text("Discharged. The session is completed.")
    expect(page.locator("#discharged")).to_contain_text("Vitals within the parameters")
    expect(page.locator("#early-discharge-reason")).to_have_count(0)

    # 9. The DAP note: signed and locked, then an addendum with its author and time.
    page.get_by_label("Data", exact=True).fill("Processed the crash; SUD 8 to 1.")
    page.get_by_label("Assessment", exact=True).fill("Tolerated 80 mg well; stable vitals.")
    page.get_by_label("Plan", exact=True).fill("Integration session next week.")
    page.get_by_role("button", name="Save the note").click()
    sign_note_in_page(page)
    expect(page.locator("#signed-note")).to_contain_text("Signed and locked")
    expect(page.get_by_label("Data", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Save the note")).to_have_count(0)
    page.get_by_label("Addendum").fill("Client called next morning: slept well.")
    page.get_by_role("button", name="Add the addendum").click()
    addenda = page.locator("#addenda")
    expect(addenda).to_contain_text("Client called next morning: slept well.")
    expect(addenda).to_contain_text(re.compile(r"Added \d{4}-\d{2}-\d{2} \d{2}:\d{2} by Theo"))

    # What the pages wrote.
    dose = Administration.objects.get()
    assert dose.dose_mg == 80
    assert dose.given_by is not None
    assert (dose.given_by.username, dose.witnessed_by.username) == ("theo", "ines")
    assert Discharge.objects.get().vitals_within_parameters
    assert SessionNote.objects.get().is_signed
    record = EmdrRecord.objects.get(session=ready.session)
    assert [s.sud for s in record.sets.order_by("number")] == [7, 5, 3]
    assert (record.sud_start, record.voc_start, record.installation_voc) == (8, 2, 6)
    ready.session.refresh_from_db()
    assert ready.session.status == SessionStatus.COMPLETED
    page.get_by_role("button", name="Sign out theo").click()

    # The prescriber reads the session summary in the partner portal.
    sign_in(page, "priya")
    page.goto("/partner/")
    # The home page also links the summary ("Sessions this week"); open the referral.
    referrals = page.get_by_role("table", name=re.compile("referral"))
    referrals.get_by_role("link", name="Dana Scully").click()
    page.get_by_role("link", name=re.compile("Session summary")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dosing session summary")
    expect(page.locator("#given")).to_contain_text("80.0 mg")
    vitals = page.locator("#vitals-table")
    for text in ("Baseline", "124/80", "134/86", "122/78"):
        expect(vitals).to_contain_text(text)
    expect(page.locator("#discharge")).to_contain_text("Alert and oriented")
    page.wait_for_function(
        "() => { const i = document.getElementById('timeline-chart');"
        " return i !== null && i.complete && i.naturalWidth > 0; }"
    )

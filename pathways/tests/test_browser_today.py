"""End to end: a therapist's Today (click into today's dosing session), and a
prescriber landing on the partner portal and opening the prescriptions and sessions
lists. Each page is checked with axe-core; screenshots are saved when PATHWAYS_SHOTS
names a directory."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from dosing.models import DosingRecord, SessionNote
from measures.models import SafetyAlert
from measures.tests.factories import make_response
from partners.models import ReferralStatus
from pathways.testing import (
    assert_accessible,
    make_client,
    make_consent_request,
    make_course,
    make_partner,
    make_prescriber,
    make_prescription,
    make_referral,
    make_request,
    make_session,
    make_user,
    sign_in,
)
from pathways.testing.browser import screenshot
from pathways.tests.support import today_at
from scheduling.models import AppointmentStatus, AppointmentType
from scheduling.tests.factories import make_appointment
from treatment.models import SessionKind, SessionStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page: Any, name: str) -> None:
    screenshot(page, f"today-{name}")


def practice() -> dict[str, Any]:
    """A therapist's day: a dosing session under way (its record open, its note not
    signed), a therapy appointment later, an open safety alert, a consent waiting;
    the prescriber's partner with the client's prescription ending in 10 days."""
    partner = make_partner("Blue Ridge Psychiatry")
    therapist = make_user("theo", Role.THERAPIST, first_name="Theo", last_name="Marsh")
    admin = make_user("ada", Role.ADMIN)
    prescriber = make_prescriber("rao", partner, first_name="Priya", last_name="Rao")
    client = make_client(first_name="Jordan", last_name="Rivera", assigned_therapist=therapist)
    referral = make_referral(client, partner, therapist, status=ReferralStatus.ELIGIBLE)
    rx = make_prescription(
        referral, prescriber, valid_to=timezone.localdate() + dt.timedelta(days=10)
    )
    session = make_session(
        make_course(client, therapist),
        SessionKind.DOSING,
        status=SessionStatus.IN_PROGRESS,
        started_at=timezone.now(),
        started_by=therapist,
        prescription=rx,
    )
    record = DosingRecord.objects.create(session=session, prescription=rx, opened_by=therapist)
    SessionNote.objects.create(session=session, author=therapist, data="Calm.")
    make_appointment(
        client,
        therapist,
        today_at(9),
        minutes=180,
        type=AppointmentType.KAP_DOSING,
        session=session,
        status=AppointmentStatus.IN_SESSION,
    )
    other = make_client(first_name="Casey", last_name="Nguyen", assigned_therapist=therapist)
    make_appointment(other, therapist, today_at(14), type=AppointmentType.PSYCHOTHERAPY)
    make_consent_request(other, therapist)
    answer = make_response(other, q9=1)
    SafetyAlert.objects.create(
        client=other, instrument=answer.instrument, response=answer, item=9, value=1
    )
    make_request(first_name="Robin", last_name="Ash")
    make_referral(make_client(first_name="Morgan", last_name="Lee"), partner, therapist)
    return {"record": record, "admin": admin}


def test_a_therapist_opens_todays_dosing_session_from_today(page: Any) -> None:
    data = practice()
    sign_in(page, "theo")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    appointments = page.get_by_role("region", name="Appointments today")
    expect(appointments.get_by_role("row")).to_have_count(3)  # the header and two
    expect(appointments).to_contain_text("In session")
    expect(page.get_by_role("region", name="Notes to sign")).to_contain_text("Jordan Rivera")
    alerts = page.get_by_role("region", name="Safety alerts needing same-day follow-up")
    expect(alerts.get_by_role("link", name="Casey Nguyen")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name=re.compile(r"^Safety alerts\W+1 open$"))).to_be_visible()
    assert_accessible(page)
    shot(page, "therapist")

    appointments.get_by_role(
        "link", name=re.compile(r"^Open the dosing record\W+Jordan Rivera")
    ).click()

    expect(page).to_have_url(f"{page.url.split('/staff/')[0]}/staff/dosing/{data['record'].pk}/")


def test_the_admin_sees_the_practices_today(page: Any) -> None:
    practice()
    sign_in(page, "ada")

    expect(page.get_by_role("region", name="New requests")).to_contain_text("Robin Ash")
    expect(page.get_by_role("region", name="Appointments today")).to_contain_text("Theo Marsh")
    assert_accessible(page)
    shot(page, "admin")


def test_a_prescriber_lands_on_the_portal_and_opens_the_lists(page: Any) -> None:
    data = practice()
    sign_in(page, "rao")

    expect(page).to_have_url(f"{page.url.split('/partner/')[0]}/partner/")
    expect(page.get_by_role("region", name="Referrals waiting for you")).to_contain_text(
        "Morgan Lee"
    )
    expect(page.get_by_role("region", name="Dosing sessions this week")).to_contain_text(
        "Jordan Rivera"
    )
    expect(
        page.get_by_role("region", name="Prescriptions ending in the next 14 days")
    ).to_contain_text("Jordan Rivera")
    assert_accessible(page)
    shot(page, "portal-home")

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Prescriptions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prescriptions")
    expect(page.get_by_role("table")).to_contain_text("Jordan Rivera")
    assert_accessible(page)
    shot(page, "portal-prescriptions")

    nav.get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dosing sessions")
    page.get_by_role("link", name=re.compile(r"^Session summary\W+for Jordan Rivera")).click()
    expect(page).to_have_url(
        f"{page.url.split('/partner/')[0]}/partner/sessions/{data['record'].pk}/"
    )
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dosing sessions")
    assert_accessible(page)
    shot(page, "portal-sessions")

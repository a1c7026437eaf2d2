"""The KAP pathway end to end, as the practice and its partner live it:
the therapist refers, the prescriber evaluates and prescribes, the client signs
consent through the link, and the therapist watches the dosing readiness gate
turn from red, with its reasons, to green."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.actor import Actor
from accounts.models import Role
from consents.models import ConsentKind
from consents.services import consent_documents_install_defaults
from partners.prescreen import PRESCREEN_ITEMS
from pathways.testing import PASSWORD, make_client, make_partner, make_prescriber, make_user
from treatment.models import SessionStatus, TreatmentSession

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LINK = re.compile(r"https?://\S+/consent/[A-Za-z0-9_-]{43}/")


def sign_in(page: Any, username: str) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def sign_out(page: Any, username: str) -> None:
    page.get_by_role("button", name=f"Sign out {username}").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


_opened: set[str] = set()


def newest_link(timeout: float = 10) -> str:
    """The newest e-mailed link not opened yet, waiting for its e-mail: the server
    thread may still be sending it when the page has already answered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(mail.outbox):
            for link in LINK.findall(str(message.body)):
                if link not in _opened:
                    _opened.add(link)
                    return str(link)
        time.sleep(0.1)
    raise AssertionError("no new link was e-mailed")


def client_signs_the_link(browser: Any, live_url: str, name: str) -> None:
    """The client opens the newest e-mailed link in a browser of their own and signs."""
    link = newest_link()
    context = browser.new_context()
    visitor = context.new_page()
    # The e-mail links to SITE_URL; the test's server listens elsewhere: keep the path.
    visitor.goto(live_url + urlparse(link).path)
    visitor.get_by_label("Your full name").fill(name)
    visitor.get_by_label("I have read this document and I agree to it").check()
    visitor.get_by_role("button", name="Sign this document").click()
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Thank you")
    context.close()


def send_consent(page: Any, client_id: int, kind: str, partner: str | None = None) -> None:
    page.goto(f"/staff/clients/{client_id}/consents/")
    page.get_by_role("link", name="Send a consent form").click()
    page.get_by_label("Consent form").select_option(kind)
    if partner:
        page.get_by_label(re.compile("partner", re.IGNORECASE)).select_option(label=partner)
    page.get_by_role("button", name="Create the signing link").click()
    expect(page.locator(".messages")).to_contain_text("sent to the client's e-mail")


def gate_check(page: Any, key: str) -> Any:
    return page.locator(f'#gate li[data-check="{key}"]')


def test_it_opens_the_dosing_gate_only_when_the_pathway_is_complete(
    page: Any, browser: Any, live_server: Any
) -> None:
    consent_documents_install_defaults(actor=Actor.system())
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    make_prescriber("priya", partner, first_name="Priya")
    client = make_client(
        first_name="Wren",
        last_name="Halloway",
        email="wren@example.com",
        assigned_therapist=theo,
        escort_name="Sasha Halloway",
        escort_phone="(555) 010-0161",
    )

    # The therapist asks for the release of information, and the client signs it.
    sign_in(page, "theo")
    send_consent(page, client.pk, ConsentKind.ROI, partner.name)
    client_signs_the_link(browser, live_server.url, "Wren Halloway")

    # A KAP course with a preparation session done and a dosing session planned today.
    page.goto(f"/staff/clients/{client.pk}/course/")
    page.get_by_role("link", name="Start a treatment course").click()
    page.get_by_label("Modality").select_option("kap")
    page.get_by_label("Goals of the course").fill("Lift mood; reconnect with friends.")
    page.get_by_role("button", name="Save course").click()
    for kind in ("preparation", "dosing"):
        page.get_by_label("Session type").select_option(kind)
        page.get_by_label("Planned date (optional)").fill(timezone.localdate().isoformat())
        page.get_by_role("button", name="Add session").click()
    page.get_by_role("link", name=re.compile("Preparation 1 of")).click()
    page.get_by_role("button", name="Start the session").click()
    page.get_by_role("button", name="Mark the session completed").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Completed")
    page.get_by_role("link", name=re.compile("KAP course for")).click()
    page.get_by_role("link", name=re.compile("Dosing 1 of")).click()
    dosing_url = page.url

    # Red, and it says why.
    expect(page.get_by_role("heading", name=re.compile("Dosing readiness"))).to_contain_text(
        "not ready"
    )
    for key in ("referral", "prescription", "consent", "release", "escort"):
        expect(gate_check(page, key)).to_have_attribute("data-ok", "false")
    expect(gate_check(page, "preparation")).to_have_attribute("data-ok", "true")
    expect(gate_check(page, "safety")).to_have_attribute("data-ok", "true")
    expect(gate_check(page, "referral")).to_contain_text("No eligible evaluation.")
    expect(page.get_by_role("button", name="Start the dosing session")).to_have_count(0)

    # The therapist refers the client.
    page.goto(f"/staff/referrals/new/{client.pk}/")
    page.get_by_label("Medication-management partner").select_option(label=partner.name)
    page.get_by_label("Reason for referral").fill("Depression that two SSRIs have not lifted.")
    prescreen = page.get_by_role(
        "group", name="Pre-screen (informs the prescriber; it does not decide eligibility)"
    )
    for _, label in PRESCREEN_ITEMS:
        prescreen.get_by_role("group", name=label).get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("status")).to_contain_text("Referral sent to Blue Ridge Psychiatry.")
    sign_out(page, "theo")

    # The prescriber schedules the evaluation, finds the client eligible and prescribes.
    sign_in(page, "priya")
    page.goto("/partner/")
    # The new referral waits for the prescriber on the portal's home page.
    waiting = page.get_by_role("region", name=re.compile("^Referrals waiting for you"))
    waiting.get_by_role("link", name="Wren Halloway").click()
    when = timezone.localtime() + dt.timedelta(days=1)
    page.get_by_label("Evaluation date and time").fill(when.strftime("%Y-%m-%dT10:30"))
    page.get_by_role("button", name="Schedule evaluation").click()
    page.get_by_label("Eligible", exact=True).check()
    page.get_by_role("button", name="Record evaluation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluated: eligible")
    page.get_by_role("link", name="Write a prescription").click()
    today = timezone.localdate()
    page.get_by_label("Authorised for").select_option("kap")
    page.get_by_label("Route and formulation").select_option("sublingual")
    page.get_by_label("Dose per session (mg)").fill("200")
    page.get_by_label("Dosing sessions authorised").fill("6")
    page.get_by_label("Valid from").fill(today.isoformat())
    page.get_by_label("Valid to (last day)").fill((today + dt.timedelta(days=90)).isoformat())
    page.get_by_label("Fasting from food (hours before dosing)").fill("4")
    page.get_by_label("Fasting from clear liquids (hours before dosing)").fill("2")
    page.get_by_label("Other notes on fasting").fill("No food for 4 hours before.")
    # Of the suggested holds, benzodiazepines for 24 hours; the others cleared.
    page.get_by_label("Hours before dosing (1)", exact=True).fill("24")
    for row in range(2, 6):
        page.get_by_label(f"Medication to hold ({row})").fill("")
    page.get_by_label("Lowest heart rate (/min)").fill("50")
    page.get_by_label("Highest heart rate (/min)").fill("110")
    page.get_by_label("Lowest SpO2 (%)").fill("94")
    page.get_by_role("button", name="Write the prescription").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prescription, version 1")
    sign_out(page, "priya")

    # The gate has moved: referral, prescription and release are met; consent and escort not.
    sign_in(page, "theo")
    page.goto(dosing_url)
    for key in ("referral", "prescription", "release", "preparation", "safety"):
        expect(gate_check(page, key)).to_have_attribute("data-ok", "true")
    for key in ("consent", "escort"):
        expect(gate_check(page, key)).to_have_attribute("data-ok", "false")

    # The client signs the KAP consent through the link.
    send_consent(page, client.pk, ConsentKind.KAP)
    client_signs_the_link(browser, live_server.url, "Wren Halloway")

    # On the day: the escort is confirmed, and the gate turns green.
    page.goto(dosing_url)
    expect(gate_check(page, "consent")).to_have_attribute("data-ok", "true")
    expect(gate_check(page, "escort")).to_have_attribute("data-ok", "false")
    expect(page.get_by_label("Escort's name")).to_have_value("Sasha Halloway")
    page.get_by_label("I have confirmed with the client").check()
    page.get_by_role("button", name="Confirm escort for today").click()
    expect(page.get_by_role("heading", name=re.compile("Dosing readiness"))).to_contain_text(
        "ready to start"
    )
    expect(page.locator('#gate li[data-ok="false"]')).to_have_count(0)
    page.get_by_role("button", name="Start the dosing session").click()
    # Starting the session opens its dosing record.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dosing session record")

    session = TreatmentSession.objects.get(kind="dosing")
    assert session.status == SessionStatus.IN_PROGRESS
    assert session.prescription is not None

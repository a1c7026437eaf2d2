"""End to end, as a new visitor and then the intake coordinator would use the site."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from playwright.sync_api import expect

from clients.models import Client
from intake.models import AppointmentRequest, RequestStatus
from pathways.management.commands.seed_demo import DEMO_PASSWORD
from website import page_cache

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server: Any) -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_it_takes_a_visitor_from_home_page_to_a_client_record(page: Any, demo: None) -> None:
    # The home page, with the crisis line on it, and the KA-EMDR page.
    page.goto("/")
    expect(page.get_by_role("complementary", name="Crisis support")).to_contain_text("988")
    page.get_by_role("link", name="Ketamine-Assisted EMDR (KA-EMDR)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ketamine-Assisted EMDR (KA-EMDR)")
    expect(page.get_by_role("region", name="Safety")).to_contain_text(
        "No driving until the next day"
    )

    # "Which service fits me?"
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Which service fits me?").click()
    page.get_by_label("Distressing memories or past experiences").check()
    for question in ("tried therapy", "interested in a therapy", "open to EMDR", "drive you home"):
        page.get_by_role("group", name=re.compile(question)).get_by_label("Yes").check()
    page.get_by_role("button", name="Show my suggestions").click()
    expect(page.locator(".results")).to_contain_text("not a diagnosis")
    expect(page.locator(".suggestions li").first).to_contain_text("KA-EMDR")
    cta = "Request an appointment for Ketamine-Assisted EMDR (KA-EMDR)"
    page.get_by_role("link", name=cta).click()

    # The request form, with the service pre-selected; a mistake first.
    service = page.get_by_label("Service you are interested in")
    expect(service.locator("option:checked")).to_have_text("Ketamine-Assisted EMDR (KA-EMDR)")
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Testperson")
    page.get_by_role("textbox", name=re.compile("^E-mail")).fill("robin@")
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("#id_email_error")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Robin")
    expect(service.locator("option:checked")).to_have_text("Ketamine-Assisted EMDR (KA-EMDR)")

    page.get_by_role("textbox", name=re.compile("^E-mail")).fill("robin@example.com")
    page.get_by_role("textbox", name=re.compile("^Phone")).fill("(555) 010-0142")
    page.get_by_label("Phone call").check()
    page.get_by_label("Weekday evenings").check()
    page.get_by_label("In a few words").fill("Memories of a car accident keep coming back.")
    page.get_by_label("How did you hear about us?").select_option("friend")
    page.get_by_label("I agree that the practice may contact me").check()
    page.get_by_label("I understand this form is not for emergencies").check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("received your request"))
    assert "Robin" not in page.url
    assert AppointmentRequest.objects.filter(last_name="Testperson").count() == 1

    # The intake coordinator signs in, finds the request and works it to a client.
    page.get_by_role("link", name="Staff sign-in").click()
    page.get_by_label("Username").fill("intake")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The nav link counts the new requests ("Requests: 1 new").
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile(r"^Requests\b")
    ).click()
    page.get_by_role("link", name="Robin Testperson").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Robin Testperson")

    # An internal note, added in place through htmx.
    page.get_by_label("Add an internal note").fill("Left a voicemail.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".notes")).to_contain_text("Left a voicemail.")

    page.get_by_label("Assigned clinician").select_option(label="Theo Therapist, LPC")
    page.get_by_role("button", name="Assign").click()
    for status in ("Contacted", "Scheduled"):
        page.get_by_role("button", name=f"Mark as {status.lower()}").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(status)
    # Converting asks for a confirm: the first button opens it, the second converts.
    page.get_by_text("Convert to client").first.click()
    page.locator("form.confirm-form").get_by_role("button", name="Convert to client").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Robin Testperson")
    # The chart's header names the assigned therapist.
    expect(page.locator(".chart-facts")).to_contain_text(
        re.compile(r"Therapist\s*Theo Therapist, LPC")
    )
    client = Client.objects.get(last_name="Testperson")
    assert client.source_request.status == RequestStatus.CONVERTED
    assert client.assigned_therapist is not None
    assert client.assigned_therapist.username == "therapist"


def test_it_takes_a_request_from_the_kept_form_page(page: Any, demo: None) -> None:
    # A first visitor: the blank page is kept (website.page_cache.cached_form_page).
    page.goto("/request-an-appointment/")
    first_token = page.locator('input[name="token"]').input_value()
    assert caches["pages"].get("public-page-form:request-fields:") is not None
    # Another visitor (no cookie): the kept page, with tokens of their own put in.
    page.context.clear_cookies()
    page.goto("/request-an-appointment/")
    token = page.locator('input[name="token"]').input_value()
    assert token != first_token
    assert page_cache.TOKEN_MARK not in page.content()
    assert page_cache.CSRF_MARK not in page.content()

    page.get_by_label("First name").fill("Kept")
    page.get_by_label("Last name").fill("Pagevisitor")
    page.get_by_role("textbox", name=re.compile("^E-mail")).fill("kept@example.com")
    page.get_by_role("textbox", name=re.compile("^Phone")).fill("(555) 010-0177")
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("In a few words").fill("Asking about KAP.")
    page.get_by_label("I agree that the practice may contact me").check()
    page.get_by_label("I understand this form is not for emergencies").check()
    page.get_by_role("button", name="Send my request").click()

    # The browser's CSRF cookie (set with the kept page) and the token put in it match.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("received your request"))
    stored = AppointmentRequest.objects.get(last_name="Pagevisitor")
    assert str(stored.submission_token) == token


def test_it_sends_a_contact_message_from_the_keyboard_alone(page: Any, demo: None) -> None:
    page.goto("/contact/")

    # The first Tab stop is the skip link; it moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"

    def tab_to(element_id: str) -> None:
        for _ in range(40):
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.id")
            assert focused != "id_website", "the honeypot must never take focus"
            if focused == element_id:
                return
        raise AssertionError(f"Tab never reached #{element_id}")

    tab_to("id_name")
    page.keyboard.type("Kim Keyboard")
    tab_to("id_email")
    page.keyboard.type("kim@example.com")
    tab_to("id_message")
    page.keyboard.type("Do you offer evening sessions?")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Send message"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your message")


@pytest.mark.parametrize(
    "path", ["/request-an-appointment/", "/contact/", "/which-service-fits-me/", "/staff/sign-in/"]
)
def test_it_labels_every_field(page: Any, demo: None, path: str) -> None:
    page.goto(path)
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter(el => el.type !== 'hidden' && !el.closest('[aria-hidden=true]'))
            .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label'))
            .map(el => el.name)"""
    )
    assert unlabelled == []


@pytest.mark.parametrize("path", ["/", "/services/kap/", "/request-an-appointment/"])
def test_it_fits_a_phone_screen_without_sideways_scrolling(
    page: Any, demo: None, path: str
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(path)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    expect(page.get_by_role("complementary", name="Crisis support")).to_be_visible()

"""End to end: staff send PHQ-9 + GAD-7; the client answers on a phone-sized screen,
saves, comes back, is stopped by a missing answer, submits; the link then says it was
used; staff see the scores."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Role
from measures.models import Response
from pathways.testing import PASSWORD, make_client, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/measures/[A-Za-z0-9_-]{43}/")


def _answer(page: Any, position: int, label: str) -> None:
    group = page.get_by_role("group", name=re.compile(rf"Question {position} of 16\b"))
    group.get_by_label(label, exact=True).check()


def _fits_the_screen(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide on a 360px screen"


def test_it_sends_a_questionnaire_that_the_client_answers_on_a_phone(
    page: Any, browser: Any, live_server: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    call_command("load_instruments", stdout=StringIO())
    make_user("theo", Role.THERAPIST, first_name="Theo")
    from accounts.models import User

    therapist = User.objects.get(username="theo")
    client = make_client(
        first_name="Marisol",
        last_name="Vantongeren",
        email="marisol@example.com",
        assigned_therapist=therapist,
    )

    # The therapist sends PHQ-9 and GAD-7 from the client page.
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill("theo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/staff/clients/{client.pk}/measures/")
    page.locator("#measures").get_by_role("link", name="Send measures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send questionnaires")
    page.get_by_label("PHQ-9: Patient Health Questionnaire-9").check()
    page.get_by_label("GAD-7", exact=False).check()
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".messages")).to_contain_text("sent to the client's e-mail")

    [email] = mail.outbox
    assert email.to == ["marisol@example.com"]
    for word in ("Marisol", "PHQ", "GAD"):
        assert word not in str(email.body)
    match = LINK.search(str(email.body))
    assert match, email.body
    link = match.group(0)

    # The client, on a 360 px wide phone, answers part and saves.
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    context.set_default_timeout(10_000)
    phone = context.new_page()
    errors: list[str] = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        phone.goto(link)
        expect(phone.get_by_role("heading", level=1)).to_have_text("A short questionnaire")
        expect(phone.locator("main")).not_to_contain_text("Marisol")
        # A phone shows one question at a time; this client chooses to see them all.
        phone.get_by_role("button", name="All questions").click()
        expect(phone.locator("#progress-text")).to_contain_text("0 of 16 questions answered")
        _fits_the_screen(phone)
        for position in range(1, 6):
            _answer(phone, position, "Several days")
        phone.get_by_role("button", name="Save and continue later").click()
        expect(phone.locator(".messages")).to_contain_text("Your answers are saved")
        expect(phone.locator("#progress-text")).to_contain_text("5 of 16 questions answered")

        # Later, through the same link: the answers are there.
        phone.goto("about:blank")
        phone.goto(link)
        group = phone.get_by_role("group", name=re.compile(r"Question 3 of 16\b"))
        expect(group.get_by_label("Several days", exact=True)).to_be_checked()
        # The list follows the send form: GAD-7 (questions 1–7), then PHQ-9 (8–16).
        for position in range(6, 8):
            _answer(phone, position, "Not at all")
        for position in range(8, 16):  # PHQ-9 items 1–8; item 9 left out
            _answer(phone, position, "More than half the days")
        phone.get_by_role("group", name=re.compile("how difficult")).get_by_label(
            "Somewhat difficult"
        ).check()
        phone.get_by_role("button", name="Submit my answers").click()

        # Refused, with the message beside the one missing item.
        expect(phone.locator("#error-summary")).to_contain_text("1 question still needs")
        error = phone.locator("#id_phq9-9_error")
        expect(error).to_have_text("Answer this question before you submit.")
        missing = phone.get_by_role("group", name=re.compile(r"Question 16 of 16\b"))
        expect(missing).to_contain_text("Answer this question before you submit.")
        _fits_the_screen(phone)

        missing.get_by_label("Not at all", exact=True).check()
        phone.get_by_role("button", name="Submit my answers").click()
        expect(phone.get_by_role("heading", level=1)).to_have_text(
            "Thank you, your answers have been sent"
        )
        expect(phone.locator("#crisis-resources")).to_have_count(0)

        # The link works once.
        phone.goto(link)
        expect(phone.get_by_role("heading", level=1)).to_have_text(
            "This link has already been used"
        )
        expect(phone.locator("form")).to_have_count(0)
    finally:
        context.close()
    assert errors == [], errors

    scores = {r.instrument.code: r.total for r in Response.objects.select_related("instrument")}
    assert scores == {"phq9": 16, "gad7": 5}

    # Staff see the scores.
    page.goto(f"/staff/measures/client/{client.pk}/")
    rows = page.locator("#responses tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#responses")).to_contain_text("PHQ-9")
    expect(page.locator("#responses")).to_contain_text("Moderately severe")
    expect(page.locator("#responses")).to_contain_text("GAD-7")
    expect(page.locator("#responses")).to_contain_text("Mild")

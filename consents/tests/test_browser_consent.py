"""End to end: a therapist sends the KAP consent, the client signs it on the link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.actor import Actor
from accounts.models import Role
from consents.models import ConsentKind, SignedConsent
from consents.services import consent_documents_install_defaults
from pathways.testing import PASSWORD, make_client, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/consent/[A-Za-z0-9_-]{43}/")


def test_it_sends_a_consent_that_the_client_signs_once(
    page: Any, browser: Any, live_server: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    consent_documents_install_defaults(actor=Actor.system())
    therapist = make_user("theo", Role.THERAPIST, first_name="Theo")
    client = make_client(
        first_name="Marisol",
        last_name="Vantongeren",
        email="marisol@example.com",
        assigned_therapist=therapist,
    )

    # The therapist signs in, opens the client and sends the KAP consent.
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill("theo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/staff/clients/{client.pk}/consents/")
    page.get_by_role("link", name="Send a consent form").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send a consent form")
    page.get_by_label("Consent form").select_option(ConsentKind.KAP)
    page.get_by_role("button", name="Create the signing link").click()
    expect(page.locator(".messages")).to_contain_text("sent to the client's e-mail")
    page.goto(f"/staff/clients/{client.pk}/consents/")  # the chart's consents tab
    consents = page.locator("#consents")
    expect(consents).to_contain_text("Waiting for signature")
    expect(consents).to_contain_text("Informed consent for ketamine-assisted psychotherapy")

    [email] = mail.outbox
    assert email.to == ["marisol@example.com"]
    match = LINK.search(str(email.body))
    assert match, email.body
    link = match.group(0)
    assert "Marisol" not in email.body

    # The client, in a browser of their own, reads and signs. A mistake first.
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(10_000)
    visitor = context.new_page()
    try:
        visitor.goto(link)
        expect(visitor.get_by_role("heading", level=1)).to_contain_text(
            "ketamine-assisted psychotherapy"
        )
        expect(visitor.get_by_role("complementary", name="Crisis support")).to_contain_text("988")
        expect(visitor.locator("main")).not_to_contain_text("Marisol")
        visitor.get_by_label("Your full name").fill("Marisol Vantongeren")
        visitor.get_by_role("button", name="Sign this document").click()
        expect(visitor.locator("#id_agreed_error")).to_be_visible()
        expect(visitor.get_by_label("Your full name")).to_have_value("Marisol Vantongeren")

        visitor.get_by_label("I have read this document and I agree to it").check()
        visitor.get_by_role("button", name="Sign this document").click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text(
            "Thank you, your signature has been recorded"
        )
        assert visitor.url.endswith("/consent/done/")

        # The link works once.
        visitor.goto(link)
        expect(visitor.locator("main")).to_contain_text(
            "This link has expired or has already been used."
        )
        expect(visitor.locator("main")).not_to_contain_text("ketamine")
    finally:
        context.close()

    signed = SignedConsent.objects.get()
    assert signed.typed_name == "Marisol Vantongeren"

    # Back on the client page, the therapist sees the consent in force.
    page.reload()
    consents = page.locator("#consents")
    expect(consents).to_contain_text("In force")
    expect(
        consents.get_by_role("link", name=re.compile("ketamine-assisted psychotherapy"))
    ).to_be_visible()
    expect(consents).not_to_contain_text("Waiting for signature")
    consents.get_by_role("link", name=re.compile("ketamine-assisted psychotherapy")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("In force")
    expect(page.locator("main")).to_contain_text("Marisol Vantongeren")

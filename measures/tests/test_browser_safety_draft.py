"""Issue 8 §5, end to end: a client answers PHQ-9 item 9 "Nearly every day", leaves
every other question blank and presses "Save and continue later". The crisis
lines come first on the page, the alert exists and the therapist's e-mail is
queued, before anything is submitted."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Role
from measures import services
from measures.models import Response, SafetyAlert
from measures.tests.support import SYSTEM
from notifications.models import OutboundEmail
from pathways.testing import make_client, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_raises_the_alert_when_the_client_saves_for_later(
    page: Any, live_server: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    call_command("load_instruments", stdout=StringIO())
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    client = make_client(
        first_name="Marisol", last_name="Vantongeren", email="", assigned_therapist=theo
    )
    _, token = services.link_send(actor=SYSTEM, client=client, codes=["phq9", "pcl5"])

    page.goto(f"/measures/{token}/")
    # PHQ-9 item 9 is question 9 of 29 (PHQ-9, then the 20 PCL-5 items).
    item_9 = page.get_by_role("group", name=re.compile(r"Question 9 of 29\b"))
    item_9.get_by_label("Nearly every day", exact=True).check()
    page.get_by_role("button", name="Save and continue later").click()

    crisis = page.locator("#crisis-resources")
    expect(crisis).to_be_visible()
    expect(crisis.get_by_role("link", name="988").first).to_have_attribute("href", "tel:988")
    expect(crisis.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
    expect(crisis).to_contain_text(settings.PRACTICE_PHONE)
    # The crisis lines come before the questionnaire's own heading.
    first_heading = page.locator("main h1, main h2").first
    expect(first_heading).to_have_text("Help is here, right now")
    expect(page.locator(".messages")).to_contain_text("Your answers are saved")
    expect(page.locator("#progress-text")).to_contain_text("1 of 29 questions answered")

    alert = SafetyAlert.objects.get()
    assert (alert.client_id, alert.item, alert.value) == (client.pk, 9, 3)
    assert alert.response is None
    assert alert.is_open
    assert not Response.objects.exists()
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == [theo.email]

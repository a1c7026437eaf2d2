"""Printing (issue 11 §7, static/css/print.css): a prescription, a signed note and a
signed consent print black on white with their title and the client's name, without
the navigation, the footer, buttons or forms."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from dosing import services as dosing_services
from dosing.tests.support import actor_as, open_record
from pathways.testing import make_partner, make_prescriber, make_signed_consent, make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLACK = "rgb(0, 0, 0)"


def _prints_cleanly(page: Any, client_name: str) -> None:
    page.emulate_media(media="print")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main")).to_contain_text(client_name)
    expect(page.locator(".site-header nav")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    # No button, form or sticky bar is left on paper.
    furniture = page.locator("main button:visible, main form:visible, main .button:visible")
    assert furniture.count() == 0
    sticky = page.evaluate(
        "[...document.querySelectorAll('body *')]"
        ".filter(e => ['sticky', 'fixed'].includes(getComputedStyle(e).position)).length"
    )
    assert sticky == 0
    colours = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('main h1'));"
        " const b = getComputedStyle(document.body);"
        " return [s.color, b.backgroundColor]; })()"
    )
    assert colours == [BLACK, "rgb(255, 255, 255)"]
    # An internal link prints no address after it.
    after = page.evaluate(
        "getComputedStyle(document.querySelector('main a[href^=\"/\"]'), '::after').content"
    )
    assert after in ("none", "normal", '""')
    # What is folded away on screen prints open.
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<details><summary>Step</summary><p id=\"folded\">Folded text</p></details>')"
    )
    expect(page.locator("#folded")).to_be_visible()


def test_it_prints_a_prescription_without_the_screens_furniture(page: Any) -> None:
    therapist = make_user("theo", Role.THERAPIST, first_name="Theo")
    partner = make_partner("Blue Ridge Psychiatry")
    ready, _ = open_record(therapist, make_prescriber("priya", partner), partner)
    assert ready.prescription is not None

    sign_in(page, "theo")
    page.goto(reverse("prescriptions:detail", args=[ready.prescription.pk]))
    _prints_cleanly(page, ready.session.course.client.full_name)
    assert page.pdf()[:4] == b"%PDF"


def test_it_prints_a_signed_note(page: Any) -> None:
    therapist = make_user("theo", Role.THERAPIST, first_name="Theo")
    partner = make_partner("Blue Ridge Psychiatry")
    ready, record = open_record(therapist, make_prescriber("priya", partner), partner)
    actor = actor_as(therapist)
    dosing_services.note_save(
        actor=actor,
        record=record,
        data="Client described a warm, spacious experience.",
        assessment="Tolerated the dose well.",
        plan="Integration session next week.",
    )
    dosing_services.note_sign(actor=actor, record=record)

    sign_in(page, "theo")
    page.goto(reverse("dosing:record", args=[record.pk]))
    _prints_cleanly(page, ready.session.course.client.full_name)


def test_it_prints_a_signed_consent(page: Any) -> None:
    therapist = make_user("theo", Role.THERAPIST, first_name="Theo")
    partner = make_partner("Blue Ridge Psychiatry")
    ready, _ = open_record(therapist, make_prescriber("priya", partner), partner)
    client = ready.session.course.client
    signed = make_signed_consent(client)

    sign_in(page, "theo")
    page.goto(reverse("consents:detail", args=[signed.pk]))
    _prints_cleanly(page, client.full_name)

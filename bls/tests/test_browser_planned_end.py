"""The planned end of reprocessing in the browser (issue 12 §3): before the dose the
therapist plans the end on the EMDR record and sees where a dose given now would
peak against it; a time out of range is answered beside the field, keeping what was
typed. axe-core checks the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from bls.tests.support import make_emdr_session
from pathways.testing import assert_accessible, make_partner, make_prescriber, make_user, sign_in
from pathways.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_plans_the_end_and_places_a_dose_now_against_it(page: Any) -> None:
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    priya = make_prescriber("priya", partner, first_name="Priya")
    emdr = make_emdr_session(theo, priya, partner)
    sign_in(page, "theo")
    page.goto(f"/staff/emdr/{emdr.record.pk}/")

    # A year the browser's picker allows but the session does not (typed by hand).
    page.evaluate(
        "document.getElementById('id_planned_reprocessing_end').type = 'text'; "
        "document.getElementById('id_planned_reprocessing_end').value = '9999-12-31T23:59'"
    )
    page.get_by_role("button", name="Save the planned end").click()
    expect(page.locator("#dose-window")).to_contain_text(
        "The planned end must be within a day of the session."
    )
    expect(page.get_by_label("Planned end of reprocessing")).to_have_value("9999-12-31T23:59")

    # Twenty minutes from now: a sublingual dose now peaks in about 45.
    soon = timezone.localtime() + dt.timedelta(minutes=20)
    page.get_by_label("Planned end of reprocessing").fill(soon.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save the planned end").click()

    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        "Planned end of reprocessing saved."
    )
    expect(page.locator("#planned-peak")).to_contain_text("A dose given now (sublingual)")
    expect(page.locator("#planned-peak-flag")).to_be_visible()
    screenshot(page, "emdr-planned-end")
    assert_accessible(page)

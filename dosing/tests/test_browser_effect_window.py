"""The expected effect window in the browser (issue 12 §3), at desktop width: the
console's bar counts down to the expected peak of a KA-EMDR dose (the JavaScript
keeps the server's words), the chart's text alternative names the window, and the
EMDR record places the peak against the phases and flags one after reprocessing
ended. axe-core checks both pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from bls.tests.support import give, make_emdr_session, mark, take_vitals
from dosing.effect_window import PLANNING_NOTE
from pathways.testing import assert_accessible, make_partner, make_prescriber, make_user, sign_in
from pathways.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_expected_peak_on_the_console_and_the_record(page: Any) -> None:
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    priya = make_prescriber("priya", partner, first_name="Priya")
    emdr = make_emdr_session(theo, priya, partner)
    start = emdr.start  # an hour ago
    take_vitals(emdr.session, theo, start + dt.timedelta(minutes=30))
    given = give(emdr.session, theo, start + dt.timedelta(minutes=40))  # sublingual
    for phase, minute in ((3, 30), (4, 38), (5, 50)):
        mark(emdr.record, phase, start + dt.timedelta(minutes=minute), theo)

    sign_in(page, "theo")
    page.goto(f"/staff/dosing/{given.record_id}/")
    # Dosed 20 minutes ago; the sublingual peak is about 45 min after the dose.
    expect(page.locator("[data-peak-text]")).to_have_text(
        re.compile(r"^Expected peak in 2[45] minutes$")
    )
    expect(page.locator("#bar-peak")).to_contain_text(PLANNING_NOTE)
    # The picture is its own request (dosing:timeline_svg): wait for it to load.
    page.wait_for_function(
        "() => { const i = document.getElementById('timeline-chart');"
        " return i !== null && i.complete && i.naturalWidth > 0; }"
    )
    screenshot(page, "window-console", full_page=False)
    assert_accessible(page)

    page.goto(f"/staff/emdr/{emdr.record.pk}/")
    expect(page.locator("#peak-position")).to_contain_text("after reprocessing ended")
    expect(page.locator("#peak-flag")).to_have_text(
        re.compile("Expected peak after reprocessing ended")
    )
    screenshot(page, "window-emdr-record")
    assert_accessible(page)

"""The dosing console in the browser (issue 11 §3)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Role
from dosing.tests.support import add_vitals, cleared, give_dose, open_record
from pathways.testing import make_partner, make_prescriber, make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_measures_the_console_mid_session(page: Any) -> None:
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    ada = make_user("ada", Role.ADMIN, first_name="Ada")
    priya = make_prescriber("priya", partner, first_name="Priya")
    _ready, record = open_record(theo, priya, partner)
    cleared(record, theo, minutes_ago=80)
    give_dose(record, theo, ada, minutes_ago=75)
    add_vitals(record, theo, phase="monitoring", minutes_ago=35)
    sign_in(page, "theo")
    page.goto(f"/staff/dosing/{record.pk}/")
    height = page.evaluate("document.body.scrollHeight")
    print(f"\nCONSOLE HEIGHT {height}")

"""Issue 8's browser tests for the dosing record:

- the prescription is revised in the partner portal while the session is open:
  the record shows the new version, the old dose cap is refused, and the dose given
  says which version governed it;
- an early discharge: refused without a reason (the page lists what is unmet), then
  recorded with a clinician's reason, and the prescriber is told.

The record is opened and its pre-dose checks recorded through the services, so
that each test walks only its own flow in the browser.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from dosing import services
from dosing.models import Administration, Discharge, DosingRecord
from dosing.tests.support import actor_as, add_vitals, ago, local, predose_done, reveal
from pathways.testing import PASSWORD, make_partner, make_prescriber, make_user
from prescriptions.models import Prescription
from treatment.models import TreatmentSession
from treatment.tests.support import make_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, username: str) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def sign_out(page: Any, username: str) -> None:
    page.get_by_role("button", name=f"Sign out {username}").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def open_cleared_record(minutes_started: int = 180) -> tuple[Any, DosingRecord, dict[str, Any]]:
    partner = make_partner("Blue Ridge Psychiatry")
    people = {
        "theo": make_user("theo", Role.THERAPIST, first_name="Theo"),
        "ada": make_user("ada", Role.ADMIN, first_name="Ada"),
        "priya": make_prescriber("priya", partner, first_name="Priya"),
    }
    ready = make_ready(people["theo"], people["priya"], partner)
    record, _ = services.record_open(actor=actor_as(people["theo"]), session=ready.session)
    assert record is not None
    TreatmentSession.objects.filter(pk=ready.session.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=minutes_started)
    )
    record.refresh_from_db()
    record.session.refresh_from_db()
    predose_done(record)
    return ready, record, people


def give_dose_in_page(page: Any, mg: str, witness: Any, minutes_ago: int = 0) -> None:
    reveal(page, "#id_dose-dose_mg")
    page.get_by_label("Dose (mg)").fill(mg)
    page.get_by_label("Time given").first.fill(local(ago(minutes_ago)))
    page.get_by_label("Witnessed (or observed) by").first.select_option(value=str(witness.pk))
    page.get_by_role("button", name="Record the dose").click()


def test_a_prescription_revised_mid_session_governs_the_dose(page: Any) -> None:
    _ready, record, people = open_cleared_record()
    add_vitals(record, people["theo"], minutes_ago=10)

    sign_in(page, "theo")
    page.goto(f"/staff/dosing/{record.pk}/")
    expect(page.locator("#rx-in-force")).to_contain_text("version 1")
    expect(page.locator("#clearance")).to_have_attribute("data-cleared", "true")
    sign_out(page, "theo")

    # Meanwhile the prescriber lowers the dose in the portal: version 2.
    sign_in(page, "priya")
    page.goto(f"/partner/prescriptions/{record.prescription_id}/revise/")
    page.get_by_label("Dose per session (mg)").fill("80")
    page.get_by_role("button", name="Save version 2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prescription, version 2")
    sign_out(page, "priya")

    # Back on the record: version 2 governs at once; the old cap is refused.
    sign_in(page, "theo")
    page.goto(f"/staff/dosing/{record.pk}/")
    expect(page.locator("#rx-in-force")).to_contain_text("version 2")
    expect(page.locator("#rx-in-force")).to_contain_text("revised since the record opened")
    give_dose_in_page(page, "100", people["ada"])
    expect(
        page.get_by_text("The amount cannot exceed the prescription's 80.0 mg.")
    ).to_be_visible()
    assert not Administration.objects.exists()
    give_dose_in_page(page, "80", people["ada"])
    expect(page.locator("#dose-given")).to_contain_text("governed by prescription version 2")
    given = Administration.objects.get()
    assert given.prescription == Prescription.objects.get(version=2)
    assert given.dose_mg == Decimal("80")


def test_an_early_discharge_needs_a_clinicians_reason(page: Any) -> None:
    _ready, record, people = open_cleared_record()
    add_vitals(record, people["theo"], minutes_ago=20)
    services.administration_add(
        actor=actor_as(people["theo"]),
        record=record,
        kind="dose",
        dose_mg=Decimal("100"),
        given_at=ago(15),
        given_by=people["theo"],
        witnessed_by=people["ada"],
    )
    add_vitals(record, people["theo"], phase="monitoring", minutes_ago=5)
    mail.outbox.clear()

    sign_in(page, "theo")
    page.goto(f"/staff/dosing/{record.pk}/")
    expect(page.locator('[data-criterion="observation"]')).to_have_attribute("data-ok", "false")
    reveal(page, "#id_discharge-alert_and_oriented")
    page.get_by_label("Alert and oriented").check()
    page.get_by_label("Walks steadily").check()
    page.get_by_label("Escort present").check()
    page.get_by_label("Told not to drive until the next day, after sleep").check()
    page.get_by_role("button", name="Discharge the client").click()
    expect(
        page.get_by_text("Discharge is blocked: not met: the minimum observation time")
    ).to_be_visible()
    assert not Discharge.objects.exists()

    page.get_by_label("Reason for discharging with a criterion unmet (an early discharge)").fill(
        "Family emergency; client alert and steady, escort present, prescriber called."
    )
    page.get_by_role("button", name="Discharge the client").click()
    expect(page.locator("#early-discharge-reason")).to_contain_text("Family emergency")
    done = Discharge.objects.get()
    assert not done.observation_time_met
    assert any("early discharge" in m.subject for m in mail.outbox)

"""A request to amend the record as the practice lives it (45 CFR 164.526): intake
records the client's letter from the client page, the therapist denies it as accurate
and complete (after a first try without a basis, refused beside the field), intake
appends the client's statement of disagreement, and the client page shows the
request, its status and the steps on the timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from amendments.models import AmendmentRequest, AmendmentStatus
from pathways.testing import PASSWORD, make_client, make_user

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


def test_it_records_denies_and_appends_the_disagreement(page: Any) -> None:
    make_user("indira", Role.INTAKE)
    theo = make_user("theo", Role.THERAPIST)
    client = make_client(first_name="Rowan", last_name="Hale", assigned_therapist=theo)
    received = timezone.localdate() - dt.timedelta(days=2)

    sign_in(page, "indira")
    page.goto(f"/staff/clients/{client.pk}/notes/")
    page.get_by_role("link", name="Record an amendment request").click()
    page.get_by_label("Received on").fill(received.isoformat())
    page.get_by_label("Part of the record it concerns").select_option("session_note")
    page.get_by_label("Which entry (optional)").fill("Integration session note")
    page.get_by_label("What the client asks to change").fill("I never said I stopped sleeping.")
    page.get_by_role("button", name="Record the request").click()
    expect(page.locator("#amendment-status")).to_have_text("Received")
    due = (received + dt.timedelta(days=60)).day
    expect(page.locator("#amendment-due")).to_contain_text(f"Due {due} ")
    sign_out(page, "indira")

    sign_in(page, "theo")
    amendment = AmendmentRequest.objects.get()
    page.goto(f"/staff/amendments/{amendment.pk}/")
    page.get_by_label("Explanation to the client (optional)").fill("The note is what you said.")
    page.get_by_role("button", name="Deny the request").click()
    expect(page.locator("#id_denial_basis_error")).to_be_visible()
    expect(page.get_by_label("Explanation to the client (optional)")).to_have_value(
        "The note is what you said."
    )
    page.get_by_label("Basis for the denial (45 CFR 164.526(a)(2))").select_option("accurate")
    page.get_by_role("button", name="Deny the request").click()
    expect(page.locator("#amendment-status")).to_have_text("Denied")
    expect(page.locator("#denial-basis")).to_have_text("Accurate and complete")
    sign_out(page, "theo")

    sign_in(page, "indira")
    page.goto(f"/staff/amendments/{amendment.pk}/")
    page.get_by_label("The client's statement of disagreement").fill(
        "I stand by my account of that session."
    )
    page.get_by_role("button", name="Append the statement").click()
    expect(page.locator("#amendment-disagreement")).to_contain_text(
        "I stand by my account of that session."
    )
    expect(page.locator("#amendment-request")).to_contain_text("I never said I stopped sleeping.")

    page.goto(f"/staff/clients/{client.pk}/notes/")
    expect(page.locator("#amendments")).to_contain_text("Denied · disagreement filed")
    page.goto(f"/staff/clients/{client.pk}/timeline/")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Statement of disagreement appended")
    expect(timeline).to_contain_text("Amendment request denied: A session note")
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.DENIED
    assert amendment.disagreement == "I stand by my account of that session."

"""The inbox at a desk: declining with a reason, converting a request whose person is
already a client, merging a duplicate, and a public form sent twice shown once as
"sent again"; axe-core on the inbox and the request page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from clients.models import Client
from intake.models import AppointmentRequest, RequestStatus, StatusChange
from pathways.testing import assert_accessible, make_client, make_request, make_user, sign_in
from pathways.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def older(appt: AppointmentRequest) -> AppointmentRequest:
    AppointmentRequest.objects.filter(pk=appt.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    return appt


def test_it_declines_a_request_with_a_reason(page: Any) -> None:
    make_user("intake", Role.INTAKE)
    appt = make_request(first_name="Ines", last_name="Halvorsen", status=RequestStatus.SCHEDULED)
    sign_in(page, "intake")

    page.goto(f"/staff/requests/{appt.pk}/")
    # No status menu: forward moves are buttons, and none is a negative choice.
    expect(page.locator("select[name=status]")).to_have_count(0)
    page.get_by_text("Decline this request").click()
    page.get_by_label("Why is it declined?").fill("Outside our area; referred to a colleague.")
    screenshot(page, "confirm-decline")
    assert_accessible(page)
    page.get_by_role("button", name="Decline the request").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Declined")
    expect(page.locator(".history")).to_contain_text("Reason: Outside our area")
    assert StatusChange.objects.get(request=appt).reason.startswith("Outside our area")


def test_it_converts_a_duplicate_into_the_existing_client(page: Any) -> None:
    make_user("intake", Role.INTAKE)
    existing = make_client(
        first_name="Ottilie", last_name="Brandvold", email="ottilie@example.com"
    )
    appt = make_request(
        first_name="Ottilie",
        last_name="Brandvold",
        email="OTTILIE@example.com",
        status=RequestStatus.SCHEDULED,
    )
    sign_in(page, "intake")

    page.goto("/staff/requests/")
    row = page.get_by_role("row").filter(has_text="Ottilie Brandvold")
    expect(row).to_contain_text("Possible duplicate")
    assert_accessible(page)
    screenshot(page, "confirm-inbox")

    page.get_by_role("link", name="Ottilie Brandvold").click()
    expect(page.locator(".duplicates")).to_contain_text("same e-mail")
    page.locator("details.convert > summary").click()
    form = page.locator("details.convert form")
    expect(form.get_by_role("link", name="Ottilie Brandvold")).to_be_visible()
    screenshot(page, "confirm-convert-duplicate")
    assert_accessible(page)
    # Without the second choice the server says so, beside the choice.
    form.get_by_label("Create a new client anyway").check()
    form.get_by_role("button", name="Convert to client").click()
    expect(page.locator("#convert-reason_error")).to_contain_text("Write why a new client")

    page.get_by_label("This is Ottilie Brandvold: link the request to their record").check()
    page.locator("details.convert form").get_by_role("button", name="Convert to client").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Ottilie Brandvold")
    assert Client.objects.count() == 1
    appt.refresh_from_db()
    assert appt.client == existing


def test_it_merges_a_duplicate_into_the_first_request(page: Any) -> None:
    make_user("intake", Role.INTAKE)
    first = older(make_request(first_name="Rowan", last_name="Whitlock", reason="Nightmares."))
    dup = make_request(first_name="Rowan", last_name="Whitlock", reason="Also poor sleep.")
    sign_in(page, "intake")

    page.goto(f"/staff/requests/{dup.pk}/")
    page.get_by_text(f"Merge into request #{first.pk}").first.click()
    screenshot(page, "confirm-merge")
    page.locator("details.confirm[open] form").get_by_role(
        "button", name=f"Merge into request #{first.pk}"
    ).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Sent again")
    expect(page.locator(".notes")).to_contain_text("Reason: Also poor sleep.")
    assert_accessible(page)
    dup.refresh_from_db()
    assert dup.merged_into == first


def test_it_shows_a_double_public_submit_once_as_sent_again(page: Any) -> None:
    make_user("intake", Role.INTAKE)
    for _ in range(2):
        page.goto("/request-an-appointment/")
        page.get_by_label("First name").fill("Marisol")
        page.get_by_label("Last name").fill("Okafor")
        page.get_by_role("textbox", name=re.compile("^E-mail")).fill("marisol@example.com")
        page.get_by_role("textbox", name=re.compile("^Phone")).fill("(555) 010-0123")
        page.get_by_label("Phone call").check()
        page.get_by_label("In a few words").fill("Memories from an accident.")
        page.get_by_label("I agree that the practice may contact me").check()
        page.get_by_label("I understand this form is not for emergencies").check()
        page.get_by_role("button", name="Send my request").click()
        expect(page).to_have_url(re.compile(r"/request-an-appointment/received/$"))

    sign_in(page, "intake")
    page.goto("/staff/requests/")
    rows = page.get_by_role("row").filter(has_text="Marisol Okafor")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Sent again")
    screenshot(page, "confirm-sent-again")
    assert AppointmentRequest.objects.get().sent_again_count == 1

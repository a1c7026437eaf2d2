"""Emergency (break-glass) access, as the on-call therapist lives it: from the client
list to the form, a reason too short refused beside the field with the text kept,
the record opened with the banner on every page, the admins e-mailed, then ended
early and the record closed again; the admin sees the grant with its reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from audit.models import AuditEvent
from clients.models import BreakGlassGrant
from notifications.models import OutboundEmail
from pathways.testing import PASSWORD, make_client, make_user, name_for_break_glass

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Crisis line called: the client is at the ER and her therapist is on leave."


def sign_in(page: Any, username: str) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def sign_out(page: Any, username: str) -> None:
    page.get_by_role("button", name=f"Sign out {username}").click()
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()


def test_it_opens_a_client_in_an_emergency_and_ends_it(page: Any) -> None:
    make_user("admin", Role.ADMIN, is_staff=True)
    tess = make_user("tess", Role.THERAPIST, first_name="Tess")
    name_for_break_glass(make_user("olive", Role.THERAPIST, first_name="Olive"))
    wren = make_client(
        first_name="Wren",
        last_name="Halloway",
        date_of_birth=dt.date(1984, 3, 9),
        assigned_therapist=tess,
    )

    sign_in(page, "olive")
    page.goto("/staff/clients/")
    expect(page.get_by_text("Halloway")).to_have_count(0)
    page.get_by_role("link", name="Emergency access to a client not in your care").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Emergency access to a client")

    page.get_by_label("First name").fill("Wren")
    page.get_by_label("Last name").fill("Halloway")
    page.get_by_label("Date of birth").fill("1984-03-09")
    page.get_by_label("Reason").fill("ER call")
    page.get_by_role("button", name="Open emergency access").click()
    expect(page.locator("#id_reason_error")).to_contain_text("at least 15 characters")
    expect(page.get_by_label("Reason")).to_have_value("ER call")
    expect(page.get_by_label("Last name")).to_have_value("Halloway")

    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Open emergency access").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wren Halloway")
    banner = page.locator(".break-glass")
    expect(banner).to_contain_text("Emergency access to Wren Halloway until")
    expect(banner).to_contain_text("every page you open is recorded")
    # The e-mail was queued in the same transaction as the grant, before the redirect.
    assert OutboundEmail.objects.filter(to="admin@pathways.example").count() == 1

    page.goto("/staff/schedule/")
    expect(page.locator(".break-glass")).to_be_visible()
    requests = AuditEvent.objects.filter(action="breakglass.request", client_id=wren.pk)
    assert set(requests.values_list("detail__url_name", flat=True)) >= {
        "clients:detail",
        "scheduling:calendar",
    }

    page.locator(".break-glass").get_by_role("button", name="End emergency access").click()
    expect(page.locator(".messages")).to_contain_text("Emergency access ended")
    expect(page.locator(".break-glass")).to_have_count(0)
    # Asked outside the page, whose console would report the 404 as an error.
    assert page.request.get(f"/staff/clients/{wren.pk}/").status == 404
    assert BreakGlassGrant.objects.get().ended_at is not None

    sign_out(page, "olive")
    sign_in(page, "admin")
    page.goto("/staff/clients/break-glass/grants/")
    row = page.locator(f"#grant-{BreakGlassGrant.objects.get().pk}")
    expect(row).to_contain_text("Olive")
    expect(row).to_contain_text("Wren Halloway")
    expect(row).to_contain_text("Ended")
    expect(row).to_contain_text(REASON)

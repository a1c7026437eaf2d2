"""The audit report in a real browser: the admin finds it in the menu, filters by a
client's name, and exports the entries after confirming the password."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.actor import Actor
from accounts.models import Role
from audit.services import log_action
from pathways.testing import PASSWORD, make_client, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, username: str) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_it_filters_by_client_and_exports_after_the_password(page: Any) -> None:
    make_user("ada", Role.ADMIN, first_name="Ada", is_staff=True, is_superuser=True)
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    wren = make_client(first_name="Wren", last_name="Halloway", assigned_therapist=theo)
    other = make_client(first_name="Otto", last_name="Brandt", assigned_therapist=theo)
    log_action(Actor.for_user(theo), "client.view", wren, client=wren)
    log_action(Actor.for_user(theo), "client.view", other, client=other)

    sign_in(page, "ada")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit report")
    page.get_by_label("Client").fill("Halloway")
    page.get_by_role("button", name="Show").click()

    table = page.get_by_role("table")
    expect(table).to_contain_text("Halloway, Wren")
    expect(table).not_to_contain_text("Brandt")

    # The password typed at sign-in is more than REAUTH_MINUTES old: the export asks again.
    with pytest.MonkeyPatch.context() as patch:
        real = time.time
        patch.setattr(time, "time", lambda: real() + 6 * 60)
        page.get_by_role("link", name="Export these entries (CSV)").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_label("Your password").fill(PASSWORD)
    with page.expect_download() as info:
        page.get_by_role("button", name="Confirm").click()

    text = Path(info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    assert {row["client_id"] for row in rows if row["action"] == "client.view"} == {str(wren.pk)}

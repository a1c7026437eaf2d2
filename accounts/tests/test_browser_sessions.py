"""The idle warning, "stay signed in", signing out at the idle limit, re-authenticating
before a sensitive page, and signing out everywhere, in a real browser (the CSP
allows only the script file, so this also shows it loads and runs)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from pathways.testing import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, username: str) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_it_warns_before_the_idle_limit_and_signs_out_at_it(page: Any) -> None:
    make_user("casey", Role.INTAKE, first_name="Casey")
    page.clock.install()
    sign_in(page, "casey")
    page.goto("/staff/account/")
    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_hidden()

    # The page counts 14½ minutes (SESSION_IDLE_MINUTES less SESSION_RENEW_SECONDS: the
    # least the server's session lasts), and warns 2 minutes before.
    page.clock.fast_forward("13:00")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("You will be signed out in 2 minutes")

    with page.expect_response(re.compile(r"/staff/account/keep-alive/$")) as kept:
        page.get_by_role("button", name="Stay signed in").click()
    assert kept.value.ok
    expect(warning).to_be_hidden()

    with page.expect_request(re.compile(r"/staff/sign-in/\?next=%2Fstaff%2Faccount%2F")):
        page.clock.fast_forward("14:40")


def test_it_asks_for_the_password_before_a_sensitive_page(page: Any) -> None:
    make_user("ada", Role.ADMIN, first_name="Ada", is_staff=True, is_superuser=True)
    sign_in(page, "ada")
    # Where a sensitive page sends someone whose password is not recent
    # (test_reauth.py checks the redirect; the browser's clock cannot age the server's).
    page.goto("/staff/sign-in/confirm/?next=/staff/two-factor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_label("Your password").fill("not the password")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("That password is not right.")).to_be_visible()

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")


def test_it_signs_out_everywhere(page: Any) -> None:
    make_user("casey", Role.INTAKE, first_name="Casey")
    sign_in(page, "casey")
    page.goto("/staff/account/")

    page.get_by_role("button", name="Sign out everywhere").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign-in")
    expect(page.get_by_text("You have been signed out on every device")).to_be_visible()

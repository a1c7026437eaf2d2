"""A staff member turns on two-factor sign-in, then signs in with it."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from accounts.models import Authenticator, Role
from accounts.tests.support import code_for
from pathways.testing import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, username: str) -> None:
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def expect_today_page_of_casey(page: Any) -> None:
    """Casey lands on her Today page (issue 11 §1: the home page is the Today view)."""
    today = dateformat.format(timezone.localdate(), "l j F Y")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Today, {today}")
    expect(page.get_by_text("Signed in as Casey,")).to_be_visible()


def test_it_sets_up_and_then_asks_for_an_authenticator_code(page: Any) -> None:
    make_user("casey", Role.INTAKE, first_name="Casey")
    sign_in(page, "casey")
    page.get_by_role("link", name="set up two-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()

    device = Authenticator.objects.get(user__username="casey")
    page.get_by_label("6-digit code").fill(code_for(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect_today_page_of_casey(page)
    expect(page.get_by_text("set up two-factor sign-in")).to_have_count(0)

    page.get_by_role("button", name="Sign out casey").click()
    sign_in(page, "casey")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    # The code just used cannot be replayed; the app's next code is accepted. The device
    # as stored now: a first code verified just after the clock turned a 30-second step
    # set its drift to -1 (OTP_TOTP_SYNC), and the next code is counted from there.
    device.refresh_from_db()
    page.get_by_label("6-digit code").fill(code_for(device, step_offset=1))
    page.get_by_role("button", name="Verify").click()
    expect_today_page_of_casey(page)

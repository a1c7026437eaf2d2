"""Cancelling a session at a desk: the button opens a confirm that asks why; the
reason is then shown on the session page. axe-core on the session page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from pathways.testing import (
    assert_accessible,
    make_client,
    make_course,
    make_session,
    make_user,
    sign_in,
)
from pathways.testing.browser import screenshot
from treatment.models import SessionKind, SessionStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_cancels_a_session_with_a_reason(page: Any) -> None:
    theo = make_user("theo", Role.THERAPIST)
    client = make_client(first_name="Meg", last_name="March", assigned_therapist=theo)
    session = make_session(make_course(client, theo), SessionKind.INTEGRATION)
    sign_in(page, "theo")

    page.goto(f"/staff/courses/sessions/{session.pk}/")
    page.get_by_text("Cancel the session…").click()
    reason = page.get_by_label("Why is it cancelled?")
    expect(reason).to_be_visible()
    reason.fill("Client has a fever; rebooking next week.")
    screenshot(page, "confirm-cancel-session")
    assert_accessible(page)
    page.get_by_role("button", name="Cancel the session", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancelled")
    expect(page.locator(".facts")).to_contain_text("Client has a fever; rebooking next week.")
    assert_accessible(page)
    screenshot(page, "confirm-session-cancelled")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED

"""End to end: the prescriber has the referral open; the therapist revokes the client's
release of information (the consents page's revoke button); the prescriber's next
load of the same page says only that access ended."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from accounts.models import Role
from consents.models import ConsentKind
from partners.models import Disclosure
from partners.tests.support import sign_in
from pathways.testing import (
    make_client,
    make_partner,
    make_prescriber,
    make_referral,
    make_signed_consent,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_ends_the_prescribers_access_when_the_release_is_revoked(
    page: Any, browser: Any, live_server: Any
) -> None:
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    make_prescriber("priya", partner, first_name="Priya")
    client = make_client(
        first_name="Ottilie",
        last_name="Brennan",
        date_of_birth=dt.date(1984, 5, 6),
        assigned_therapist=theo,
    )
    release = make_signed_consent(client, ConsentKind.ROI, partner)
    referral = make_referral(client, partner, theo, release=release)

    # The prescriber has the referral open (in a context of their own: the page the
    # `page` fixture watches fails a test on any 4xx, and "access ended" is a 403).
    portal = browser.new_context(base_url=live_server.url)
    portal.set_default_timeout(10_000)
    try:
        priya = portal.new_page()
        sign_in(priya, "priya")
        priya.goto(f"/partner/referrals/{referral.pk}/")
        expect(priya.get_by_role("heading", level=1)).to_contain_text("Ottilie Brennan")

        # Meanwhile, at the practice, the therapist revokes the release.
        sign_in(page, "theo")
        page.goto(f"/staff/consents/{release.pk}/")
        page.get_by_label("Why is this consent revoked?").fill("The client withdrew it.")
        page.get_by_role("button", name="Revoke this consent").click()
        expect(page.get_by_role("status")).to_contain_text("Consent revoked.")

        # The prescriber reloads: access ended, and nothing of the client is shown.
        response = priya.reload()
        assert response is not None
        assert response.status == 403
        expect(priya.get_by_role("heading", level=1)).to_have_text("Access ended")
        expect(
            priya.get_by_text("the client's release of information is no longer in force")
        ).to_be_visible()
        expect(priya.get_by_text("Ottilie")).to_have_count(0)
        expect(priya.get_by_text("1984-05-06")).to_have_count(0)

        # The list shows only how many referrals are no longer shared.
        priya.goto("/partner/")
        expect(priya.get_by_text("1 referral is no longer shared")).to_be_visible()
        expect(priya.get_by_text("Ottilie")).to_have_count(0)
        with contextlib.suppress(PlaywrightError):
            priya.wait_for_load_state("networkidle", timeout=5_000)
    finally:
        portal.close()

    # The reads before the revocation are in the accounting; none after. Since issue
    # 11 §1 the prescriber's sign-in lands on the portal home, whose list shows the
    # client: one list entry then, and the referral read; nothing from the portal home
    # after the revocation. The therapist finds them from the client's page.
    assert Disclosure.objects.filter(kind="referral").count() == 1
    assert Disclosure.objects.filter(kind="referral_list").count() == 1
    page.goto(f"/staff/clients/{client.pk}/consents/")
    page.get_by_role("link", name="Accounting of disclosures").click()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(3)  # the header and the two disclosures, newest first
    expect(rows.nth(1)).to_contain_text("Referral (contact, diagnoses, medications, scores)")
    expect(rows.nth(2)).to_contain_text("Referral list entry (name, date of birth, status)")
    for row in (rows.nth(1), rows.nth(2)):
        expect(row).to_contain_text("Blue Ridge Psychiatry")
        expect(row).to_contain_text(f"Release #{release.pk}")

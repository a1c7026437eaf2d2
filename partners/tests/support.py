"""Scenarios of the release-of-information tests, shared by the apps whose portal
pages hang off a referral (partners, prescriptions, dosing): revoking a release
the way the practice does, and the PHI a page must not show once it is revoked.
(Every portal URL after the revocation is tried by each app's permission matrix:
the role "prescriber after revocation" of pathways.testing.)"""

from __future__ import annotations

from typing import Any

from django.test import TestCase
from playwright.sync_api import expect

from accounts.actor import Actor
from accounts.models import User
from consents.models import ConsentKind, SignedConsent
from consents.services import consent_revoke
from partners.access import ACCESS_ENDED_MESSAGE
from partners.models import Referral
from pathways.testing import PASSWORD

ENDED = "Access to this referral ended"


def sign_in(page: Any, username: str) -> None:
    """Sign in on a Playwright page (the test users' password is PASSWORD)."""
    page.goto("/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def revoke_releases(referral: Referral, by: User) -> list[SignedConsent]:
    """Revoke every release in force of the referral's client to its partner, through
    consents.services (what the practice's revoke button does)."""
    releases = list(
        SignedConsent.objects.in_force().filter(
            client_id=referral.client_id,
            partner_id=referral.partner_id,
            document__kind=ConsentKind.ROI,
        )
    )
    for release in releases:
        consent_revoke(actor=Actor.for_user(by), signed=release, reason="Client withdrew.")
    return releases


def phi_of(referral: Referral) -> list[str]:
    """Text of the referral's client and content that an "access ended" answer must
    not contain."""
    client = referral.client
    texts = [client.full_name, client.email, client.phone, referral.reason]
    if client.date_of_birth:
        texts.append(client.date_of_birth.isoformat())
    texts += [d["description"] for d in referral.diagnoses]
    texts += list(referral.medications)
    return [t for t in texts if t]


def assert_access_ended(case: TestCase, response: Any, phi: list[str]) -> None:
    """403, the page that says only that access ended, and none of `phi`."""
    case.assertEqual(response.status_code, 403)
    content = response.content.decode()
    case.assertIn(ACCESS_ENDED_MESSAGE.replace("'", "&#x27;"), content)
    for text in phi:
        case.assertNotIn(text, content)

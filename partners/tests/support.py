"""Scenarios of the release-of-information tests, shared by the apps whose portal
pages hang off a referral (partners, prescriptions, dosing): revoking a release
the way the practice does, the PHI a page must not show once it is revoked, and a
permission-matrix companion that tries every portal URL after the revocation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from django.db import transaction
from django.test import Client as DjangoClient
from django.test import TestCase
from django.urls import reverse
from playwright.sync_api import expect

from accounts.actor import Actor
from accounts.models import Role, User
from audit.models import AuditEvent
from consents.models import ConsentKind, SignedConsent
from consents.services import consent_revoke
from partners.access import ACCESS_ENDED_MESSAGE
from partners.models import Disclosure, Referral
from pathways.testing import PASSWORD, Entry, Fixture

# The URL namespaces of the partner portal.
PORTAL_NAMESPACES = ("portal", "portal_rx", "portal_dosing")
ENDED = "Access to this referral ended"
NO_LONGER_SHARED = "no longer shared"


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


@contextmanager
def _rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


class RevokedPortalTests(TestCase):
    """Every portal URL of a permission-matrix table, tried by the prescriber of the
    referred partner after the practice revoked the client's release (see
    `revoked_portal_matrix`)."""

    __test__ = False
    portal_table: ClassVar[dict[str, Entry]]
    fixture: Callable[[], Fixture]
    snapshot: Callable[[], object]
    practice: Fixture
    phi: list[str]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.practice = cls.fixture()
        therapist = cls.practice["users"][Role.THERAPIST]
        referrals = list(Referral.objects.select_related("client"))
        cls.phi = sorted({text for referral in referrals for text in phi_of(referral)})
        for referral in referrals:
            revoke_releases(referral, therapist)

    def portal_cases(self) -> list[tuple[str, Entry, str]]:
        table = self.portal_table
        return [
            (name, table[name], method)
            for name in sorted(table)
            if name.partition(":")[0] in PORTAL_NAMESPACES
            for method in table[name].methods.split()
        ]

    def send(self, name: str, entry: Entry, method: str) -> Any:
        client = DjangoClient()
        client.force_login(self.practice["users"][Role.PRESCRIBER])
        args = [getattr(self.practice[k], "pk", self.practice[k]) for k in entry.args.split()]
        url = reverse(name, args=args)
        if method == "GET":
            return client.get(url)
        return client.post(url, entry.post_data(self.practice))

    def test_it_gives_the_prescriber_no_phi_after_revocation(self) -> None:
        cases = self.portal_cases()
        self.assertTrue(cases, "the table names no portal URL")
        for name, entry, method in cases:
            with self.subTest(name=name, method=method), _rolled_back():
                before = self.snapshot()
                disclosures = Disclosure.objects.count()

                response = self.send(name, entry, method)

                if entry.args:
                    assert_access_ended(self, response, self.phi)
                    self.assertTrue(
                        AuditEvent.objects.filter(action="referral.access_ended").exists()
                    )
                else:
                    # The list: no referral of the client, only how many ended.
                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, NO_LONGER_SHARED)
                    for text in self.phi:
                        self.assertNotContains(response, text)
                self.assertEqual(self.snapshot(), before, "a refused request wrote")
                self.assertEqual(Disclosure.objects.count(), disclosures)


def revoked_portal_matrix(
    table: dict[str, Entry],
    fixture: Callable[[], Fixture],
    snapshot: Callable[[], object] | None = None,
) -> type[TestCase]:
    """A TestCase that builds `fixture`, revokes every client's release, and tries each
    portal URL of `table` as the prescriber of the referred partner: no PHI, nothing
    written, the refusal audited. Bind it to a name starting with Test."""
    return type(
        "RevokedPortalMatrix",
        (RevokedPortalTests,),
        {
            "__module__": fixture.__module__,
            "__test__": True,
            "portal_table": table,
            "fixture": staticmethod(fixture),
            "snapshot": staticmethod(snapshot or (lambda: None)),
        },
    )

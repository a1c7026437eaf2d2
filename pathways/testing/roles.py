"""The nine roles a permission matrix tries every URL with, and what each expects.

Four are the staff roles of accounts.Role as the fixture builds them: each may see
every object the URLs take (the therapist is the client's own; the prescriber works
for the partner the client is referred to, under a release in force). The others are
built by the matrix itself (`extras`):

- anonymous, and a client link holder: a browser that has just opened a valid
  consent-signing link and a measures link. Neither holds a staff session: every
  staff or partner URL sends them to sign in, with nothing of the page.
- another therapist, and a prescriber of another partner: they have the role but not
  the client: 404 on the client's objects, exactly as for a missing one.
- the same prescriber after the practice revoked the client's releases: the portal's
  "access ended" 403, with no name, audited, nothing disclosed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from django.db.models import Model
from django.test import Client as DjangoClient
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role, User
from clients.models import Client
from common.tokens import new_token, token_hash
from consents.models import ConsentKind, SignedConsent
from consents.services import consent_revoke
from pathways.testing.builders import (
    make_consent_request,
    make_partner,
    make_prescriber,
    make_user,
)
from pathways.testing.cases import reauthenticate
from pathways.testing.phi import make_phi_client

ANONYMOUS = "anonymous"
LINK_HOLDER = "client link holder"
OTHER_THERAPIST = "another therapist"
REVOKED_PRESCRIBER = "prescriber after revocation"
OTHER_PRESCRIBER = "another partner's prescriber"

# The roles of accounts.Role, as the fixture's users hold them.
STAFF_ROLES: tuple[str, ...] = (Role.ADMIN, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER)
# Every role a matrix tries, in the order of issue 10 §6.
MATRIX_ROLES: tuple[str, ...] = (
    ANONYMOUS,
    LINK_HOLDER,
    Role.INTAKE,
    Role.THERAPIST,
    OTHER_THERAPIST,
    Role.PRESCRIBER,
    REVOKED_PRESCRIBER,
    OTHER_PRESCRIBER,
    Role.ADMIN,
)
# Who may use a public page: everyone.
EVERYONE: frozenset[str] = frozenset(MATRIX_ROLES)
# The staff role each derived role holds.
BASE_ROLE: Mapping[str, str] = {
    OTHER_THERAPIST: Role.THERAPIST,
    REVOKED_PRESCRIBER: Role.PRESCRIBER,
    OTHER_PRESCRIBER: Role.PRESCRIBER,
}
# The roles that hold the role but not the client: an allowed page shows them no PHI.
OUTSIDERS: tuple[str, ...] = tuple(BASE_ROLE)

# What a request gets.
ALLOWED = "allowed"  # 200 for a GET, the entry's `posted` for a POST
SIGN_IN = "sign in"  # 302 to the sign-in page
FORBIDDEN = "403"
NOT_FOUND = "404"
ENDED = "access ended"  # 403, the portal's "access ended" page
INVALID = "form refused"  # 200, the form shown again with an error: nothing written
REDIRECTED = "sent to their own home"  # 302 elsewhere than sign-in: /staff/ → /partner/
# Allowed, and the page shows the client to a role without them, by design (say why
# in the table): the check that an outsider's page holds no PHI is skipped.
SHOWN = "allowed, shows the client"

REVOKE_REASON = "Client withdrew the release (permission matrix)."


def has_objects(args: str, practice: Mapping[str, Any]) -> bool:
    """Whether the URL takes one of the fixture's objects (not only a code or a date)."""
    return any(isinstance(practice[key], Model) for key in args.split())


def expected(
    role: str,
    allowed: Collection[str],
    args: str,
    practice: Mapping[str, Any],
    expect: Mapping[str, str],
) -> str:
    """What `role` gets from an entry (see matrix.Entry): `expect` first, then the rule."""
    if role in expect:
        return expect[role]
    if role in allowed:
        return ALLOWED
    if role in (ANONYMOUS, LINK_HOLDER):
        return SIGN_IN
    if BASE_ROLE.get(role, role) not in allowed:
        return FORBIDDEN
    if not has_objects(args, practice):
        return ALLOWED
    return ENDED if role == REVOKED_PRESCRIBER else NOT_FOUND


def extras(practice: Mapping[str, Any]) -> dict[str, Any]:
    """The users and links the derived roles need, built after the fixture: another
    therapist, another partner and its prescriber, and a consent link and a measures
    link for the fixture's first client (or a client of their own)."""
    from measures.models import MeasureLink  # measures' factories import pathways.testing
    from measures.tests.factories import make_instrument

    admin = practice["users"][Role.ADMIN]
    client = Client.objects.order_by("pk").first() or make_phi_client(n=3)
    _, consent_token = make_consent_request(client, admin)
    measure_token = new_token()
    MeasureLink.objects.create(
        client=client,
        instruments=[make_instrument().code],
        token_hash=token_hash(measure_token),
        expires_at=timezone.now() + dt.timedelta(days=7),
        created_by=admin,
    )
    return {
        OTHER_THERAPIST: make_user("matrix-other-therapist", Role.THERAPIST),
        OTHER_PRESCRIBER: make_prescriber(
            "matrix-other-prescriber", make_partner("Quillfeather Medication Partners")
        ),
        "links": (f"/consent/{consent_token}/", f"/measures/{measure_token}/"),
    }


def signed_in(user: User) -> DjangoClient:
    browser = DjangoClient()
    browser.force_login(user)
    # The matrix is about roles: every user has just re-authenticated, so a page
    # behind @reauth_required answers by role (test_reauth.py covers the rest).
    reauthenticate(browser)
    return browser


def link_holder(links: tuple[str, ...]) -> DjangoClient:
    """An anonymous browser that has just opened each secret link (and was shown it)."""
    browser = DjangoClient()
    for link in links:
        response = browser.get(link)
        if response.status_code != 200:
            raise AssertionError(f"the link holder's link {link} answered {response.status_code}")
    return browser


def revoke_every_release(by: User) -> int:
    """Revoke every release of information in force, as the practice's revoke button
    does (consents.services); how many."""
    releases = list(SignedConsent.objects.in_force().filter(document__kind=ConsentKind.ROI))
    for release in releases:
        consent_revoke(actor=Actor.for_user(by), signed=release, reason=REVOKE_REASON)
    return len(releases)


def browser_for(role: str, practice: Mapping[str, Any], more: Mapping[str, Any]) -> DjangoClient:
    """A browser as `role`; for the revoked prescriber, the releases are revoked first
    (call it inside a transaction that is rolled back)."""
    if role == ANONYMOUS:
        return DjangoClient()
    if role == LINK_HOLDER:
        return link_holder(more["links"])
    if role in (OTHER_THERAPIST, OTHER_PRESCRIBER):
        return signed_in(more[role])
    if role == REVOKED_PRESCRIBER:
        revoke_every_release(practice["users"][Role.ADMIN])
        return signed_in(practice["users"][Role.PRESCRIBER])
    return signed_in(practice["users"][role])

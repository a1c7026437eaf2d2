"""Who may reach which consents URL (see pathways.testing.permission_matrix).

Reading a signed consent is for CLIENT_READERS; sending, revoking and cancelling
for CLINICAL. Another therapist's client → 404. The public signing page
(/consent/<token>/) is not a staff URL: test_sign.py covers it.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from consents.models import ConsentKind, ConsentRequest, ConsentRevocation
from consents.tests.factories import make_consent_request
from pathways.testing import (
    STAFF_ROLES,
    Entry,
    Fixture,
    make_document,
    make_phi_client,
    make_signed_consent,
    make_user,
    permission_matrix,
)

CLINICAL = {Role.ADMIN, Role.THERAPIST}
CLIENT_READERS = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}


def _client_page(practice: Fixture) -> str:
    # The client has an e-mail address: the form is sent, back to the chart's consents tab.
    return f"/staff/clients/{practice['client'].pk}/consents/"


MATRIX: dict[str, Entry] = {
    "consents:send": Entry(
        "GET POST",
        CLINICAL,
        "client",
        {"kind": ConsentKind.KAP},
        writes=True,
        redirects_to=_client_page,
    ),
    "consents:detail": Entry("GET", CLIENT_READERS, "signed"),
    "consents:pdf": Entry("GET", CLIENT_READERS, "signed"),
    "consents:revoke": Entry(
        "POST", CLINICAL, "signed", {"reason": "Withdrawn in writing."}, writes=True
    ),
    "consents:cancel": Entry("POST", CLINICAL, "consent_request", {"confirm": "yes"}, writes=True),
}


def practice() -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    therapist = users[Role.THERAPIST]
    make_document(ConsentKind.KAP)
    # Every object is one the therapist may see: their client's.
    client = make_phi_client(therapist)
    return {
        "users": users,
        "client": client,
        "signed": make_signed_consent(client),
        "consent_request": make_consent_request(client, therapist)[0],
    }


def theirs(practice: Fixture) -> Fixture:
    owner = make_user("user-therapist2", Role.THERAPIST)
    client = make_phi_client(owner, 2)
    return {
        "owner": owner,
        "their_name": "Octavian Thistlewood",
        "client": client,
        "signed": make_signed_consent(client),
        "consent_request": make_consent_request(client, owner)[0],
    }


def snapshot() -> Any:
    return (
        list(ConsentRequest.objects.order_by("id").values_list("id", "client", "cancelled_at")),
        list(ConsentRevocation.objects.values_list("id", "consent")),
    )


TestConsentsMatrix = permission_matrix(MATRIX, practice, snapshot, theirs)

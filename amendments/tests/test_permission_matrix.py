"""Who may reach which amendment URL (see pathways.testing.permission_matrix).

Recording a request, reading one and appending the client's statement of
disagreement are for CLIENT_ROLES (intake receives the client's letters); extending,
deciding and rebutting for CLINICAL_ROLES. Prescribers: none. Another therapist's
client → 404.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import Role, User
from amendments.models import AmendmentRequest, AmendmentStatus, DenialBasis
from amendments.tests.factories import make_amendment
from clients.models import Client
from pathways.testing import (
    STAFF_ROLES,
    Entry,
    Fixture,
    make_client,
    make_user,
    permission_matrix,
)

CLIENT_ROLES = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
CLINICAL_ROLES = {Role.ADMIN, Role.THERAPIST}

RECEIVE_FORM = {
    "received_on": "",  # filled with today by _receive_form
    "concerns": "demographics",
    "reference": "Address",
    "requested_change": "My address is wrong.",
}


def _receive_form(practice: Fixture) -> dict[str, Any]:
    return {**RECEIVE_FORM, "received_on": timezone.localdate().isoformat()}


MATRIX: dict[str, Entry] = {
    "amendments:new": Entry("GET POST", CLIENT_ROLES, "client", _receive_form, writes=True),
    "amendments:detail": Entry("GET", CLIENT_ROLES, "received"),
    "amendments:extend": Entry(
        "POST", CLINICAL_ROLES, "received", {"extension_reason": "Waiting."}, writes=True
    ),
    "amendments:accept": Entry(
        "POST",
        CLINICAL_ROLES,
        "received",
        {"change_note": "Fixed.", "amendment_link": ""},
        writes=True,
    ),
    "amendments:deny": Entry(
        "POST", CLINICAL_ROLES, "received", {"denial_basis": DenialBasis.ACCURATE}, writes=True
    ),
    "amendments:disagreement": Entry(
        "POST", CLIENT_ROLES, "denied", {"disagreement": "I disagree."}, writes=True
    ),
    "amendments:rebuttal": Entry(
        "POST", CLINICAL_ROLES, "disputed", {"rebuttal": "It stands."}, writes=True
    ),
}


def _requests(client: Client, by: User) -> Fixture:
    now = timezone.now()
    denied = {"status": AmendmentStatus.DENIED, "denial_basis": DenialBasis.ACCURATE}
    return {
        "received": make_amendment(client, by),
        "denied": make_amendment(client, by, decided_at=now, decided_by=by, **denied),
        "disputed": make_amendment(
            client,
            by,
            decided_at=now,
            decided_by=by,
            disagreement="I disagree.",
            disagreement_at=now,
            disagreement_by=by,
            **denied,
        ),
    }


def practice() -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    therapist = users[Role.THERAPIST]
    # Every object is one the therapist may see: their client's.
    client = make_client(assigned_therapist=therapist)
    return {"users": users, "client": client, **_requests(client, therapist)}


def theirs(practice: Fixture) -> Fixture:
    owner = make_user("user-therapist2", Role.THERAPIST)
    client = make_client(first_name="Henrietta", assigned_therapist=owner)
    return {
        "owner": owner,
        "their_name": "Henrietta",
        "client": client,
        **_requests(client, owner),
    }


def snapshot() -> Any:
    return list(
        AmendmentRequest.objects.order_by("id").values_list(
            "id", "status", "due_on", "disagreement_at", "rebuttal_at"
        )
    )


TestAmendmentsMatrix = permission_matrix(MATRIX, practice, snapshot, theirs)

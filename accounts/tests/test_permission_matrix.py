"""Who may reach the dashboard (see pathways.testing.permission_matrix); the intake
inbox's table is intake/tests/test_permission_matrix.py.
pathways/tests/test_permission_matrix.py checks that the apps' tables together name
every staff and partner URL.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from clients.models import Client
from intake.models import AppointmentRequest, ContactMessage, RequestNote, RequestStatus
from pathways.testing import (
    OTHER_PRESCRIBER,
    REDIRECTED,
    REVOKED_PRESCRIBER,
    STAFF_ROLES,
    Entry,
    Fixture,
    make_message,
    make_request,
    make_service,
    make_user,
    permission_matrix,
)

INBOX = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
MANAGERS = {Role.ADMIN, Role.INTAKE}

MATRIX: dict[str, Entry] = {
    # A prescriber's home is the partner portal: /staff/ sends them there.
    "dashboard:home": Entry(
        "GET",
        STAFF_ROLES,
        expect={
            Role.PRESCRIBER: REDIRECTED,
            REVOKED_PRESCRIBER: REDIRECTED,
            OTHER_PRESCRIBER: REDIRECTED,
        },
    ),
}


def practice() -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    therapist = users[Role.THERAPIST]
    # Every object is one the therapist may see: assigned to them.
    return {
        "users": users,
        "request": make_request(
            assigned_to=therapist, status=RequestStatus.SCHEDULED, service=make_service()
        ),
        "message": make_message(),
    }


def snapshot() -> Any:
    return (
        list(AppointmentRequest.objects.values_list("id", "status", "assigned_to", "client")),
        RequestNote.objects.count(),
        list(ContactMessage.objects.values_list("id", "handled_at")),
        Client.objects.count(),
    )


TestAccessMatrix = permission_matrix(MATRIX, practice, snapshot)


# Your own account and session (accounts:account:...): every staff role.
ACCOUNT_MATRIX: dict[str, Entry] = {
    "accounts:account:home": Entry("GET", STAFF_ROLES),
    "accounts:account:sign_out_everywhere": Entry("POST", STAFF_ROLES),
    "accounts:account:keep_alive": Entry("POST", STAFF_ROLES),
}


def account_practice() -> Fixture:
    return {"users": {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}}


TestAccountMatrix = permission_matrix(ACCOUNT_MATRIX, account_practice)

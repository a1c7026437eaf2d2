"""Who may reach the FHIR export (see pathways.testing.permission_matrix).

The export is for the admin and the client's assigned therapist: another therapist
gets a 404 for the client, intake and the prescribers a 403, anyone signed out the
sign-in page. An allowed POST answers the file (200), not a redirect."""

from __future__ import annotations

from accounts.models import Role
from pathways.testing import (
    STAFF_ROLES,
    Entry,
    Fixture,
    make_phi_client,
    make_user,
    permission_matrix,
)

EXPORTERS = {Role.ADMIN, Role.THERAPIST}

MATRIX: dict[str, Entry] = {
    "interop:client_export": Entry("POST", EXPORTERS, "client", posted=200),
}


def practice() -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    return {"users": users, "client": make_phi_client(users[Role.THERAPIST])}


TestInteropMatrix = permission_matrix(MATRIX, practice)

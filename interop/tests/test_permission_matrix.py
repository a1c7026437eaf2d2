"""Who may reach the FHIR export (see pathways.testing.permission_matrix).

The export is for the admin and the client's assigned therapist: another therapist
gets a 404 for the client, intake and the prescribers a 403, anyone signed out the
sign-in page. An allowed POST answers the file (200), not a redirect."""

from __future__ import annotations

from accounts.models import Role
from pathways.testing import (
    EVERYONE,
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
    # The import's upload and confirm: a POST without a file shows the form again (200)
    # and stores nothing.
    "interop:client_import": Entry("GET POST", EXPORTERS, "client", posted=200),
    "interop:client_import_confirm": Entry("POST", EXPORTERS, "client", posted=200),
}

# The partner read API (/fhir/R4/, interop.api): a bearer token is the key, not a
# session, so the session matrix cannot try it (a browser without a token gets 401,
# an answer it has no outcome for, and no role of it holds a token). Its own matrix,
# of token states instead of session roles, is interop/tests/test_api.py
# (ApiMatrixTestCase) over this table; listed here so that
# pathways/tests/test_permission_matrix.py counts these URLs as covered. `allowed`:
# the metadata is for everyone; the rest for no session role (only a token opens them).
API_MATRIX: dict[str, Entry] = {
    "fhir:metadata": Entry("GET", EVERYONE),
    "fhir:read": Entry("GET", frozenset(), "resource_type resource_id"),
    "fhir:search": Entry("GET", frozenset(), "resource_type"),
    "fhir:unknown": Entry("GET", frozenset(), "rest"),
}


class ApiMatrixTable:
    """API_MATRIX for pathways.testing.size.matrix_tables (not a TestCase: see above)."""

    permission_table = API_MATRIX


def practice() -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    return {"users": users, "client": make_phi_client(users[Role.THERAPIST])}


TestInteropMatrix = permission_matrix(MATRIX, practice)

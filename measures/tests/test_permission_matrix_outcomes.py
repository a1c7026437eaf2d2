"""Who may reach which outcomes URL (measures/outcomes/urls.py; see
pathways.testing.permission_matrix).

The client pages are for CLIENT_ROLES; the practice report, its chart and its CSV
for the admin only (see measures/outcomes/views.py for why).
"""

from __future__ import annotations

from accounts.models import Role
from measures.tests.factories import load_instruments
from pathways.testing import (
    STAFF_ROLES,
    Entry,
    Fixture,
    make_phi_client,
    make_user,
    permission_matrix,
)

CLIENT_ROLES = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
ADMIN = {Role.ADMIN}

MATRIX: dict[str, Entry] = {
    "outcomes:report": Entry("GET", ADMIN),
    "outcomes:report_chart": Entry("GET", ADMIN),
    "outcomes:export": Entry("GET", ADMIN),
    "outcomes:client": Entry("GET", CLIENT_ROLES, "client"),
    "outcomes:client_chart": Entry("GET", CLIENT_ROLES, "client code"),
}


def practice() -> Fixture:
    load_instruments()
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    # The client is the therapist's own, so the therapist is allowed.
    client = make_phi_client(users[Role.THERAPIST])
    return {"users": users, "client": client, "code": "phq9"}


TestOutcomesMatrix = permission_matrix(MATRIX, practice)

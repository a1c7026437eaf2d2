"""Who may reach which safety-alert URL (see pathways.testing.permission_matrix).

Alerts are for CLIENT_ROLES (admin, intake, therapist); prescribers get 403.
Acknowledging is for clinicians only: the therapist and an admin who is a
clinician (the fixture's admin is one); the intake coordinator gets 403.
The fixture's alert is for a client assigned to the therapist; every CLIENT_ROLES
user may see every alert, another therapist included.
"""

from __future__ import annotations

from typing import Any

from accounts.actor import Actor
from accounts.models import Role
from measures.alerts.safety import alert_raise_for_response
from measures.models import SafetyAlert
from measures.tests.factories import make_instrument, make_response
from pathways.testing import (
    OTHER_THERAPIST,
    SHOWN,
    STAFF_ROLES,
    Entry,
    Fixture,
    make_phi_client,
    make_user,
    permission_matrix,
)

CLIENT_ROLES = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
CLINICIAN_ROLES = {Role.ADMIN, Role.THERAPIST}

ACKNOWLEDGEMENT = {"action": "safety_plan", "action_note": "Called the client; safety plan."}

# A safety alert is the practice's, not the assigned therapist's alone: whichever
# clinician is on shift sees and acts on it (measures/alerts/views.py), so another
# therapist is shown the client's alert.
PRACTICE_WIDE = {OTHER_THERAPIST: SHOWN}

MATRIX: dict[str, Entry] = {
    "alerts:list": Entry("GET", CLIENT_ROLES, expect=PRACTICE_WIDE),
    "alerts:alert": Entry("GET", CLIENT_ROLES, "alert", expect=PRACTICE_WIDE),
    "alerts:acknowledge": Entry(
        "POST", CLINICIAN_ROLES, "alert", ACKNOWLEDGEMENT, writes=True, expect=PRACTICE_WIDE
    ),
}


def practice() -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    users[Role.ADMIN].is_clinician = True
    users[Role.ADMIN].save()
    client = make_phi_client(users[Role.THERAPIST])
    response = make_response(client, make_instrument(), q9=1)
    (alert,) = alert_raise_for_response(actor=Actor.system(), response=response)
    return {"users": users, "client": client, "alert": alert}


def snapshot() -> Any:
    return list(SafetyAlert.objects.values_list("id", "acknowledged_at", "action"))


TestAlertsMatrix = permission_matrix(MATRIX, practice, snapshot)

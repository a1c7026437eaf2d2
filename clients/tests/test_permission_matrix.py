"""Who may reach which client-record URL (see pathways.testing.permission_matrix).

Every staff role but the prescriber reads and edits the records it may see;
opening a new record is for ALL_RECORDS_ROLES.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from clients.models import Allergy, Client, Diagnosis, ReportedMedication
from pathways.testing import (
    STAFF_ROLES,
    Entry,
    Fixture,
    make_phi_client,
    make_user,
    permission_matrix,
)

CLIENT_ROLES = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
ALL_RECORDS_ROLES = {Role.ADMIN, Role.INTAKE}


def _client_form(practice: Fixture) -> dict[str, Any]:
    return {
        "first_name": "Ruth",
        "last_name": "Ellis",
        "status": "active",
        "assigned_therapist": practice["users"][Role.THERAPIST].pk,
    }


DIAGNOSIS = {"diagnosis-code": "F33.1", "diagnosis-description": "MDD"}
ALLERGY = {"allergy-substance": "Latex", "allergy-severity": "mild"}
# Ending an item takes the confirm form's explicit yes.
CONFIRM = {"confirm": "yes"}

MATRIX: dict[str, Entry] = {
    "clients:list": Entry("GET", CLIENT_ROLES),
    "clients:detail": Entry("GET", CLIENT_ROLES, "client"),
    # One tab of the chart stands for all (each is the same view with another name).
    "clients:tab": Entry("GET", CLIENT_ROLES, "client tab"),
    "clients:new": Entry("GET POST", ALL_RECORDS_ROLES, data=_client_form),
    "clients:edit": Entry("GET POST", CLIENT_ROLES, "client", _client_form),
    "clients:diagnosis_add": Entry("POST", CLIENT_ROLES, "client", DIAGNOSIS),
    "clients:diagnosis_end": Entry("POST", CLIENT_ROLES, "client diagnosis", CONFIRM),
    "clients:medication_add": Entry(
        "POST", CLIENT_ROLES, "client", {"medication-name": "Sertraline"}
    ),
    "clients:medication_end": Entry("POST", CLIENT_ROLES, "client medication", CONFIRM),
    "clients:allergy_add": Entry("POST", CLIENT_ROLES, "client", ALLERGY),
    "clients:allergy_end": Entry("POST", CLIENT_ROLES, "client allergy", CONFIRM),
}


def practice() -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    therapist = users[Role.THERAPIST]
    # Every object is one the therapist may see: their client's.
    client = make_phi_client(therapist)
    return {
        "users": users,
        "client": client,
        "tab": "measures",
        "diagnosis": Diagnosis.objects.create(
            client=client, code="F43.10", description="PTSD", added_by=therapist
        ),
        "medication": ReportedMedication.objects.create(client=client, name="Bupropion"),
        "allergy": Allergy.objects.create(client=client, substance="Penicillin"),
    }


def snapshot() -> Any:
    return (
        list(Client.objects.values_list("id", "first_name", "assigned_therapist")),
        list(Diagnosis.objects.values_list("id", "resolved_at")),
        list(ReportedMedication.objects.values_list("id", "stopped_at")),
        list(Allergy.objects.values_list("id", "removed_at")),
    )


TestClientsMatrix = permission_matrix(MATRIX, practice, snapshot)

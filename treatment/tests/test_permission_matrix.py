"""Who may reach which treatment URL (see pathways.testing.permission_matrix).

Reading a course or a session is for CLIENT_ROLES; every change is for CLINICAL_ROLES.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from pathways.testing import (
    STAFF_ROLES,
    Entry,
    Fixture,
    make_course,
    make_phi_client,
    make_session,
    make_user,
    permission_matrix,
)
from treatment.models import SessionKind, TreatmentCourse, TreatmentSession

CLIENT_ROLES = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
CLINICAL_ROLES = {Role.ADMIN, Role.THERAPIST}

COURSE_FORM = {
    "modality": "kap",
    "planned_preparation": 3,
    "planned_dosing": 6,
    "planned_integration": 6,
    "goals": "Lift mood.",
    "status": "planned",
}
ESCORT_FORM = {"escort_name": "Sam Rivera", "escort_phone": "(555) 010-0150", "confirmed": "on"}

MATRIX: dict[str, Entry] = {
    "treatment:new": Entry("GET POST", CLINICAL_ROLES, "client", COURSE_FORM),
    "treatment:course": Entry("GET", CLIENT_ROLES, "course"),
    "treatment:edit": Entry("GET POST", CLINICAL_ROLES, "course", COURSE_FORM),
    "treatment:session_add": Entry("POST", CLINICAL_ROLES, "course", {"kind": "preparation"}),
    "treatment:session": Entry("GET", CLIENT_ROLES, "session"),
    "treatment:escort": Entry("POST", CLINICAL_ROLES, "session", ESCORT_FORM),
    # The gate is closed for this client: an allowed start is refused with a message.
    "treatment:start": Entry("POST", CLINICAL_ROLES, "session"),
    "treatment:complete": Entry("POST", CLINICAL_ROLES, "session"),
    "treatment:cancel": Entry(
        "POST", CLINICAL_ROLES, "session", {"confirm": "yes", "reason": "Client unwell."}
    ),
}


def practice() -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    therapist = users[Role.THERAPIST]
    # Every object is one the therapist may see: their client's.
    client = make_phi_client(therapist)
    course = make_course(client, therapist)
    return {
        "users": users,
        "client": client,
        "course": course,
        "session": make_session(course, SessionKind.DOSING),
    }


def snapshot() -> Any:
    return (
        list(TreatmentCourse.objects.order_by("id").values_list("id", "status", "planned_dosing")),
        list(
            TreatmentSession.objects.order_by("id").values_list(
                "id", "status", "escort_confirmed_at", "started_at"
            )
        ),
    )


TestTreatmentMatrix = permission_matrix(MATRIX, practice, snapshot)

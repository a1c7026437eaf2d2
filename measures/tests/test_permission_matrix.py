"""Who may reach which measures URL (measures/urls.py; see
pathways.testing.permission_matrix).

Sending and entering measures is for CLIENT_READERS (intake staff send baselines
at intake; see measures/views.py); a course's schedule is for CLINICAL. Another
therapist's client or course → 404. The public answering page (/measures/<token>/)
is not a staff URL: test_answer.py covers it.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from accounts.models import Role
from measures.models import MeasureLink, MeasureSchedule, Response
from measures.tests.support import PHQ9, answers
from pathways.testing import (
    STAFF_ROLES,
    Entry,
    Fixture,
    make_course,
    make_phi_client,
    make_user,
    permission_matrix,
)

CLINICAL = {Role.ADMIN, Role.THERAPIST}
CLIENT_READERS = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}


def _paper_data(practice: Fixture) -> dict[str, Any]:
    data: dict[str, Any] = {f"phq9-{k}": str(v) for k, v in answers(PHQ9).items()}
    data["answered_on"] = timezone.localdate().isoformat()
    return data


SEND_DATA = {"instruments": ["phq9"]}
SCHEDULE_DATA = {"instruments": ["phq9"], "before_dosing": "on"}

MATRIX: dict[str, Entry] = {
    "measures:client": Entry("GET", CLIENT_READERS, "client"),
    "measures:send": Entry("GET POST", CLIENT_READERS, "client", SEND_DATA, writes=True),
    "measures:paper": Entry("GET POST", CLIENT_READERS, "client code", _paper_data, writes=True),
    "measures:schedule": Entry("GET POST", CLINICAL, "course", SCHEDULE_DATA, writes=True),
}


def practice() -> Fixture:
    call_command("load_instruments", stdout=StringIO())
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    therapist = users[Role.THERAPIST]
    client = make_phi_client(therapist)
    return {
        "users": users,
        "client": client,
        "course": make_course(client, therapist),
        "code": "phq9",
    }


def theirs(practice: Fixture) -> Fixture:
    owner = make_user("user-therapist2", Role.THERAPIST)
    client = make_phi_client(owner, 2)
    return {
        "owner": owner,
        "their_name": "Octavian Thistlewood",
        "client": client,
        "course": make_course(client, owner),
    }


def snapshot() -> Any:
    return (
        list(MeasureLink.objects.values_list("id", "reason")),
        list(Response.objects.values_list("id")),
        list(MeasureSchedule.objects.values_list("id")),
    )


TestMeasuresMatrix = permission_matrix(MATRIX, practice, snapshot, theirs)

"""Who may reach which EMDR URL (see pathways.testing.permission_matrix).

Every EMDR URL, reading included, is for CLINICAL_ROLES: the record holds the
target memory and the cognitions, which an intake coordinator does not need
(minimum necessary, HIPAA 164.502(b)), as the dosing record is refused to them.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import Role
from bls.models import DesensitisationSet, DisplayPairing, EmdrRecord, PhaseMark
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
from treatment.models import Modality, SessionKind

from .support import make_emdr_appointment

CLINICAL_ROLES = {Role.ADMIN, Role.THERAPIST}

A_SET = {"bls_type": "eyes", "speed_hz": "1.0", "passes": "24"}

MATRIX: dict[str, Entry] = {
    "bls:new": Entry("POST", CLINICAL_ROLES, "session"),
    "bls:new_for_appointment": Entry("POST", CLINICAL_ROLES, "appointment"),
    "bls:record": Entry("GET", CLINICAL_ROLES, "record"),
    "bls:phase": Entry("POST", CLINICAL_ROLES, "record", {"phase": "3"}),
    "bls:assessment": Entry(
        "POST", CLINICAL_ROLES, "record", {"sud_start": "7", "voc_start": "2"}
    ),
    "bls:set_add": Entry("POST", CLINICAL_ROLES, "record", A_SET),
    "bls:closing": Entry("POST", CLINICAL_ROLES, "record", {"sud_end": "0"}),
    "bls:planned_end": Entry("POST", CLINICAL_ROLES, "record", {"planned_reprocessing_end": ""}),
    "bls:timeline_svg": Entry("GET", CLINICAL_ROLES, "record"),
    # The BLS display is controlled by the record's therapist only (bls.pairing.
    # therapist_of): not the admin, who may read the record but is not in the room.
    # A code no display shows is refused beside the field (200).
    "bls:display_pair": Entry("POST", {Role.THERAPIST}, "record", {"code": "123456"}, posted=200),
    "bls:display_end": Entry("POST", {Role.THERAPIST}, "record", {"confirm": "yes"}),
    "bls:set_report": Entry(
        "GET POST", {Role.THERAPIST}, "record set_number", {"sud": "3"}, writes=True
    ),
}


def practice() -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    therapist = users[Role.THERAPIST]
    # Every object is one the therapist may see: their client's.
    client = make_phi_client(therapist)
    course = make_course(client, therapist, modality=Modality.KA_EMDR)
    with_record = make_session(course, SessionKind.DOSING)
    record = EmdrRecord.objects.create(
        session=with_record,
        created_by=therapist,
        target_memory="The red kayak capsizing below Harpers Ferry",
        negative_cognition="I am powerless on the water",
    )
    DesensitisationSet.objects.create(
        record=record,
        number=1,
        at=timezone.now(),
        bls_type="eyes",
        speed_hz="1.0",
        passes=24,
        from_display=True,
        client_report="The kayak again, then the bank",
        recorded_by=therapist,
    )
    return {
        "users": users,
        "session": make_session(course, SessionKind.PREPARATION),
        "appointment": make_emdr_appointment(client, therapist, timezone.now()),
        "record": record,
        "set_number": 1,
    }


def snapshot() -> Any:
    return (
        list(EmdrRecord.objects.order_by("id").values_list("id", "sud_start", "sud_end")),
        PhaseMark.objects.count(),
        list(DesensitisationSet.objects.order_by("id").values_list("id", "sud")),
        DisplayPairing.objects.count(),
    )


TestEmdrMatrix = permission_matrix(MATRIX, practice, snapshot)

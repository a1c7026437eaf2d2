"""Who may reach which dosing URL (see pathways.testing.permission_matrix).

The staff record is for CLINICAL_ROLES (the therapist, the practice admin); the
portal summary is for prescribers.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import Role
from dosing.models import (
    Addendum,
    Administration,
    AdverseEvent,
    Discharge,
    DosingRecord,
    PrescriberContact,
    SessionNote,
    VitalSigns,
)
from dosing.tests.support import IN_RANGE, ago, local, post_data
from pathways.testing import (
    STAFF_ROLES,
    Entry,
    Fixture,
    make_course,
    make_partner,
    make_phi_client,
    make_prescriber,
    make_prescription,
    make_referral,
    make_session,
    make_user,
    permission_matrix,
)
from treatment.models import SessionKind, SessionStatus

CLINICAL_ROLES = {Role.ADMIN, Role.THERAPIST}
PARTNER_ROLES = {Role.PRESCRIBER}


def _given(practice: Fixture) -> dict[str, Any]:
    users = practice["users"]
    return {
        "dose_mg": "100",
        "given_at": local(ago(2)),
        "given_by": users[Role.THERAPIST].pk,
        "witnessed_by": users[Role.ADMIN].pk,
    }


MATRIX: dict[str, Entry] = {
    # The gate is closed for this session: an allowed open is refused with a message.
    "dosing:open": Entry("POST", CLINICAL_ROLES, "session"),
    "dosing:record": Entry("GET", CLINICAL_ROLES, "record"),
    "dosing:timeline_svg": Entry("GET", CLINICAL_ROLES, "record"),
    "dosing:predose": Entry(
        "POST",
        CLINICAL_ROLES,
        "record",
        lambda practice: post_data(
            "predose",
            fasting_hours="4",
            fasting_liquids_hours="2",
            hold_0="held",
            escort_name="Sam Rivera",
            escort_phone="(555) 010-0150",
            intention="Rest.",
        ),
    ),
    "dosing:vitals": Entry(
        "POST",
        CLINICAL_ROLES,
        "record",
        # The time left empty: the moment of the post (after the client arrived).
        lambda practice: post_data("vitals", phase="baseline", taken_at="", **IN_RANGE),
    ),
    "dosing:risk_check": Entry(
        "POST",
        CLINICAL_ROLES,
        "record",
        lambda practice: post_data("risk", method="cssrs", outcome="no_risk", note=""),
    ),
    # Refused by the service (the vitals are not out of range): a redirect with a message.
    "dosing:contact": Entry(
        "POST",
        CLINICAL_ROLES,
        "record",
        lambda practice: post_data(
            "contact",
            topic="vitals",
            contacted_at=local(ago(1)),
            prescriber_name="Dr Rao",
            instruction="Proceed.",
            proceed="yes",
        ),
    ),
    # Refused by the service (no clearance yet): a redirect with a message.
    "dosing:dose": Entry(
        "POST", CLINICAL_ROLES, "record", lambda practice: post_data("dose", **_given(practice))
    ),
    "dosing:booster": Entry(
        "POST", CLINICAL_ROLES, "record", lambda practice: post_data("booster", **_given(practice))
    ),
    "dosing:adverse_event": Entry(
        "POST",
        CLINICAL_ROLES,
        "record",
        lambda practice: post_data(
            "ae",
            type="nausea",
            severity="mild",
            occurred_at=local(ago(1)),
            action_taken="Ondansetron.",
        ),
    ),
    "dosing:discharge": Entry(
        "POST",
        CLINICAL_ROLES,
        "record",
        lambda practice: post_data(
            "discharge",
            alert_and_oriented="on",
            walks_steadily="on",
            escort_present="on",
            told_no_driving="on",
            exception_reason="No vitals machine: manual check only.",
            discharged_at=local(ago(1)),
        ),
    ),
    "dosing:note": Entry(
        "POST",
        CLINICAL_ROLES,
        "record",
        lambda practice: post_data("note", data="D", assessment="A", plan="P"),
    ),
    # With the confirm the shared form sends (a sign without it is refused).
    "dosing:note_sign": Entry(
        "POST", CLINICAL_ROLES, "record", lambda practice: {"confirm": "yes"}
    ),
    "dosing:addendum": Entry(
        "POST", CLINICAL_ROLES, "record", lambda practice: post_data("addendum", text="Later.")
    ),
    "portal_dosing:summary": Entry("GET", PARTNER_ROLES, "record"),
    # The list: after revocation, or for another partner, allowed and empty (no PHI).
    "portal_dosing:list": Entry("GET", PARTNER_ROLES),
}


def practice() -> Fixture:
    partner = make_partner()
    users = {
        role: make_prescriber(f"user-{role}", partner)
        if role == Role.PRESCRIBER
        else make_user(f"user-{role}", role)
        for role in STAFF_ROLES
    }
    therapist = users[Role.THERAPIST]
    # Every object is one the therapist may see (their client's) and the
    # prescriber may see (a referral to their partner).
    client = make_phi_client(therapist)
    referral = make_referral(client, partner, therapist, status="eligible")
    rx = make_prescription(referral, users[Role.PRESCRIBER])
    course = make_course(client, therapist)
    started = make_session(
        course,
        SessionKind.DOSING,
        status=SessionStatus.IN_PROGRESS,
        started_at=timezone.now(),
        started_by=therapist,
        prescription=rx,
    )
    record = DosingRecord.objects.create(session=started, prescription=rx, opened_by=therapist)
    return {
        "users": users,
        "session": make_session(course, SessionKind.DOSING),
        "record": record,
    }


def snapshot() -> Any:
    models = (
        DosingRecord,
        VitalSigns,
        PrescriberContact,
        Administration,
        AdverseEvent,
        Discharge,
        SessionNote,
        Addendum,
    )
    record_state = list(
        DosingRecord.objects.order_by("id").values_list(
            "id",
            "fasting_hours",
            "fasting_liquids_hours",
            "holds_answers",
            "intention",
            "risk_check_at",
        )
    )
    return (record_state, *(model.objects.count() for model in models))


TestDosingMatrix = permission_matrix(MATRIX, practice, snapshot)

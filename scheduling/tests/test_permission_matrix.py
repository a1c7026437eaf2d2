"""Who may reach which scheduling URL (see pathways.testing.permission_matrix).

Calendars, booking, moving, cancelling and the status workflow are for admin,
intake and therapist (a therapist within scheduling/access.py's scope); the
calendar feed page is for therapists (clinicians). The token-authenticated feed
itself (/calendar/) is not here: test_feed.py covers it.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from pathways.testing import (
    INVALID,
    OTHER_THERAPIST,
    STAFF_ROLES,
    Entry,
    Fixture,
    make_phi_client,
    make_user,
    permission_matrix,
)
from scheduling.models import Appointment, CalendarFeed
from scheduling.tests.factories import make_appointment, make_room
from scheduling.tests.support import at, future_day

SCHEDULE = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
CLINICIANS = {Role.THERAPIST}


def _booking(practice: Fixture) -> dict[str, Any]:
    return {
        "client": practice["client"].pk,
        "clinician": practice["users"][Role.THERAPIST].pk,
        "room": practice["room"].pk,
        "type": "intake",
        "date": practice["day"].isoformat(),
        "start": "15:00",
        "duration": "",
        "session": "",
    }


def _move(practice: Fixture) -> dict[str, Any]:
    return {
        "move-date": practice["day"].isoformat(),
        "move-start": "11:00",
        "move-duration": 50,
        "move-clinician": practice["users"][Role.THERAPIST].pk,
        "move-room": practice["room"].pk,
    }


MATRIX: dict[str, Entry] = {
    "scheduling:calendar": Entry("GET", SCHEDULE),
    # Another therapist may book, but not for a client who is not theirs: the
    # form comes back with the client refused (scheduling/access.py).
    "scheduling:new": Entry(
        "GET POST", SCHEDULE, data=_booking, expect={OTHER_THERAPIST: INVALID}
    ),
    "scheduling:appointment": Entry("GET", SCHEDULE, "appointment"),
    "scheduling:move": Entry("POST", SCHEDULE, "appointment", _move),
    "scheduling:cancel": Entry("POST", SCHEDULE, "appointment", {"cancel-reason": "Unwell"}),
    "scheduling:status": Entry("POST", SCHEDULE, "appointment", {"status": "arrived"}),
    "scheduling:feed": Entry("GET", CLINICIANS),
    "scheduling:feed_create": Entry("POST", CLINICIANS),
    "scheduling:feed_revoke": Entry("POST", CLINICIANS),
}


def practice() -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    therapist = users[Role.THERAPIST]
    # Every object is one the therapist may see: their client's.
    client = make_phi_client(therapist)
    day = future_day()
    return {
        "users": users,
        "client": client,
        "room": make_room(),
        "day": day,
        "appointment": make_appointment(client, therapist, at(day, "09:00")),
    }


def snapshot() -> Any:
    return (
        list(
            Appointment.objects.order_by("id").values_list(
                "id", "status", "starts_at", "room", "cancel_reason"
            )
        ),
        list(CalendarFeed.objects.order_by("id").values_list("id", "revoked_at")),
    )


TestSchedulingMatrix = permission_matrix(MATRIX, practice, snapshot)

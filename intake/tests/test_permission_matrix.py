"""Who may reach the intake inbox, its requests and messages (see
pathways.testing.permission_matrix). Every closing action posts its confirm (and the
reason where one is asked), so that an allowed role gets through."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from accounts.models import Role
from clients.models import Client
from intake.models import (
    AppointmentRequest,
    ContactMessage,
    RequestNote,
    RequestStatus,
    StatusChange,
)
from pathways.testing import (
    STAFF_ROLES,
    Entry,
    Fixture,
    make_message,
    make_request,
    make_service,
    make_user,
    permission_matrix,
)

INBOX = {Role.ADMIN, Role.INTAKE, Role.THERAPIST}
MANAGERS = {Role.ADMIN, Role.INTAKE}

MATRIX: dict[str, Entry] = {
    "intake:inbox": Entry("GET", INBOX),
    "intake:request": Entry("GET", INBOX, "request"),
    "intake:request_status": Entry("POST", MANAGERS, "request", {"status": "scheduled"}),
    "intake:request_assign": Entry("POST", MANAGERS, "request", {"clinician": ""}),
    "intake:request_note": Entry("POST", INBOX, "request", {"body": "Called back."}),
    # Contacted, not scheduled: an allowed role is told so, and nothing changes.
    "intake:request_convert": Entry("POST", MANAGERS, "request", {"confirm": "yes"}),
    "intake:messages": Entry("GET", MANAGERS),
    "intake:message": Entry("GET", MANAGERS, "message"),
    "intake:message_handled": Entry("POST", MANAGERS, "message"),
    "intake:request_decline": Entry(
        "POST", MANAGERS, "request", {"confirm": "yes", "reason": "Outside our area."}, writes=True
    ),
    "intake:request_spam": Entry("POST", MANAGERS, "request", {"confirm": "yes"}, writes=True),
    "intake:request_merge": Entry(
        "POST",
        MANAGERS,
        "request",
        lambda practice: {"confirm": "yes", "into": practice["first"].pk},
        writes=True,
        redirects_to=lambda practice: practice["first"].get_absolute_url(),
    ),
}


def practice() -> Fixture:
    users = {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}
    therapist = users[Role.THERAPIST]
    service = make_service()
    first = make_request(assigned_to=therapist, service=service, email="zq@example.com")
    AppointmentRequest.objects.filter(pk=first.pk).update(
        created_at=first.created_at - timedelta(days=3)
    )
    # The same person again: a possible duplicate of `first`.
    request = make_request(
        assigned_to=therapist,
        status=RequestStatus.CONTACTED,
        service=service,
        email="zq@example.com",
    )
    return {"users": users, "request": request, "first": first, "message": make_message()}


def snapshot() -> Any:
    return (
        list(AppointmentRequest.objects.values_list("id", "status", "merged_into")),
        StatusChange.objects.count(),
        RequestNote.objects.count(),
        list(ContactMessage.objects.values_list("id", "handled_at")),
        Client.objects.count(),
    )


TestIntakeCloseMatrix = permission_matrix(MATRIX, practice, snapshot)

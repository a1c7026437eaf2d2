"""Writes to requests and messages: each is atomic and audited."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.access import AuthedRequest
from accounts.models import Role, User
from audit.services import log_action
from clients.models import Client
from common.links import site_url
from common.transitions import TransitionError, check_transition
from intake.models import (
    REQUEST_TRANSITIONS,
    AppointmentRequest,
    ContactMessage,
    RequestNote,
    RequestStatus,
    StatusChange,
)
from notifications.services import email_queue


def _intake_recipients() -> list[str]:
    staff = User.objects.filter(role=Role.INTAKE, is_active=True).exclude(email="")
    addresses = [*staff.values_list("email", flat=True), *settings.INTAKE_NOTIFY_EMAILS]
    return sorted(set(addresses))


def _notify_intake(kind: str, link: str) -> None:
    context = {"kind": kind, "link": site_url(link), "practice": settings.PRACTICE_NAME}
    for address in _intake_recipients():
        email_queue(address, "notifications/email/staff_new_item", context)


def request_submit(
    request: HttpRequest, data: dict[str, Any], token: uuid.UUID, hashed_ip: str
) -> tuple[AppointmentRequest, bool]:
    """Store a request, then queue the e-mails. Returns (request, created).

    The row is committed before any e-mail is attempted: the e-mails are outbox
    rows in the same transaction, sent by the worker after commit. A second
    submit of the same form (same token) returns the first row and sends nothing.
    """
    existing = AppointmentRequest.objects.filter(submission_token=token).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            appt = AppointmentRequest.objects.create(
                submission_token=token, ip_hash=hashed_ip, **data
            )
            log_action(request, "request.create", appt)
            _notify_intake("appointment request", reverse("intake:inbox"))
            email_queue(
                appt.email,
                "notifications/email/request_received",
                {"practice": settings.PRACTICE_NAME, "phone": settings.PRACTICE_PHONE},
            )
    except IntegrityError:
        # Two identical submits raced; the other one won and holds the row.
        return AppointmentRequest.objects.get(submission_token=token), False
    return appt, True


def contact_submit(
    request: HttpRequest, data: dict[str, Any], token: uuid.UUID, hashed_ip: str
) -> tuple[ContactMessage, bool]:
    existing = ContactMessage.objects.filter(submission_token=token).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            message = ContactMessage.objects.create(
                submission_token=token, ip_hash=hashed_ip, **data
            )
            log_action(request, "message.create", message)
            _notify_intake("contact message", reverse("intake:messages"))
    except IntegrityError:
        return ContactMessage.objects.get(submission_token=token), False
    return message, True


def _set_status(request: AuthedRequest, appt: AppointmentRequest, to_status: str) -> None:
    StatusChange.objects.create(
        request=appt, from_status=appt.status, to_status=to_status, changed_by=request.user
    )
    log_action(
        request,
        "request.status",
        appt,
        client=appt.client,
        detail={"from": appt.status, "to": to_status},
    )
    appt.status = to_status
    appt.save(update_fields=["status", "updated_at"])


def request_set_status(request: AuthedRequest, appt_id: int, to_status: str) -> AppointmentRequest:
    with transaction.atomic():
        appt = AppointmentRequest.objects.select_for_update().get(pk=appt_id)
        check_transition(
            REQUEST_TRANSITIONS,
            appt.status,
            to_status,
            error=TransitionError(
                f"A {appt.get_status_display().lower()} request cannot move to “{to_status}”."
            ),
        )
        _set_status(request, appt, to_status)
    return appt


def request_assign(
    request: AuthedRequest, appt: AppointmentRequest, clinician: User | None
) -> None:
    with transaction.atomic():
        appt.assigned_to = clinician
        appt.save(update_fields=["assigned_to", "updated_at"])
        log_action(
            request,
            "request.assign",
            appt,
            client=appt.client,
            detail={"assigned_to": clinician.pk if clinician else None},
        )


def request_add_note(request: AuthedRequest, appt: AppointmentRequest, body: str) -> RequestNote:
    with transaction.atomic():
        note = RequestNote.objects.create(request=appt, author=request.user, body=body)
        log_action(request, "request.note", appt, client=appt.client, detail={"note": note.pk})
    return note


def request_convert(request: AuthedRequest, appt_id: int) -> Client:
    """Create the client record from a scheduled request, exactly once."""
    with transaction.atomic():
        appt = AppointmentRequest.objects.select_for_update().get(pk=appt_id)
        if not appt.can_convert():
            raise TransitionError("Only a scheduled request with no client yet can be converted.")
        assignee = appt.assigned_to
        therapist = assignee if assignee and assignee.role == Role.THERAPIST else None
        client = Client.objects.create(
            first_name=appt.first_name,
            last_name=appt.last_name,
            email=appt.email,
            phone=appt.phone,
            service_of_interest=appt.service.title if appt.service else "",
            assigned_therapist=therapist,
            created_by=request.user,
        )
        appt.client = client
        appt.save(update_fields=["client", "updated_at"])
        _set_status(request, appt, RequestStatus.CONVERTED)
        log_action(request, "client.create", client, client=client, detail={"request": appt.pk})
    return client


def message_mark_handled(request: AuthedRequest, message: ContactMessage) -> None:
    with transaction.atomic():
        message.handled_at = timezone.now()
        message.handled_by = request.user
        message.save(update_fields=["handled_at", "handled_by"])
        log_action(request, "message.handled", message)

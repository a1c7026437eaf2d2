"""Writes to requests and messages: each is atomic and audited.

Each service checks what the form checks, so a caller that skips the form cannot
store what the form would refuse; it raises IntakeError with a message for the
person and, where there is one, the field it belongs beside.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role, User
from audit.services import log_action
from clients.models import Client
from clients.queries import active_therapists
from clients.validation import PHONE_MESSAGE, check_phone, first_problem
from common.links import site_url
from common.transitions import check_transition
from intake.models import (
    REQUEST_TRANSITIONS,
    AppointmentRequest,
    ContactMessage,
    ContactTime,
    RequestNote,
    RequestStatus,
    StatusChange,
)
from notifications.services import email_queue
from website.models import Service


class IntakeError(ValueError):
    """A write the inbox refuses; the message is for the person."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RequestDetails:
    """What a person types into the public appointment request form."""

    first_name: str
    last_name: str
    email: str
    phone: str
    preferred_contact: str
    reason: str
    consent_to_contact: bool
    not_emergency_ack: bool
    preferred_times: tuple[str, ...] = ()
    service: Service | None = None
    heard_about: str = ""


@dataclass(frozen=True)
class MessageDetails:
    """What a person types into the public contact form."""

    name: str
    email: str
    message: str
    phone: str = ""


def _intake_recipients() -> list[str]:
    staff = User.objects.filter(role=Role.INTAKE, is_active=True).exclude(email="")
    addresses = [*staff.values_list("email", flat=True), *settings.INTAKE_NOTIFY_EMAILS]
    return sorted(set(addresses))


def _notify_intake(kind: str, link: str) -> None:
    context = {"kind": kind, "link": site_url(link), "practice": settings.PRACTICE_NAME}
    for address in _intake_recipients():
        email_queue(to=address, template="notifications/email/staff_new_item", context=context)


def _refuse_problems(obj: models.Model, exclude: tuple[str, ...] = ()) -> None:
    """Required values, lengths, choices and the e-mail address, as the model says."""
    field, message = first_problem(obj, exclude)
    if message:
        raise IntakeError(message, field)


def _checked_phone(value: str, *, required: bool) -> str:
    try:
        phone = check_phone(value)
    except ValidationError as exc:
        raise IntakeError(exc.messages[0], "phone") from exc
    if required and not phone:
        raise IntakeError(PHONE_MESSAGE, "phone")
    return phone


def _new_request(details: RequestDetails, token: uuid.UUID, ip_hash: str) -> AppointmentRequest:
    """The request to store, after the checks the public form makes."""
    if not details.consent_to_contact:
        raise IntakeError("We need your permission to contact you.", "consent_to_contact")
    if not details.not_emergency_ack:
        raise IntakeError(
            "Please confirm you understand this form is not for emergencies.",
            "not_emergency_ack",
        )
    if not set(details.preferred_times) <= set(ContactTime.values):
        raise IntakeError("Choose the times from the list.", "preferred_times")
    service = details.service
    if service is not None and not Service.objects.published().filter(pk=service.pk).exists():
        raise IntakeError("Choose a service from the list.", "service")
    appt = AppointmentRequest(
        first_name=details.first_name,
        last_name=details.last_name,
        email=details.email,
        phone=_checked_phone(details.phone, required=True),
        preferred_contact=details.preferred_contact,
        preferred_times=list(details.preferred_times),
        service=service,
        reason=details.reason,
        heard_about=details.heard_about,
        consent_to_contact=details.consent_to_contact,
        not_emergency_ack=details.not_emergency_ack,
        submission_token=token,
        ip_hash=ip_hash,
    )
    _refuse_problems(appt, exclude=("service", "submission_token"))
    return appt


def request_submit(
    *, actor: Actor, details: RequestDetails, token: uuid.UUID, ip_hash: str
) -> tuple[AppointmentRequest, bool]:
    """Store a request, then queue the e-mails. Returns (request, created).

    The row is committed before any e-mail is attempted: the e-mails are outbox
    rows in the same transaction, sent by the worker after commit. A second
    submit of the same form (same token) returns the first row and sends nothing.
    """
    existing = AppointmentRequest.objects.filter(submission_token=token).first()
    if existing:
        return existing, False
    appt = _new_request(details, token, ip_hash)
    try:
        with transaction.atomic():
            appt.save()
            log_action(actor, "request.create", appt)
            _notify_intake("appointment request", reverse("intake:inbox"))
            email_queue(
                to=appt.email,
                template="notifications/email/request_received",
                context={"practice": settings.PRACTICE_NAME, "phone": settings.PRACTICE_PHONE},
            )
    except IntegrityError:
        # Two identical submits raced; the other one won and holds the row.
        return AppointmentRequest.objects.get(submission_token=token), False
    return appt, True


def message_submit(
    *, actor: Actor, details: MessageDetails, token: uuid.UUID, ip_hash: str
) -> tuple[ContactMessage, bool]:
    """Store a contact message and tell the intake team. Returns (message, created);
    a second submit of the same form (same token) returns the first row."""
    existing = ContactMessage.objects.filter(submission_token=token).first()
    if existing:
        return existing, False
    message = ContactMessage(
        name=details.name,
        email=details.email,
        phone=_checked_phone(details.phone, required=False),
        message=details.message,
        submission_token=token,
        ip_hash=ip_hash,
    )
    _refuse_problems(message, exclude=("submission_token",))
    try:
        with transaction.atomic():
            message.save()
            log_action(actor, "message.create", message)
            _notify_intake("contact message", reverse("intake:messages"))
    except IntegrityError:
        return ContactMessage.objects.get(submission_token=token), False
    return message, True


def _set_status(actor: Actor, appt: AppointmentRequest, to_status: str) -> None:
    StatusChange.objects.create(
        request=appt, from_status=appt.status, to_status=to_status, changed_by=actor.staff
    )
    log_action(
        actor,
        "request.status",
        appt,
        client=appt.client,
        detail={"from": appt.status, "to": to_status},
    )
    appt.status = to_status
    appt.save(update_fields=["status", "updated_at"])


def request_set_status(
    *, actor: Actor, appt: AppointmentRequest, status: str
) -> AppointmentRequest:
    """Move a request along its workflow (REQUEST_TRANSITIONS); returns it as stored."""
    with transaction.atomic():
        current = AppointmentRequest.objects.select_for_update().get(pk=appt.pk)
        check_transition(
            REQUEST_TRANSITIONS,
            current.status,
            status,
            error=IntakeError(
                f"A {current.get_status_display().lower()} request cannot move to “{status}”."
            ),
        )
        _set_status(actor, current, status)
    return current


def request_assign(*, actor: Actor, appt: AppointmentRequest, clinician: User | None) -> None:
    """Assign the request to an active therapist, or to nobody."""
    if clinician is not None and not active_therapists().filter(pk=clinician.pk).exists():
        raise IntakeError("Choose a clinician from the list.", "clinician")
    with transaction.atomic():
        appt.assigned_to = clinician
        appt.save(update_fields=["assigned_to", "updated_at"])
        log_action(
            actor,
            "request.assign",
            appt,
            client=appt.client,
            detail={"assigned_to": clinician.pk if clinician else None},
        )


def request_add_note(*, actor: Actor, appt: AppointmentRequest, body: str) -> RequestNote:
    """Add an internal note (staff only; the requester never sees it)."""
    note = RequestNote(request=appt, author=actor.staff, body=body)
    if not body.strip():
        raise IntakeError("Write the note before adding it.", "body")
    _refuse_problems(note)
    with transaction.atomic():
        note.save()
        log_action(actor, "request.note", appt, client=appt.client, detail={"note": note.pk})
    return note


def request_convert(*, actor: Actor, appt: AppointmentRequest) -> Client:
    """Create the client record from a scheduled request, exactly once."""
    with transaction.atomic():
        current = AppointmentRequest.objects.select_for_update().get(pk=appt.pk)
        if not current.can_convert():
            raise IntakeError("Only a scheduled request with no client yet can be converted.")
        assignee = current.assigned_to
        therapist = assignee if assignee and assignee.role == Role.THERAPIST else None
        client = Client.objects.create(
            first_name=current.first_name,
            last_name=current.last_name,
            email=current.email,
            phone=current.phone,
            service_of_interest=current.service.title if current.service else "",
            assigned_therapist=therapist,
            created_by=actor.staff,
        )
        current.client = client
        current.save(update_fields=["client", "updated_at"])
        _set_status(actor, current, RequestStatus.CONVERTED)
        log_action(actor, "client.create", client, client=client, detail={"request": current.pk})
    return client


def message_mark_handled(*, actor: Actor, message: ContactMessage) -> None:
    """Mark a message handled; one already handled keeps who handled it and when."""
    with transaction.atomic():
        current = ContactMessage.objects.select_for_update().get(pk=message.pk)
        if current.handled_at is not None:
            return
        current.handled_at = timezone.now()
        current.handled_by = actor.staff
        current.save(update_fields=["handled_at", "handled_by"])
        log_action(actor, "message.handled", current)

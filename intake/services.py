"""Writes to requests and messages: each is atomic and audited.

Each service checks what the form checks, so a caller that skips the form cannot
store what the form would refuse; it raises IntakeError with a message for the
person and, where there is one, the field it belongs beside.
"""

from __future__ import annotations

import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role, User
from audit.services import log_action
from clients.models import Client
from clients.queries import active_therapists
from clients.validation import PHONE_MESSAGE, check_phone, first_problem
from common.links import site_url
from common.ratelimit import serialized
from common.timefmt import local_day_hm
from common.transitions import check_transition
from intake.models import (
    REQUEST_TRANSITIONS,
    AppointmentRequest,
    ContactMessage,
    ContactTime,
    RequestNote,
    RequestStatus,
    StatusChange,
    digits_of,
)
from intake.queries import client_matches, request_matches
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


SENT_AGAIN_WITHIN = timedelta(days=1)


def _sent_before(details: RequestDetails, phone: str) -> AppointmentRequest | None:
    """The same person's request for the same service in the last day, locked: sent
    again, it is not stored twice. The caller holds the transaction."""
    since = timezone.now() - SENT_AGAIN_WITHIN
    same_person = Q(email__iexact=details.email.strip())
    if digits_of(phone):
        same_person |= Q(phone_digits=digits_of(phone))
    return (
        AppointmentRequest.objects.select_for_update()
        .filter(same_person, service=details.service, created_at__gte=since)
        .exclude(status__in=(RequestStatus.MERGED, RequestStatus.SPAM))
        .order_by("created_at", "id")
        .first()
    )


def _record_sent_again(actor: Actor, first: AppointmentRequest, new: AppointmentRequest) -> None:
    """Count the second submit on the first request, and keep what differs as a note."""
    first.sent_again_count += 1
    first.sent_again_at = timezone.now()
    first.save(update_fields=["sent_again_count", "sent_again_at", "updated_at"])
    changed = [
        f"{label}: {getattr(new, name)}"
        for name, label in (("email", "E-mail"), ("phone", "Phone"))
        if getattr(new, name).strip().lower() != getattr(first, name).strip().lower()
    ]
    if new.reason.strip() != first.reason.strip():
        changed.append(f"Message: {new.reason}")
    # Always a note, so that the inbox says when and the rate limit counts it
    # (intake.ratelimit): the same form sent over and over from one address is refused.
    when = local_day_hm(first.sent_again_at)
    lines = changed or ["Nothing new in it."]
    body = "\n".join([f"Sent again through the website on {when}.", *lines])
    RequestNote.objects.create(request=first, author=None, body=body, ip_hash=new.ip_hash)
    log_action(
        actor,
        "request.sent_again",
        first,
        client=first.client,
        detail={"count": first.sent_again_count, "note": bool(changed)},
    )


def request_submit(
    *, actor: Actor, details: RequestDetails, token: uuid.UUID, ip_hash: str
) -> tuple[AppointmentRequest, bool]:
    """Store a request, then queue the e-mails. Returns (request, created).

    The row is committed before any e-mail is attempted: the e-mails are outbox
    rows in the same transaction, sent by the worker after commit. A second
    submit of the same form (same token) returns the first row and sends nothing.
    The same person sending the form again within a day for the same service (same
    e-mail or phone) is counted on their first request, with anything new kept as a
    note, and not stored twice: the check and the update run under one lock (the
    person's, then the first request's row), so two submits at once cannot both store.
    """
    existing = AppointmentRequest.objects.filter(submission_token=token).first()
    if existing:
        return existing, False
    appt = _new_request(details, token, ip_hash)
    try:
        with transaction.atomic(), ExitStack() as locks:
            # One lock per e-mail and per phone (in a fixed order), held to commit: the
            # second of two simultaneous submits waits, then finds the first one's row.
            for key in sorted({f"email:{appt.email.lower()}", f"phone:{digits_of(appt.phone)}"}):
                locks.enter_context(serialized(f"intake.request:{key}"))
            first = _sent_before(details, appt.phone)
            if first is not None:
                _record_sent_again(actor, first, appt)
                return first, False
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


REASON_MAX = 500


def _checked_reason(reason: str, *, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise IntakeError(f"Write {what}.", "reason")
    if len(reason) > REASON_MAX:
        raise IntakeError(f"Keep the reason under {REASON_MAX} characters.", "reason")
    return reason


def _set_status(
    actor: Actor,
    appt: AppointmentRequest,
    to_status: str,
    reason: str = "",
    detail: dict[str, object] | None = None,
) -> None:
    StatusChange.objects.create(
        request=appt,
        from_status=appt.status,
        to_status=to_status,
        changed_by=actor.staff,
        reason=reason,
    )
    log_action(
        actor,
        "request.status",
        appt,
        client=appt.client,
        # The reason is free text about a person: the entry says only that there is one.
        detail={
            "from": appt.status,
            "to": to_status,
            **({"reason": True} if reason else {}),
            **(detail or {}),
        },
    )
    appt.status = to_status
    appt.save(update_fields=["status", "updated_at"])


def _locked_request(appt: AppointmentRequest) -> AppointmentRequest:
    return AppointmentRequest.objects.select_for_update().get(pk=appt.pk)


def request_set_status(
    *, actor: Actor, appt: AppointmentRequest, status: str, reason: str = ""
) -> AppointmentRequest:
    """Move a request along its workflow (REQUEST_TRANSITIONS); returns it as stored.

    Declining needs the reason (kept, encrypted, in the status history); "converted"
    and "merged" are reached only through request_convert and request_merge."""
    if status in (RequestStatus.CONVERTED, RequestStatus.MERGED):
        raise IntakeError("Use “Convert to client” or “Merge” for that.", "status")
    if status == RequestStatus.DECLINED:
        reason = _checked_reason(reason, what="why the request is declined")
    elif len(reason) > REASON_MAX:
        raise IntakeError(f"Keep the reason under {REASON_MAX} characters.", "reason")
    with transaction.atomic():
        current = _locked_request(appt)
        check_transition(
            REQUEST_TRANSITIONS,
            current.status,
            status,
            error=IntakeError(
                f"A {current.get_status_display().lower()} request cannot move to “{status}”."
            ),
        )
        _set_status(actor, current, status, reason.strip())
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


def request_convert(
    *,
    actor: Actor,
    appt: AppointmentRequest,
    existing: Client | None = None,
    reason: str = "",
) -> Client:
    """Create the client record from a scheduled request, exactly once.

    When clients already match the request (intake.queries.client_matches), the
    person converting chooses: `existing`, one of them ("This is <client>": the request
    is linked to that client, nothing new is created; if that client came from an
    earlier request, this one is merged into it), or a new client anyway, with the
    `reason` why (kept in the status history)."""
    with transaction.atomic():
        current = _locked_request(appt)
        if not current.can_convert():
            raise IntakeError("Only a scheduled request with no client yet can be converted.")
        matches = [m.record for m in client_matches([current], Client.objects.all())[current.pk]]
        match_ids = sorted(c.pk for c in matches)
        if existing is not None:
            if existing.pk not in match_ids:
                raise IntakeError("Choose one of the matching clients listed.", "existing")
            return _link_to_client(actor, current, existing)
        others = request_matches([current], AppointmentRequest.objects.all())[current.pk]
        other_ids = sorted(m.record.pk for m in others)
        if matches or others:
            reason = _checked_reason(
                reason, what="why a new client is needed although this one may already exist"
            )
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
        _set_status(
            actor,
            current,
            RequestStatus.CONVERTED,
            reason.strip(),
            detail=(
                {"possible_duplicates": match_ids, "possible_duplicate_requests": other_ids}
                if matches or others
                else None
            ),
        )
        log_action(actor, "client.create", client, client=client, detail={"request": current.pk})
    return client


def _link_to_client(actor: Actor, current: AppointmentRequest, client: Client) -> Client:
    """The request is from an existing client: link it, or merge it into the request that
    client came from (a client has one source request). Inside the caller's transaction."""
    first = AppointmentRequest.objects.select_for_update().filter(client=client).first()
    if first is not None:
        _merge(actor, current, first)
        return client
    current.client = client
    current.save(update_fields=["client", "updated_at"])
    _set_status(actor, current, RequestStatus.CONVERTED, detail={"linked_client": client.pk})
    return client


def _merge_summary(dup: AppointmentRequest) -> str:
    """What the duplicate said, as a note on the first request, so nothing is lost."""
    lines = [
        f"Merged from request #{dup.pk}, received {local_day_hm(dup.created_at)}.",
        f"Name: {dup.full_name}",
        f"E-mail: {dup.email}",
        f"Phone: {dup.phone}",
        f"Preferred contact: {dup.get_preferred_contact_display()}",
        f"Good times: {', '.join(dup.preferred_time_labels()) or 'Any time'}",
        f"Service: {dup.service.title if dup.service else 'Not sure yet'}",
        f"Heard about us: {dup.get_heard_about_display() or '—'}",
        f"Reason: {dup.reason}",
    ]
    return "\n".join(lines)


def _merge(actor: Actor, dup: AppointmentRequest, first: AppointmentRequest) -> None:
    """Fold `dup` into `first` (both locked by the caller): its answers as a note, its
    notes moved over, its status "merged"; both audited."""
    if dup.pk == first.pk:
        raise IntakeError("A request cannot be merged into itself.", "into")
    if first.status == RequestStatus.MERGED:
        raise IntakeError("That request was itself merged; merge into the one it joined.", "into")
    if not dup.can_merge():
        raise IntakeError("This request can no longer be merged.", "into")
    moved = RequestNote.objects.filter(request=dup).update(request=first)
    # Requests merged into the duplicate earlier now point at the first one too.
    AppointmentRequest.objects.filter(merged_into=dup).update(merged_into=first)
    RequestNote.objects.create(request=first, author=actor.staff, body=_merge_summary(dup))
    dup.merged_into = first
    dup.save(update_fields=["merged_into", "updated_at"])
    _set_status(actor, dup, RequestStatus.MERGED, detail={"into": first.pk})
    first.sent_again_count += dup.sent_again_count + 1
    first.sent_again_at = max(filter(None, [first.sent_again_at, dup.created_at]))
    first.save(update_fields=["sent_again_count", "sent_again_at", "updated_at"])
    log_action(
        actor,
        "request.merge",
        first,
        client=first.client,
        detail={"from": dup.pk, "notes_moved": moved},
    )


def request_merge(
    *, actor: Actor, appt: AppointmentRequest, into: AppointmentRequest
) -> AppointmentRequest:
    """Merge a duplicate request into the first one the same person sent: the first keeps
    the duplicate's answers (as a note) and its notes; the duplicate is marked merged.
    Only into a request that may be the same person (intake.queries.request_matches)."""
    with transaction.atomic():
        # Lock both, oldest first, so two merges cannot deadlock or cross.
        locked = {
            a.pk: a
            for a in AppointmentRequest.objects.select_for_update()
            .filter(pk__in=[appt.pk, into.pk])
            .order_by("pk")
        }
        dup, first = locked[appt.pk], locked.get(into.pk)
        if first is None or dup.pk == first.pk:
            raise IntakeError("Choose a request to merge into.", "into")
        scope = AppointmentRequest.objects.filter(pk=first.pk)
        if not request_matches([dup], scope)[dup.pk]:
            raise IntakeError("Only a possible duplicate of this request can be chosen.", "into")
        _merge(actor, dup, first)
    return first


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

"""Booking, moving and cancelling appointments, and their status workflow.

Double booking is refused here, on the server, also when two requests arrive at
the same moment: each write runs in one transaction that first locks the rows of
the clinician (User), the client and the room (`select_for_update`, always in the
same order: model label, then pk, so that two bookings never wait on each other
in a circle) and only then looks for an overlapping appointment. A second booking
of the same slot waits for the first to commit, then sees it and is refused.
(SQLite has no row locks; there, IMMEDIATE transactions serialise the writers.)

Two appointments overlap when `a.starts_at < b.ends_at and a.ends_at > b.starts_at`:
one that ends at 10:00 and one that starts at 10:00 do not clash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import default_task_backend

from accounts.access import AuthedRequest
from accounts.models import Role, User
from audit.services import log_action
from clients.access import clients_for_user
from clients.models import Client
from common.timefmt import local, local_day_hm, local_hm
from common.transitions import check_transition
from scheduling.models import (
    APPOINTMENT_TRANSITIONS,
    BLOCKING_STATUSES,
    DEFAULT_MINUTES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Room,
    WorkingHours,
)
from scheduling.reminders import REMINDER_HOURS
from treatment.models import Modality, SessionKind, SessionStatus, TreatmentSession

# Which course session each type of appointment books; dosing types must also
# match the course's modality.
SESSION_KIND_FOR_TYPE: dict[str, str] = {
    AppointmentType.PREPARATION: SessionKind.PREPARATION,
    AppointmentType.KAP_DOSING: SessionKind.DOSING,
    AppointmentType.KA_EMDR_DOSING: SessionKind.DOSING,
    AppointmentType.INTEGRATION: SessionKind.INTEGRATION,
}
MODALITY_FOR_TYPE: dict[str, str] = {
    AppointmentType.KAP_DOSING: Modality.KAP,
    AppointmentType.KA_EMDR_DOSING: Modality.KA_EMDR,
}
# The timestamp field each status step sets.
STEP_FIELD: dict[str, str] = {
    AppointmentStatus.ARRIVED: "arrived_at",
    AppointmentStatus.IN_SESSION: "in_session_at",
    AppointmentStatus.COMPLETED: "completed_at",
    AppointmentStatus.CANCELLED: "cancelled_at",
    AppointmentStatus.NO_SHOW: "no_show_at",
}
MAX_MINUTES = 12 * 60


class SchedulingError(Exception):
    """A change that cannot be made; the message is safe to show to staff."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class BookingClash(SchedulingError):
    """The slot is taken. `clashes` maps "clinician", "room" or "client" to a message
    that names the clinician or the room, never another client."""

    def __init__(self, clashes: dict[str, str]) -> None:
        super().__init__(" ".join(clashes.values()))
        self.clashes = clashes


@dataclass
class Outcome:
    appointment: Appointment
    warnings: list[str] = field(default_factory=list)


def clinicians() -> QuerySet[User]:
    """Who can be booked: the practice's active therapists."""
    return User.objects.filter(role=Role.THERAPIST, is_active=True)


def default_ends_at(type_: str, starts_at: dt.datetime) -> dt.datetime:
    # Added in UTC: wall-clock arithmetic would be wrong across a clock change.
    return starts_at.astimezone(dt.UTC) + dt.timedelta(minutes=DEFAULT_MINUTES[type_])


def _span(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    return f"{local(starts_at):%a} {local_day_hm(starts_at)}–{local_hm(ends_at)}"


def session_problem(session: TreatmentSession | None, client: Client, type_: str) -> str | None:
    """Why `session` cannot be booked by an appointment of `type_` for `client`, or None."""
    if session is None:
        return None
    kind = SESSION_KIND_FOR_TYPE.get(type_)
    if session.course.client_id != client.pk:
        return "That session belongs to another client's course."
    if kind is None:
        return "Only preparation, dosing and integration appointments book a course session."
    if session.kind != kind:
        return f"That is a {session.get_kind_display().lower()} session, not a {kind} session."
    modality = MODALITY_FOR_TYPE.get(type_)
    if modality and session.course.modality != modality:
        return (
            f"That session belongs to a {session.course.get_modality_display()} course; "
            f"book a {session.course.get_modality_display()} dosing appointment for it."
        )
    if session.status != SessionStatus.PLANNED:
        return "Only a planned session can be booked."
    return None


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise SchedulingError("Times must carry a time zone.")  # a programming error
    if ends_at <= starts_at:
        raise SchedulingError("The appointment must end after it starts.", "duration")
    if ends_at - starts_at > dt.timedelta(minutes=MAX_MINUTES):
        raise SchedulingError("An appointment can last at most 12 hours.", "duration")


def _lock(clinician: User, client: Client, room: Room | None, appt_id: int | None) -> None:
    """Lock the rows a booking holds, in one fixed order (model label, then pk)."""
    list(User.objects.select_for_update().filter(pk=clinician.pk).order_by("pk"))
    list(Client.objects.select_for_update().filter(pk=client.pk).order_by("pk"))
    if appt_id is not None:
        list(Appointment.objects.select_for_update().filter(pk=appt_id).order_by("pk"))
    if room is not None:
        list(Room.objects.select_for_update().filter(pk=room.pk).order_by("pk"))


def find_clashes(
    clinician: User,
    client: Client,
    room: Room | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_id: int | None = None,
) -> dict[str, str]:
    overlapping = Appointment.objects.filter(
        status__in=BLOCKING_STATUSES, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).order_by("starts_at", "pk")
    if exclude_id is not None:
        overlapping = overlapping.exclude(pk=exclude_id)
    clashes: dict[str, str] = {}
    other = overlapping.filter(clinician=clinician).first()
    if other:
        clashes["clinician"] = (
            f"{clinician.display_name} is already booked {_span(other.starts_at, other.ends_at)}."
        )
    if room is not None:
        other = overlapping.filter(room=room).first()
        if other:
            clashes["room"] = (
                f"{room.name} is already booked {_span(other.starts_at, other.ends_at)}."
            )
    other = overlapping.filter(client=client).first()
    if other:
        clashes["client"] = (
            f"The client already has an appointment {_span(other.starts_at, other.ends_at)}."
        )
    return clashes


def working_hours_warning(
    clinician: User, starts_at: dt.datetime, ends_at: dt.datetime
) -> str | None:
    """A warning (never a refusal) when the time is outside the clinician's hours.
    A clinician with no working hours on record gets no warning: nothing to compare."""
    if not WorkingHours.objects.filter(clinician=clinician).exists():
        return None
    start, end = local(starts_at), local(ends_at)
    blocks = WorkingHours.objects.filter(clinician=clinician, weekday=start.weekday())
    if start.date() == end.date() and any(
        b.start <= start.time() and end.time() <= b.end for b in blocks
    ):
        return None
    return f"This is outside {clinician.display_name}'s working hours."


def _validate(
    request: AuthedRequest,
    *,
    client: Client,
    clinician: User,
    room: Room | None,
    type_: str,
    session: TreatmentSession | None,
) -> None:
    # The form offers only these; a crafted POST meets the same checks.
    if not clients_for_user(request).filter(pk=client.pk).exists():
        raise SchedulingError("You cannot book for this client.", "client")
    if not clinicians().filter(pk=clinician.pk).exists():
        raise SchedulingError("Choose an active clinician.", "clinician")
    if room is not None and not room.active:
        raise SchedulingError("That room is not in use.", "room")
    if type_ not in AppointmentType.values:
        raise SchedulingError("Choose an appointment type.", "type")
    problem = session_problem(session, client, type_)
    if problem:
        raise SchedulingError(problem, "session")


def appointment_book(request: AuthedRequest, data: Mapping[str, Any]) -> Outcome:
    """Book an appointment. `data` holds client, clinician, room (or None), type,
    starts_at, optionally ends_at (default: the type's usual length) and session."""
    client: Client = data["client"]
    clinician: User = data["clinician"]
    room: Room | None = data.get("room")
    type_: str = data["type"]
    session: TreatmentSession | None = data.get("session")
    starts_at: dt.datetime = data["starts_at"]
    ends_at: dt.datetime = data.get("ends_at") or default_ends_at(type_, starts_at)
    _check_times(starts_at, ends_at)
    _validate(request, client=client, clinician=clinician, room=room, type_=type_, session=session)
    with transaction.atomic():
        _lock(clinician, client, room, None)
        if session is not None:
            session = TreatmentSession.objects.select_for_update().get(pk=session.pk)
            if Appointment.objects.filter(session=session).exists():
                raise SchedulingError("That session already has an appointment.", "session")
        clashes = find_clashes(clinician, client, room, starts_at, ends_at)
        if not clashes:
            appt = _create(request, data, starts_at, ends_at, session)
    if clashes:
        # Audited outside the transaction, which held nothing to keep.
        log_action(
            request,
            "appointment.book_refused",
            None,
            client=client,
            detail={"clashes": sorted(clashes), "clinician": clinician.pk},
        )
        raise BookingClash(clashes)
    warning = working_hours_warning(clinician, starts_at, ends_at)
    return Outcome(appt, [warning] if warning else [])


def _create(
    request: AuthedRequest,
    data: Mapping[str, Any],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    session: TreatmentSession | None,
) -> Appointment:
    client: Client = data["client"]
    clinician: User = data["clinician"]
    room: Room | None = data.get("room")
    type_: str = data["type"]
    with transaction.atomic():
        appt = Appointment.objects.create(
            client=client,
            clinician=clinician,
            room=room,
            type=type_,
            starts_at=starts_at,
            ends_at=ends_at,
            session=session,
            created_by=request.user,
        )
        if session is not None:
            _plan_session(session, starts_at)
        log_action(
            request,
            "appointment.book",
            appt,
            client=client,
            detail={
                "clinician": clinician.pk,
                "room": room.pk if room else None,
                "type": type_,
                "session": session.pk if session else None,
            },
        )
        _schedule_reminders(appt)
    return appt


def _plan_session(session: TreatmentSession, starts_at: dt.datetime) -> None:
    day = local(starts_at).date()
    if session.planned_date != day:
        session.planned_date = day
        session.save(update_fields=["planned_date"])


def _locked(appt: Appointment) -> Appointment:
    return Appointment.objects.select_for_update().select_related("client").get(pk=appt.pk)


def appointment_move(
    request: AuthedRequest,
    appt: Appointment,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    clinician: User,
    room: Room | None,
) -> Outcome:
    """Move a scheduled appointment to another time, clinician or room."""
    _check_times(starts_at, ends_at)
    if not clinicians().filter(pk=clinician.pk).exists():
        raise SchedulingError("Choose an active clinician.", "clinician")
    if room is not None and not room.active and room.pk != appt.room_id:
        raise SchedulingError("That room is not in use.", "room")
    with transaction.atomic():
        _lock(clinician, appt.client, room, appt.pk)
        current = _locked(appt)
        if current.status != AppointmentStatus.SCHEDULED:
            raise SchedulingError("Only a scheduled appointment can be moved.")
        clashes = find_clashes(clinician, current.client, room, starts_at, ends_at, current.pk)
        if not clashes:
            _apply_move(request, current, starts_at, ends_at, clinician, room)
    if clashes:
        log_action(
            request,
            "appointment.move_refused",
            appt,
            client=appt.client,
            detail={"clashes": sorted(clashes)},
        )
        raise BookingClash(clashes)
    appt.refresh_from_db()
    warning = working_hours_warning(clinician, starts_at, ends_at)
    return Outcome(appt, [warning] if warning else [])


def _apply_move(
    request: AuthedRequest,
    current: Appointment,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    clinician: User,
    room: Room | None,
) -> None:
    new = {"starts_at": starts_at, "ends_at": ends_at, "clinician": clinician, "room": room}
    changed = [name for name, value in new.items() if getattr(current, name) != value]
    for name, value in new.items():
        setattr(current, name, value)
    current.save()
    if current.session_id is not None and current.session is not None:
        _plan_session(current.session, starts_at)
    log_action(
        request, "appointment.move", current, client=current.client, detail={"fields": changed}
    )
    _schedule_reminders(current)


def appointment_cancel(request: AuthedRequest, appt: Appointment, reason: str) -> Appointment:
    """Cancel with a reason (kept on the appointment for staff; never in the audit
    detail). The linked course session, if any, is freed to be booked again."""
    reason = reason.strip()
    if not reason:
        raise SchedulingError("Give the reason for cancelling.", "reason")
    if len(reason) > 300:
        raise SchedulingError("Keep the reason under 300 characters.", "reason")
    with transaction.atomic():
        current = _locked(appt)
        check_transition(
            APPOINTMENT_TRANSITIONS,
            current.status,
            AppointmentStatus.CANCELLED,
            error=SchedulingError(
                f"A {current.get_status_display().lower()} appointment cannot be cancelled."
            ),
        )
        session_id = current.session_id
        current.status = AppointmentStatus.CANCELLED
        current.cancel_reason = reason
        current.cancelled_at = timezone.now()
        current.session = None
        current.save()
        log_action(
            request,
            "appointment.cancel",
            current,
            client=current.client,
            detail={"status": current.status, "session": session_id},
        )
    appt.refresh_from_db()
    return appt


def appointment_set_status(request: AuthedRequest, appt: Appointment, status: str) -> Appointment:
    """Move along scheduled → arrived → in session → completed, or to no-show."""
    if status == AppointmentStatus.CANCELLED:
        raise SchedulingError("Cancel the appointment with a reason.")
    if status not in AppointmentStatus.values:
        raise SchedulingError("Unknown status.")
    with transaction.atomic():
        current = _locked(appt)
        before = current.status
        check_transition(
            APPOINTMENT_TRANSITIONS,
            before,
            status,
            error=SchedulingError(
                f"A {current.get_status_display().lower()} appointment cannot become "
                f"{AppointmentStatus(status).label.lower()}."
            ),
        )
        current.status = status
        setattr(current, STEP_FIELD[status], timezone.now())
        current.save()
        log_action(
            request,
            "appointment.status",
            current,
            client=current.client,
            detail={"from": before, "to": status},
        )
    appt.refresh_from_db()
    return appt


def _schedule_reminders(appt: Appointment) -> None:
    """Queue the 48 h and 24 h reminders to run at their time, once committed.

    Only a backend that can defer does this (the database worker); the immediate
    backend cannot, and `manage.py send_due_reminders` (cron, every 10 minutes) is
    the path that always runs. The task checks again when it runs, so a moved or
    cancelled appointment never gets a stale reminder.
    """
    if not default_task_backend.supports_defer:
        return
    from scheduling.tasks import reminder_send

    now = timezone.now()
    for kind, hours in REMINDER_HOURS.items():
        run_after = max(now, appt.starts_at - dt.timedelta(hours=hours))
        if run_after >= appt.starts_at:
            continue

        def enqueue(kind: str = kind, run_after: dt.datetime = run_after) -> None:
            reminder_send.using(run_after=run_after).enqueue(appt.pk, kind)

        transaction.on_commit(enqueue, robust=True)

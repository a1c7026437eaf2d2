"""Booking, moving and cancelling appointments, and their status workflow.

Double booking is refused here, on the server, also when two requests arrive at
the same moment: each write runs in one transaction that first locks the rows of
the clinician (User), the client and the room (`select_for_update`, always in the
same order: model label, then pk, so that two bookings never wait on each other
in a circle) and only then looks for an overlapping appointment. A second booking
of the same slot waits for the first to commit, then sees it and is refused.
(SQLite has no row locks; there, IMMEDIATE transactions serialise the writers.)

Each service also checks what the form checks (times, an active clinician and room,
a client the actor may see, a session that fits), so a caller that skips the form
cannot store what the form would refuse. Clashes and the other reads are in
scheduling/queries.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend

from accounts.actor import Actor
from accounts.models import User
from audit.services import log_action
from clients.models import Client
from clients.queries import clients_visible_to
from common.dates import appointment_days
from common.timefmt import local, local_day_hm
from common.transitions import check_transition
from scheduling.models import (
    APPOINTMENT_TRANSITIONS,
    DEFAULT_MINUTES,
    Appointment,
    AppointmentSeries,
    AppointmentStatus,
    AppointmentType,
    Room,
)
from scheduling.notices import notice_send
from scheduling.queries import clinicians, find_clashes, session_problem, working_hours_warning
from scheduling.reminders import REMINDER_HOURS
from treatment.models import TreatmentSession

# The timestamp field each status step sets.
STEP_FIELD: dict[str, str] = {
    AppointmentStatus.ARRIVED: "arrived_at",
    AppointmentStatus.IN_SESSION: "in_session_at",
    AppointmentStatus.COMPLETED: "completed_at",
    AppointmentStatus.CANCELLED: "cancelled_at",
    AppointmentStatus.NO_SHOW: "no_show_at",
}
MIN_MINUTES, MAX_MINUTES = 5, 12 * 60
# Weekly therapy booked as a series: at most half a year ahead at once.
MAX_SERIES_WEEKS = 26


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


class SeriesClash(SchedulingError):
    """Some weeks of a series are taken: nothing was booked. `refused` spells each
    refused occurrence (day and time), `clashes` what was in the way (no client)."""

    def __init__(self, refused: list[str], clashes: dict[str, str]) -> None:
        super().__init__(
            "Nothing was booked: these weeks are already taken: " + "; ".join(refused) + ".",
            "repeat",
        )
        self.refused = refused
        self.clashes = clashes


@dataclass(frozen=True)
class Booking:
    """What an appointment books: who, with whom, where, what and when. Without
    `ends_at` it lasts the type's usual length; `session` is the course session it
    books, if any."""

    client: Client
    clinician: User
    type: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    room: Room | None = None
    session: TreatmentSession | None = None


@dataclass
class Outcome:
    appointment: Appointment
    warnings: list[str] = field(default_factory=list)
    # Every appointment booked (the series' occurrences, or just `appointment`).
    booked: list[Appointment] = field(default_factory=list)


def default_ends_at(type_: str, starts_at: dt.datetime) -> dt.datetime:
    # Added in UTC: wall-clock arithmetic would be wrong across a clock change.
    return starts_at.astimezone(dt.UTC) + dt.timedelta(minutes=DEFAULT_MINUTES[type_])


def _check_day(starts_at: dt.datetime) -> None:
    """The appointment's day is in the booking range (common.dates); checked before
    any arithmetic on the time, which a day at the end of the calendar would break."""
    if timezone.is_naive(starts_at):
        raise SchedulingError("Times must carry a time zone.")  # a programming error
    problem = appointment_days().problem(starts_at, "a day")
    if problem:
        raise SchedulingError(problem, "date")


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise SchedulingError("Times must carry a time zone.")  # a programming error
    _check_day(starts_at)
    if ends_at <= starts_at:
        raise SchedulingError("The appointment must end after it starts.", "duration")
    if ends_at - starts_at < dt.timedelta(minutes=MIN_MINUTES):
        raise SchedulingError("An appointment lasts at least 5 minutes.", "duration")
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


def _validate(actor: Actor, booking: Booking) -> None:
    # The form offers only these; a crafted POST meets the same checks.
    # Fresh: a write's check, under the booking's locks (clients.queries).
    if not clients_visible_to(actor.staff, fresh=True).filter(pk=booking.client.pk).exists():
        raise SchedulingError("You cannot book for this client.", "client")
    if not clinicians().filter(pk=booking.clinician.pk).exists():
        raise SchedulingError("Choose an active clinician.", "clinician")
    if booking.room is not None and not booking.room.active:
        raise SchedulingError("That room is not in use.", "room")
    problem = session_problem(booking.session, booking.client, booking.type)
    if problem:
        raise SchedulingError(problem, "session")


def appointment_book(*, actor: Actor, booking: Booking) -> Outcome:
    """Book an appointment, or raise BookingClash (audited) if the slot is taken."""
    client, clinician, room, session = (
        booking.client,
        booking.clinician,
        booking.room,
        booking.session,
    )
    if booking.type not in AppointmentType.values:
        raise SchedulingError("Choose an appointment type.", "type")
    starts_at = booking.starts_at
    _check_day(starts_at)
    ends_at = booking.ends_at or default_ends_at(booking.type, starts_at)
    _check_times(starts_at, ends_at)
    _validate(actor, booking)
    with transaction.atomic():
        _lock(clinician, client, room, None)
        if session is not None:
            session = TreatmentSession.objects.select_for_update().get(pk=session.pk)
            if Appointment.objects.filter(session=session).exists():
                raise SchedulingError("That session already has an appointment.", "session")
        clashes = find_clashes(clinician, client, room, starts_at, ends_at)
        if not clashes:
            appt = _create(actor, booking, starts_at, ends_at, session)
            notice_send(actor=actor, appointments=[appt], kind="booked")
    if clashes:
        # Audited outside the transaction, which held nothing to keep.
        log_action(
            actor,
            "appointment.book_refused",
            None,
            client=client,
            detail={"clashes": sorted(clashes), "clinician": clinician.pk},
        )
        raise BookingClash(clashes)
    warning = working_hours_warning(clinician, starts_at, ends_at)
    return Outcome(appt, [warning] if warning else [], [appt])


def weekly_starts(starts_at: dt.datetime, weeks: int) -> list[dt.datetime]:
    """`weeks` starts, a week apart, at the same time of day on the practice's clock
    (so a series keeps its 10:00 across a change of the clocks)."""
    first = local(starts_at)
    tz = timezone.get_default_timezone()
    naive = first.replace(tzinfo=None)
    return [
        timezone.make_aware(naive + dt.timedelta(weeks=n), tz).astimezone(dt.UTC)
        for n in range(weeks)
    ]


def appointment_book_series(*, actor: Actor, booking: Booking, weeks: int) -> Outcome:
    """Book `booking` once a week for `weeks` weeks, all or nothing: if any week
    clashes, nothing is booked and SeriesClash (audited) names the weeks refused."""
    if weeks == 1:
        return appointment_book(actor=actor, booking=booking)
    if not 2 <= weeks <= MAX_SERIES_WEEKS:
        raise SchedulingError(
            f"Repeat for 2 to {MAX_SERIES_WEEKS} weeks, or leave it empty for one.", "repeat"
        )
    if booking.session is not None:
        raise SchedulingError(
            "A course session is booked by one appointment: leave the repeat empty.", "repeat"
        )
    if booking.type not in AppointmentType.values:
        raise SchedulingError("Choose an appointment type.", "type")
    _check_day(booking.starts_at)
    length = (booking.ends_at or default_ends_at(booking.type, booking.starts_at)) - (
        booking.starts_at
    )
    _check_times(booking.starts_at, booking.starts_at + length)
    starts = weekly_starts(booking.starts_at, weeks)
    for start in starts:
        _check_times(start, start + length)
    _validate(actor, booking)
    refused: list[str] = []
    clashes: dict[str, str] = {}
    with transaction.atomic():
        _lock(booking.clinician, booking.client, booking.room, None)
        for start in starts:
            found = find_clashes(
                booking.clinician, booking.client, booking.room, start, start + length
            )
            if found:
                refused.append(local_day_hm(start))
                for key, message in found.items():
                    clashes.setdefault(key, message)
        if not refused:
            series = AppointmentSeries.objects.create(weeks=weeks, created_by=actor.staff)
            booked = [
                _create(actor, booking, start, start + length, None, series) for start in starts
            ]
            notice_send(actor=actor, appointments=booked, kind="booked")
    if refused:
        log_action(
            actor,
            "appointment.series_refused",
            None,
            client=booking.client,
            detail={"weeks": weeks, "refused": len(refused), "clashes": sorted(clashes)},
        )
        raise SeriesClash(refused, clashes)
    warning = working_hours_warning(booking.clinician, starts[0], starts[0] + length)
    return Outcome(booked[0], [warning] if warning else [], booked)


def _create(
    actor: Actor,
    booking: Booking,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    session: TreatmentSession | None,
    series: AppointmentSeries | None = None,
) -> Appointment:
    room = booking.room
    with transaction.atomic():
        appt = Appointment.objects.create(
            client=booking.client,
            clinician=booking.clinician,
            room=room,
            type=booking.type,
            starts_at=starts_at,
            ends_at=ends_at,
            session=session,
            series=series,
            created_by=actor.staff,
        )
        if session is not None:
            _plan_session(session, starts_at)
        detail: dict[str, object] = {
            "clinician": booking.clinician.pk,
            "room": room.pk if room else None,
            "type": booking.type,
            "session": session.pk if session else None,
        }
        if series is not None:
            detail["series"] = series.pk
        log_action(actor, "appointment.book", appt, client=booking.client, detail=detail)
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
    *,
    actor: Actor,
    appointment: Appointment,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    clinician: User,
    room: Room | None,
) -> Outcome:
    """Move a scheduled appointment to another time, clinician or room."""
    appt = appointment
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
            _apply_move(actor, current, starts_at, ends_at, clinician, room)
    if clashes:
        log_action(
            actor,
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
    actor: Actor,
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
        actor, "appointment.move", current, client=current.client, detail={"fields": changed}
    )
    _schedule_reminders(current)
    if "starts_at" in changed:  # the client is told of a new time, not of a new room
        notice_send(actor=actor, appointments=[current], kind="moved")


def appointment_cancel(
    *, actor: Actor, appointment: Appointment, reason: str, following: bool = False
) -> Appointment:
    """Cancel with a reason (kept on the appointment for staff; never in the audit
    detail). The linked course session, if any, is freed to be booked again. With
    `following`, the later scheduled occurrences of its weekly series go too."""
    reason = reason.strip()
    if not reason:
        raise SchedulingError("Give the reason for cancelling.", "reason")
    if len(reason) > 300:
        raise SchedulingError("Keep the reason under 300 characters.", "reason")
    with transaction.atomic():
        current = _locked(appointment)
        _check_cancel(current)
        cancelled = [current]
        if following and current.series_id is not None:
            later = (
                Appointment.objects.select_for_update()
                .select_related("client")
                .filter(
                    series_id=current.series_id,
                    starts_at__gt=current.starts_at,
                    status=AppointmentStatus.SCHEDULED,
                )
                .order_by("starts_at", "pk")
            )
            cancelled += list(later)
        for appt in cancelled:
            _cancel_one(actor, appt, reason, series=len(cancelled) > 1)
        notice_send(actor=actor, appointments=cancelled, kind="cancelled")
    appointment.refresh_from_db()
    return appointment


def _check_cancel(current: Appointment) -> None:
    check_transition(
        APPOINTMENT_TRANSITIONS,
        current.status,
        AppointmentStatus.CANCELLED,
        error=SchedulingError(
            f"A {current.get_status_display().lower()} appointment cannot be cancelled."
        ),
    )


def _cancel_one(actor: Actor, current: Appointment, reason: str, *, series: bool) -> None:
    session_id = current.session_id
    current.status = AppointmentStatus.CANCELLED
    current.cancel_reason = reason
    current.cancelled_at = timezone.now()
    current.session = None
    current.save()
    detail: dict[str, object] = {"status": current.status, "session": session_id}
    if series:
        detail["series"] = current.series_id
    log_action(actor, "appointment.cancel", current, client=current.client, detail=detail)


def appointment_set_status(*, actor: Actor, appointment: Appointment, status: str) -> Appointment:
    """Move along scheduled → arrived → in session → completed, or to no-show."""
    if status == AppointmentStatus.CANCELLED:
        raise SchedulingError("Cancel the appointment with a reason.")
    if status not in AppointmentStatus.values:
        raise SchedulingError("Unknown status.")
    with transaction.atomic():
        current = _locked(appointment)
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
            actor,
            "appointment.status",
            current,
            client=current.client,
            detail={"from": before, "to": status},
        )
    appointment.refresh_from_db()
    return appointment


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

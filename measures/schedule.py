"""Scheduled measures: saving a course's MeasureSchedule (`schedule_save`, which
sends the baseline at once), and which links it is due to send now.

`schedule_send_due()` runs from cron (``manage.py send_scheduled_measures`` every
10–15 minutes, as ``Actor.system()``). It is idempotent: each due item is recorded
as the MeasureLink it sent (reason + course + session), and an item with such a
link is never sent again.
Each schedule is handled under a row lock, so two overlapping runs cannot both
send. A client without an e-mail address is skipped (a scheduled link has no one
to show it to); staff can send by hand from the client's measures page.

- at intake: one baseline per course (also sent when the schedule is created);
- before dosing: once per dosing session whose scheduled appointment starts within
  the next 24 hours (or, with no appointment, whose planned date is tomorrow);
- at integration: once per integration session started today (or, not started,
  planned for today);
- monthly after: after a completed course, once in each of months 1..6 after its
  end (the latest session completion, else the course's last update). A month
  missed while the job was down is not sent late once the next month is due: the
  client gets the current one, never a bunch at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.actor import Actor
from audit.models import AuditEvent
from audit.services import log_action
from measures import services
from measures.models import MeasureLink, MeasureSchedule, Reason
from scheduling.models import AppointmentStatus
from treatment.models import (
    CourseStatus,
    SessionKind,
    SessionStatus,
    TreatmentCourse,
    TreatmentSession,
)

FOLLOW_UP_MONTHS = 6
# The times a schedule sends at, in the order of the schedule form.
SWITCHES = ("at_intake", "before_dosing", "at_integration", "monthly_after")
NO_TIMES = "Turn on at least one of the times to send."
OPEN_COURSE = (CourseStatus.PLANNED, CourseStatus.ACTIVE)


@dataclass(frozen=True)
class Sent:
    reason: str
    link: MeasureLink


def _already(course: TreatmentCourse, reason: str, session: TreatmentSession | None) -> bool:
    return MeasureLink.objects.filter(course=course, reason=reason, session=session).exists()


def baseline_send(*, actor: Actor, schedule: MeasureSchedule) -> tuple[MeasureLink, str] | None:
    """Send the course's baseline now, unless it is off or was already sent."""
    course = schedule.course
    if not schedule.at_intake or _already(course, Reason.BASELINE, None):
        return None
    return services.link_send(
        actor=actor,
        client=course.client,
        codes=schedule.instruments,
        reason=Reason.BASELINE,
        course=course,
    )


@dataclass(frozen=True)
class ScheduleTerms:
    """What a course's schedule sends (instrument codes) and when (the switches)."""

    instruments: tuple[str, ...]
    at_intake: bool
    before_dosing: bool
    at_integration: bool
    monthly_after: bool


def _changed_fields(before: MeasureSchedule, terms: ScheduleTerms) -> list[str]:
    """The fields `terms` changes (for a new schedule: from the model's defaults)."""
    fields = []
    if set(before.instruments or []) != set(terms.instruments):
        fields.append("instruments")
    fields.extend(name for name in SWITCHES if getattr(before, name) != getattr(terms, name))
    return fields


def schedule_save(
    *, actor: Actor, course: TreatmentCourse, terms: ScheduleTerms
) -> tuple[MeasureSchedule, tuple[MeasureLink, str] | None]:
    """Create or change the course's measure schedule, and send the baseline now if it
    is due (see `baseline_send`). Returns the schedule and the baseline (the link and
    its raw token, to show once when the client has no e-mail) or None.

    Raises MeasureError for no or unknown instruments (beside "instruments") and for a
    schedule with every time turned off.
    """
    staff = actor.staff
    instruments = services.instruments_for(terms.instruments)
    if not any(getattr(terms, name) for name in SWITCHES):
        raise services.MeasureError(NO_TIMES)
    with transaction.atomic():
        existing = MeasureSchedule.objects.filter(course=course).first()
        fields = _changed_fields(existing or MeasureSchedule(), terms)
        schedule = existing or MeasureSchedule(course=course, created_by=staff)
        schedule.instruments = [i.code for i in instruments]
        for name in SWITCHES:
            setattr(schedule, name, getattr(terms, name))
        schedule.save()
        log_action(
            actor,
            "measure_schedule.update" if existing else "measure_schedule.create",
            schedule,
            client=course.client,
            detail={"course": course.pk, "instruments": schedule.instruments, "fields": fields},
        )
        baseline = baseline_send(actor=actor, schedule=schedule)
    return schedule, baseline


def _due_before_dosing(course: TreatmentCourse, now: datetime) -> list[TreatmentSession]:
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    due: list[TreatmentSession] = []
    sessions = course.sessions.filter(kind=SessionKind.DOSING, status=SessionStatus.PLANNED)
    for session in sessions.select_related("appointment"):
        appointment = getattr(session, "appointment", None)
        if appointment is not None:
            if (
                appointment.status == AppointmentStatus.SCHEDULED
                and now < appointment.starts_at <= now + timedelta(hours=24)
            ):
                due.append(session)
        elif session.planned_date == tomorrow:
            due.append(session)
    return due


def _due_at_integration(course: TreatmentCourse, now: datetime) -> list[TreatmentSession]:
    today = timezone.localdate(now)
    due: list[TreatmentSession] = []
    sessions = course.sessions.filter(kind=SessionKind.INTEGRATION).exclude(
        status=SessionStatus.CANCELLED
    )
    for session in sessions:
        if session.started_at is not None:
            if timezone.localdate(session.started_at) == today:
                due.append(session)
        elif session.planned_date == today:
            due.append(session)
    return due


def course_end(course: TreatmentCourse) -> datetime | None:
    """When a completed course ended: its last session's completion, else the last
    recorded update of the course (the audit trail), else None (not sent)."""
    last: datetime | None = course.sessions.aggregate(at=Max("completed_at"))["at"]
    if last is not None:
        return last
    event = (
        AuditEvent.objects.filter(
            action="course.update",
            object_type="treatment.treatmentcourse",
            object_id=str(course.pk),
        )
        .order_by("-at")
        .first()
    )
    return event.at if event else None


def _follow_up_due(course: TreatmentCourse, now: datetime) -> bool:
    """Whether this month's follow-up (1..6 after the end) is due and not yet sent."""
    if course.status != CourseStatus.COMPLETED:
        return False
    end = course_end(course)
    if end is None:
        return False
    month_start: datetime | None = None
    for month in range(1, FOLLOW_UP_MONTHS + 1):
        start = end + relativedelta(months=month)
        if start <= now:
            month_start = start
    if month_start is None:
        return False
    return not MeasureLink.objects.filter(
        course=course, reason=Reason.FOLLOW_UP, created_at__gte=month_start
    ).exists()


def _send_for(actor: Actor, schedule: MeasureSchedule, now: datetime) -> list[Sent]:
    course = schedule.course
    client = course.client
    sent: list[Sent] = []

    def send(reason: str, session: TreatmentSession | None = None) -> None:
        link, _ = services.link_send(
            actor=actor,
            client=client,
            codes=schedule.instruments,
            reason=reason,
            course=course,
            session=session,
        )
        sent.append(Sent(reason, link))

    if schedule.at_intake and not _already(course, Reason.BASELINE, None):
        send(Reason.BASELINE)
    if course.status in OPEN_COURSE:
        if schedule.before_dosing:
            for session in _due_before_dosing(course, now):
                if not _already(course, Reason.PRE_DOSING, session):
                    send(Reason.PRE_DOSING, session)
        if schedule.at_integration:
            for session in _due_at_integration(course, now):
                if not _already(course, Reason.INTEGRATION, session):
                    send(Reason.INTEGRATION, session)
    if schedule.monthly_after and _follow_up_due(course, now):
        send(Reason.FOLLOW_UP)
    return sent


def schedule_send_due(*, actor: Actor, now: datetime | None = None) -> list[Sent]:
    """Send every scheduled link that is due now; return what was sent. `actor` is the
    system (``Actor.system()``): the scheduled task, no person."""
    now = now or timezone.now()
    sent: list[Sent] = []
    ids = list(
        MeasureSchedule.objects.filter(course__client__email__gt="")
        .exclude(course__status=CourseStatus.STOPPED)
        .values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            schedule = (
                MeasureSchedule.objects.select_for_update(of=("self",))
                .select_related("course__client")
                .filter(pk=pk)
                .first()
            )
            if schedule is None or not schedule.instruments:
                continue
            sent.extend(_send_for(actor, schedule, now))
    return sent

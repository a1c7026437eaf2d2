"""Audited writes for courses and sessions, and the gated start of a dosing session.

Each service takes the `Actor` who acts and typed values, checks its own rules
(ranges, required values, status moves through the app's transition tables, under
the row lock), so that a caller that skips the form cannot store bad data, and
writes its audit entry in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.actor import Actor
from audit.services import log_action
from clients.models import Client
from common.dates import plausible
from common.plugins import plugins
from common.transitions import check_transition
from prescriptions.models import Prescription
from treatment.gate import Check, dosing_readiness
from treatment.models import (
    COURSE_TRANSITIONS,
    MAX_SESSIONS,
    SESSION_TRANSITIONS,
    CourseStatus,
    Modality,
    SessionKind,
    SessionStatus,
    TreatmentCourse,
    TreatmentSession,
)
from treatment.validation import escort_problems

GOALS_MAX = 4000


class TreatmentError(Exception):
    """A treatment write that cannot happen. `field` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CourseError(TreatmentError):
    pass


class SessionError(TreatmentError):
    pass


# --- Courses --------------------------------------------------------------------


@dataclass(frozen=True)
class CoursePlan:
    """What the therapist plans for a course (the course form's fields)."""

    modality: str
    planned_preparation: int
    planned_dosing: int
    planned_integration: int
    goals: str
    status: str = CourseStatus.PLANNED


PLAN_FIELDS = (
    "modality",
    "planned_preparation",
    "planned_dosing",
    "planned_integration",
    "goals",
    "status",
)
PLANNED_COUNTS = ("planned_preparation", "planned_dosing", "planned_integration")


def _check_plan(plan: CoursePlan) -> None:
    if plan.modality not in Modality.values:
        raise CourseError("Choose the course's modality: KAP or KA-EMDR.", "modality")
    most = MAX_SESSIONS.limit_value
    for name in PLANNED_COUNTS:
        count = getattr(plan, name)
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= most:
            raise CourseError(f"Plan from 0 to {most} sessions of each kind.", name)
    if not plan.goals.strip():
        raise CourseError("Write the goals of the course.", "goals")
    if len(plan.goals) > GOALS_MAX:
        raise CourseError(f"Keep the goals under {GOALS_MAX} characters.", "goals")
    if plan.status not in CourseStatus.values:
        raise CourseError("Choose a status from the list.", "status")


def course_create(*, actor: Actor, client: Client, plan: CoursePlan) -> TreatmentCourse:
    _check_plan(plan)
    with transaction.atomic():
        course = TreatmentCourse.objects.create(
            client=client,
            created_by=actor.staff,
            **{name: getattr(plan, name) for name in PLAN_FIELDS},
        )
        log_action(actor, "course.create", course, client=client)
    return course


def course_update(*, actor: Actor, course: TreatmentCourse, plan: CoursePlan) -> TreatmentCourse:
    """Save the plan. The status moves only as COURSE_TRANSITIONS allows (or stays)."""
    _check_plan(plan)
    with transaction.atomic():
        locked = (
            TreatmentCourse.objects.select_for_update(of=("self",))
            .select_related("client")
            .get(pk=course.pk)
        )
        changed = [name for name in PLAN_FIELDS if getattr(locked, name) != getattr(plan, name)]
        if "status" in changed:
            check_transition(
                COURSE_TRANSITIONS,
                locked.status,
                plan.status,
                error=CourseError(
                    f"A course that is “{locked.get_status_display()}” cannot become "
                    f"“{CourseStatus(plan.status).label}”.",
                    "status",
                ),
            )
        for name in PLAN_FIELDS:
            setattr(locked, name, getattr(plan, name))
        locked.save()
        detail = {"fields": changed}
        log_action(actor, "course.update", locked, client=locked.client, detail=detail)
    return locked


# --- Sessions -------------------------------------------------------------------


def session_create(
    *, actor: Actor, course: TreatmentCourse, kind: str, planned_date: dt.date | None
) -> TreatmentSession:
    if kind not in SessionKind.values:
        raise SessionError("Choose the type of session.", "kind")
    outside = plausible().problem(planned_date, "The planned date") if planned_date else None
    if outside:
        raise SessionError(outside, "planned_date")
    with transaction.atomic():
        session = TreatmentSession.objects.create(
            course=course, kind=kind, planned_date=planned_date
        )
        log_action(actor, "session.create", session, client=course.client)
    return session


def _locked_session(session: TreatmentSession) -> TreatmentSession:
    """The session's row, locked, as it is now (the caller's copy may be stale)."""
    return (
        TreatmentSession.objects.select_for_update(of=("self",))
        .select_related("course__client")
        .get(pk=session.pk)
    )


def session_escort_confirm(
    *, actor: Actor, session: TreatmentSession, name: str, phone: str
) -> TreatmentSession:
    """Record the adult taking the client home today, confirmed by `actor`."""
    name, phone = name.strip(), phone.strip()
    problems = escort_problems(name, phone)
    if problems:
        field, message = next(iter(problems.items()))
        raise SessionError(message, field)
    with transaction.atomic():
        locked = _locked_session(session)
        if locked.kind != SessionKind.DOSING or locked.status != SessionStatus.PLANNED:
            # Once dosed, the escort on record is part of the session record: keep it.
            raise SessionError("The escort can be confirmed only before a dosing session starts.")
        locked.escort_name = name
        locked.escort_phone = phone
        locked.escort_confirmed_at = timezone.now()
        locked.escort_confirmed_by = actor.staff
        locked.save(
            update_fields=[
                "escort_name",
                "escort_phone",
                "escort_confirmed_at",
                "escort_confirmed_by",
            ]
        )
        log_action(actor, "session.escort_confirm", locked, client=locked.course.client)
    session.refresh_from_db()
    return locked


def dosing_start(*, actor: Actor, session_id: int) -> tuple[bool, list[Check]]:
    """Start a dosing session if, and only if, every gate condition holds now.

    The checks run again here, under row locks, whatever the page showed: a
    crafted POST meets the same gate. A blocked attempt is audited with the
    conditions that failed. Returns (started, checks).
    """
    with transaction.atomic():
        session = (
            TreatmentSession.objects.select_for_update()
            .select_related("course__client")
            .get(pk=session_id)
        )
        client = session.course.client
        if session.kind != SessionKind.DOSING:
            raise SessionError("Only a planned dosing session can be started.")
        check_transition(
            SESSION_TRANSITIONS,
            session.status,
            SessionStatus.IN_PROGRESS,
            error=SessionError("Only a planned dosing session can be started."),
        )
        if session.course.status in (CourseStatus.COMPLETED, CourseStatus.STOPPED):
            raise SessionError("This course has ended; start a new course first.")
        # Lock the client's prescriptions, so two sessions cannot both take the last
        # authorised one, and a discontinuation cannot slip in between check and start.
        list(Prescription.objects.select_for_update().filter(client=client))
        checks, rx = dosing_readiness(session)
        failed = [c.key for c in checks if not c.ok]
        if failed or rx is None:
            log_action(
                actor, "dosing.start_blocked", session, client=client, detail={"failed": failed}
            )
            return False, checks
        session.status = SessionStatus.IN_PROGRESS
        session.started_at = timezone.now()
        session.started_by = actor.staff
        session.prescription = rx
        session.save(update_fields=["status", "started_at", "started_by", "prescription"])
        _course_started(session.course)
        _session_changed(actor, session, SessionStatus.IN_PROGRESS)
        log_action(
            actor,
            "dosing.start",
            session,
            client=client,
            detail={"prescription": rx.pk, "version": rx.version},
        )
    return True, checks


def _session_changed(actor: Actor, session: TreatmentSession, status: str) -> None:
    """Tell the apps that follow a session (PATHWAYS_SESSION_LISTENERS: the appointment
    it books) that its status changed, inside the transaction that changed it."""
    for listener in plugins("PATHWAYS_SESSION_LISTENERS"):
        listener(actor=actor, session=session, status=status)


def _course_started(course: TreatmentCourse) -> None:
    if course.status == CourseStatus.PLANNED:
        check_transition(COURSE_TRANSITIONS, course.status, CourseStatus.ACTIVE)
        course.status = CourseStatus.ACTIVE
        course.save(update_fields=["status"])


def session_start(*, actor: Actor, session: TreatmentSession) -> TreatmentSession:
    """Start a preparation or integration session (no gate: no medication)."""
    if session.kind == SessionKind.DOSING:
        raise SessionError("A dosing session starts through the readiness gate.")
    with transaction.atomic():
        locked = _locked_session(session)
        check_transition(
            SESSION_TRANSITIONS,
            locked.status,
            SessionStatus.IN_PROGRESS,
            error=SessionError("Only a planned session can be started."),
        )
        locked.status = SessionStatus.IN_PROGRESS
        locked.started_at = timezone.now()
        locked.started_by = actor.staff
        locked.save(update_fields=["status", "started_at", "started_by"])
        _course_started(locked.course)
        _session_changed(actor, locked, SessionStatus.IN_PROGRESS)
        log_action(actor, "session.start", locked, client=locked.course.client)
    session.refresh_from_db()
    return session


def session_complete(*, actor: Actor, session: TreatmentSession) -> TreatmentSession:
    with transaction.atomic():
        locked = _locked_session(session)
        check_transition(
            SESSION_TRANSITIONS,
            locked.status,
            SessionStatus.COMPLETED,
            error=SessionError("Only a session in progress can be completed."),
        )
        locked.status = SessionStatus.COMPLETED
        locked.completed_at = timezone.now()
        locked.save(update_fields=["status", "completed_at"])
        _session_changed(actor, locked, SessionStatus.COMPLETED)
        log_action(actor, "session.complete", locked, client=locked.course.client)
    session.refresh_from_db()
    return session


CANCEL_REASON_MAX = 500


def session_cancel(*, actor: Actor, session: TreatmentSession, reason: str) -> TreatmentSession:
    """Cancel a planned session, with the reason why (required; kept, encrypted, and
    shown on the session page)."""
    reason = reason.strip()
    if not reason:
        raise SessionError("Write why the session is cancelled.", "reason")
    if len(reason) > CANCEL_REASON_MAX:
        raise SessionError(f"Keep the reason under {CANCEL_REASON_MAX} characters.", "reason")
    with transaction.atomic():
        locked = _locked_session(session)
        check_transition(
            SESSION_TRANSITIONS,
            locked.status,
            SessionStatus.CANCELLED,
            error=SessionError("Only a planned session can be cancelled."),
        )
        locked.status = SessionStatus.CANCELLED
        locked.cancel_reason = reason
        locked.cancelled_at = timezone.now()
        locked.cancelled_by = actor.staff
        locked.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by"])
        _session_changed(actor, locked, SessionStatus.CANCELLED)
        log_action(
            actor,
            "session.cancel",
            locked,
            client=locked.course.client,
            detail={"fields": ["cancel_reason"]},
        )
    session.refresh_from_db()
    return session

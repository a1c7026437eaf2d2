"""Audited writes for courses and sessions, and the gated start of a dosing session."""

from __future__ import annotations

from django.db import transaction
from django.forms import ModelForm
from django.utils import timezone

from accounts.access import AuthedRequest
from audit.services import log_action
from clients.models import Client
from common.transitions import check_transition
from prescriptions.models import Prescription
from treatment.gate import Check, dosing_readiness
from treatment.models import (
    COURSE_TRANSITIONS,
    SESSION_TRANSITIONS,
    CourseStatus,
    SessionKind,
    SessionStatus,
    TreatmentCourse,
    TreatmentSession,
)


class SessionError(Exception):
    pass


def course_create(request: AuthedRequest, client: Client, form: ModelForm) -> TreatmentCourse:
    with transaction.atomic():
        course: TreatmentCourse = form.save(commit=False)
        course.client = client
        course.created_by = request.user
        course.save()
        log_action(request, "course.create", course, client=client)
    return course


def course_update(request: AuthedRequest, form: ModelForm) -> TreatmentCourse:
    with transaction.atomic():
        course: TreatmentCourse = form.save()
        detail = {"fields": form.changed_data}
        log_action(request, "course.update", course, client=course.client, detail=detail)
    return course


def session_add(
    request: AuthedRequest, course: TreatmentCourse, form: ModelForm
) -> TreatmentSession:
    with transaction.atomic():
        session: TreatmentSession = form.save(commit=False)
        session.course = course
        session.save()
        log_action(request, "session.create", session, client=course.client)
    return session


def escort_confirm(
    request: AuthedRequest, session: TreatmentSession, name: str, phone: str
) -> None:
    if session.kind != SessionKind.DOSING or session.status != SessionStatus.PLANNED:
        # Once dosed, the escort on record is part of the session record: keep it.
        raise SessionError("The escort can be confirmed only before a dosing session starts.")
    with transaction.atomic():
        session.escort_name = name
        session.escort_phone = phone
        session.escort_confirmed_at = timezone.now()
        session.escort_confirmed_by = request.user
        session.save(
            update_fields=[
                "escort_name",
                "escort_phone",
                "escort_confirmed_at",
                "escort_confirmed_by",
            ]
        )
        log_action(request, "session.escort_confirm", session, client=session.course.client)


def dosing_start(request: AuthedRequest, session_id: int) -> tuple[bool, list[Check]]:
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
                request, "dosing.start_blocked", session, client=client, detail={"failed": failed}
            )
            return False, checks
        session.status = SessionStatus.IN_PROGRESS
        session.started_at = timezone.now()
        session.started_by = request.user
        session.prescription = rx
        session.save(update_fields=["status", "started_at", "started_by", "prescription"])
        _course_started(session.course)
        log_action(
            request,
            "dosing.start",
            session,
            client=client,
            detail={"prescription": rx.pk, "version": rx.version},
        )
    return True, checks


def _locked_session(session: TreatmentSession) -> TreatmentSession:
    """The session's row, locked, as it is now (the caller's copy may be stale)."""
    return (
        TreatmentSession.objects.select_for_update(of=("self",))
        .select_related("course__client")
        .get(pk=session.pk)
    )


def _course_started(course: TreatmentCourse) -> None:
    if course.status == CourseStatus.PLANNED:
        check_transition(COURSE_TRANSITIONS, course.status, CourseStatus.ACTIVE)
        course.status = CourseStatus.ACTIVE
        course.save(update_fields=["status"])


def session_start(request: AuthedRequest, session: TreatmentSession) -> None:
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
        locked.started_by = request.user
        locked.save(update_fields=["status", "started_at", "started_by"])
        _course_started(locked.course)
        log_action(request, "session.start", locked, client=locked.course.client)
    session.refresh_from_db()


def session_complete(request: AuthedRequest, session: TreatmentSession) -> None:
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
        log_action(request, "session.complete", locked, client=locked.course.client)
    session.refresh_from_db()


def session_cancel(request: AuthedRequest, session: TreatmentSession) -> None:
    with transaction.atomic():
        locked = _locked_session(session)
        check_transition(
            SESSION_TRANSITIONS,
            locked.status,
            SessionStatus.CANCELLED,
            error=SessionError("Only a planned session can be cancelled."),
        )
        locked.status = SessionStatus.CANCELLED
        locked.save(update_fields=["status"])
        log_action(request, "session.cancel", locked, client=locked.course.client)
    session.refresh_from_db()

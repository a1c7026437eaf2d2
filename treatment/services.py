"""Audited writes for courses and sessions, and the gated start of a dosing session."""

from __future__ import annotations

from django.db import transaction
from django.forms import ModelForm
from django.utils import timezone

from accounts.access import AuthedRequest
from audit.services import log_action
from clients.models import Client
from prescriptions.models import Prescription
from treatment.gate import Check, dosing_readiness
from treatment.models import (
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
        if session.kind != SessionKind.DOSING or session.status != SessionStatus.PLANNED:
            raise SessionError("Only a planned dosing session can be started.")
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
        if session.course.status == CourseStatus.PLANNED:
            session.course.status = CourseStatus.ACTIVE
            session.course.save(update_fields=["status"])
        log_action(
            request,
            "dosing.start",
            session,
            client=client,
            detail={"prescription": rx.pk, "version": rx.version},
        )
    return True, checks


def session_start(request: AuthedRequest, session: TreatmentSession) -> None:
    """Start a preparation or integration session (no gate: no medication)."""
    if session.kind == SessionKind.DOSING:
        raise SessionError("A dosing session starts through the readiness gate.")
    if session.status != SessionStatus.PLANNED:
        raise SessionError("Only a planned session can be started.")
    with transaction.atomic():
        session.status = SessionStatus.IN_PROGRESS
        session.started_at = timezone.now()
        session.started_by = request.user
        session.save(update_fields=["status", "started_at", "started_by"])
        if session.course.status == CourseStatus.PLANNED:
            session.course.status = CourseStatus.ACTIVE
            session.course.save(update_fields=["status"])
        log_action(request, "session.start", session, client=session.course.client)


def session_complete(request: AuthedRequest, session: TreatmentSession) -> None:
    if session.status != SessionStatus.IN_PROGRESS:
        raise SessionError("Only a session in progress can be completed.")
    with transaction.atomic():
        session.status = SessionStatus.COMPLETED
        session.completed_at = timezone.now()
        session.save(update_fields=["status", "completed_at"])
        log_action(request, "session.complete", session, client=session.course.client)


def session_cancel(request: AuthedRequest, session: TreatmentSession) -> None:
    if session.status != SessionStatus.PLANNED:
        raise SessionError("Only a planned session can be cancelled.")
    with transaction.atomic():
        session.status = SessionStatus.CANCELLED
        session.save(update_fields=["status"])
        log_action(request, "session.cancel", session, client=session.course.client)

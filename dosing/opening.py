"""Opening the dosing record: only through the readiness gate, whatever the path."""

from __future__ import annotations

from django.db import transaction

from accounts.actor import Actor
from audit.services import log_action
from dosing.models import DosingRecord
from treatment import services as treatment_services
from treatment.gate import Check, dosing_readiness
from treatment.models import SessionKind, SessionStatus, TreatmentSession

# --- Opening the record --------------------------------------------------------


def record_open(
    *, actor: Actor, session: TreatmentSession
) -> tuple[DosingRecord | None, list[Check]]:
    """Start the dosing session through the readiness gate and open its record.

    `treatment.services.dosing_start` runs every gate condition under row locks
    and audits a blocked attempt; only when it starts the session is the record
    created, in the same transaction. Returns (record, checks); record is None
    when the gate is closed. A session already opened returns its record.
    Raises treatment.services.SessionError for a session that cannot start.
    """
    session_id = session.pk
    existing = DosingRecord.objects.filter(session_id=session_id).first()
    if existing is not None:
        return existing, []
    session = TreatmentSession.objects.select_related("course__client").get(pk=session_id)
    if (
        session.kind == SessionKind.DOSING
        and session.status == SessionStatus.IN_PROGRESS
        and session.started_at is not None
        and session.prescription_id is not None
    ):
        # Started through the gate before its record was opened (from the schedule,
        # say): the same gate runs again now, whatever path led here.
        return _open_started(actor, session)
    with transaction.atomic():
        started, checks = treatment_services.dosing_start(actor=actor, session_id=session_id)
        if not started:
            return None, checks
        session = TreatmentSession.objects.select_related("course__client", "prescription").get(
            pk=session_id
        )
        if session.prescription is None:  # dosing_start always sets it; belt and braces
            raise treatment_services.SessionError("The session has no prescription.")
        record = _create(actor, session, started_earlier=False)
        _appointment_in_session(actor, session)
    return record, checks


def _create(actor: Actor, session: TreatmentSession, *, started_earlier: bool) -> DosingRecord:
    """The record itself, audited: called once the gate has passed, in its transaction."""
    if session.prescription_id is None:  # the gate always sets it; belt and braces
        raise treatment_services.SessionError("The session has no prescription.")
    record = DosingRecord.objects.create(
        session=session,
        prescription_id=session.prescription_id,
        opened_by=actor.staff,
        escort_name=session.escort_name,
        escort_phone=session.escort_phone,
    )
    detail: dict[str, object] = {"session": session.pk, "prescription": session.prescription_id}
    if started_earlier:
        detail["started_earlier"] = True
    log_action(actor, "dosing.record_open", record, client=session.course.client, detail=detail)
    return record


def _appointment_in_session(actor: Actor, session: TreatmentSession) -> None:
    """The booked appointment follows the session: an arrived client is now in session."""
    from scheduling.models import Appointment, AppointmentStatus
    from scheduling.services import appointment_set_status

    appt = Appointment.objects.filter(session=session, status=AppointmentStatus.ARRIVED).first()
    if appt is not None:
        appointment_set_status(actor=actor, appointment=appt, status=AppointmentStatus.IN_SESSION)


def _open_started(
    actor: Actor, session: TreatmentSession
) -> tuple[DosingRecord | None, list[Check]]:
    with transaction.atomic():
        locked = (
            TreatmentSession.objects.select_for_update()
            .select_related("course__client")
            .get(pk=session.pk)
        )
        existing = DosingRecord.objects.filter(session=locked).first()
        if existing is not None:
            return existing, []
        assert locked.prescription_id is not None  # noqa: S101 (checked by the caller)
        checks, _ = dosing_readiness(locked)
        failing = [c.key for c in checks if not c.ok]
        if failing:
            log_action(
                actor,
                "dosing.start_blocked",
                locked,
                client=locked.course.client,
                detail={"failed": failing, "started_earlier": True},
            )
            return None, checks
        record = _create(actor, locked, started_earlier=True)
    return record, []

"""The appointment follows its course session (PATHWAYS_SESSION_LISTENERS).

treatment.services calls `session_status_changed` inside the transaction that
changes a session's status: a session started puts its appointment in session
(through "arrived" if the client was not yet marked arrived), a completed session
(also through the dosing discharge, which completes it) completes it, and a
cancelled session cancels it with the reason. An appointment already past that
step, cancelled or a no-show, is left as it is.
"""

from __future__ import annotations

from accounts.actor import Actor
from scheduling.models import Appointment, AppointmentStatus
from scheduling.services import appointment_cancel, appointment_set_status
from treatment.models import SessionStatus, TreatmentSession

# The steps an appointment walks through, in order, to follow a session.
STEPS: list[str] = [
    AppointmentStatus.ARRIVED,
    AppointmentStatus.IN_SESSION,
    AppointmentStatus.COMPLETED,
]
TARGET: dict[str, str] = {
    SessionStatus.IN_PROGRESS: AppointmentStatus.IN_SESSION,
    SessionStatus.COMPLETED: AppointmentStatus.COMPLETED,
}
CANCEL_REASON = "The course session was cancelled (its reason is on the session)."


def session_status_changed(*, actor: Actor, session: TreatmentSession, status: str) -> None:
    appt = Appointment.objects.select_for_update().filter(session_id=session.pk).first()
    if appt is None:
        return
    if status == SessionStatus.CANCELLED:
        if appt.status in (AppointmentStatus.SCHEDULED, AppointmentStatus.ARRIVED):
            # The session's own reason is clinical free text, encrypted on the session;
            # the appointment's reason is not encrypted, so it points there instead.
            appointment_cancel(actor=actor, appointment=appt, reason=CANCEL_REASON)
        return
    target = TARGET.get(status)
    if target is None:
        return
    order: list[str] = [AppointmentStatus.SCHEDULED, *STEPS]
    if appt.status not in order:  # cancelled or no-show: the record says what happened
        return
    for step in STEPS[order.index(appt.status) : STEPS.index(target) + 1]:
        appointment_set_status(actor=actor, appointment=appt, status=step)

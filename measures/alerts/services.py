"""Acknowledging a safety alert: only a clinician, with an action from a list and a note.

An acknowledgement closes the alert, takes it off the dashboards and reopens the
dosing readiness gate (measures.alerts.safety.gate_descriptions), so it is a clinical
decision: a therapist, or an admin who is a clinician (User.is_clinician), makes
it. Anyone else who tries is refused and the refusal is audited. The action comes
from AlertAction; every note is at least MIN_NOTE_CHARS long, and "no action
needed" must give its reason there.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.actor import Actor
from audit.services import log_action
from measures.alerts.queries import can_acknowledge
from measures.alerts.safety import source_detail
from measures.models import AlertAction, SafetyAlert

ACKNOWLEDGE_ACTION = "measure.safety_alert_acknowledge"
REFUSE_ACTION = "measure.safety_alert_acknowledge_refused"

# "ok" is not a record of follow-up: every note is at least about a sentence long.
MIN_NOTE_CHARS = 15
# The note's column limit (SafetyAlert.action_note).
MAX_NOTE_CHARS = 4000
NOT_A_CLINICIAN = (
    "Only a clinician (a therapist, or an admin who is a clinician) can acknowledge a "
    "safety alert."
)
CHOOSE_ACTION = "Choose the action taken."
NOTE_REQUIRED = (
    "Write down the action you took (for example, who called the client and what was agreed)."
)
NOTE_TOO_SHORT = (
    f"Write at least {MIN_NOTE_CHARS} characters: who followed up, how, and what was agreed."
)
NOTE_TOO_LONG = f"Keep the note to at most {MAX_NOTE_CHARS} characters."
REASON_TOO_SHORT = (
    f"Say why no action is needed, in at least {MIN_NOTE_CHARS} characters "
    "(for example, what the client told you when you called)."
)


class AlertError(ValueError):
    """An acknowledgement that cannot be recorded; the message says why."""


class NotAClinicianError(AlertError):
    """The user may see the alert but is not a clinician, so may not acknowledge it."""


def note_problem(action: str, note: str) -> str | None:
    """Why `note` will not do for `action` (None when it will)."""
    if len(note.strip()) > MAX_NOTE_CHARS:
        return NOTE_TOO_LONG
    if len(note.strip()) >= MIN_NOTE_CHARS:
        return None
    return REASON_TOO_SHORT if action == AlertAction.NO_ACTION else NOTE_TOO_SHORT


def alert_acknowledge_refused(*, actor: Actor, alert: SafetyAlert) -> None:
    """Record that someone who is not a clinician tried to acknowledge the alert."""
    log_action(
        actor,
        REFUSE_ACTION,
        alert,
        client=alert.client,
        detail={**source_detail(alert), "reason": "not_a_clinician", "role": actor.staff.role},
    )


def alert_acknowledge(*, actor: Actor, alert: SafetyAlert, action: str, note: str) -> SafetyAlert:
    """Record who acknowledged the alert (`actor.staff`), when, the action taken and
    the note.

    Raises NotAClinicianError (after auditing the refusal) for anyone but a
    clinician, and AlertError for an action not in AlertAction, a note under
    MIN_NOTE_CHARS or over MAX_NOTE_CHARS, or an alert acknowledged already. The
    view's form checks the same first, to put its messages beside the fields; this is
    the rule itself.
    """
    by = actor.staff
    if not can_acknowledge(by):
        alert_acknowledge_refused(actor=actor, alert=alert)
        raise NotAClinicianError(NOT_A_CLINICIAN)
    if action not in AlertAction.values:
        raise AlertError(CHOOSE_ACTION)
    note = (note or "").strip()
    problem = note_problem(action, note)
    if problem:
        raise AlertError(problem)
    with transaction.atomic():
        locked = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.acknowledged_at is not None:
            raise AlertError("This alert has already been acknowledged.")
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = by
        locked.action = action
        locked.action_note = note
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "action", "action_note"])
        log_action(
            actor,
            ACKNOWLEDGE_ACTION,
            locked,
            client=locked.client,
            detail={**source_detail(locked), "action": action},
        )
    for name in ("acknowledged_at", "acknowledged_by", "action", "action_note"):
        setattr(alert, name, getattr(locked, name))
    return alert

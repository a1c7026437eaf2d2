"""Audited writes on the dosing session record. Each runs in one transaction.

The rules (dosing.rules) are checked here, not in the forms, so that a crafted
POST meets them too, and checked again under the record's row lock and the
prescription chain's, so that two requests cannot race past them: every dose and
booster re-runs the whole readiness gate against the current state, under the
prescription version in force at that moment; discharge needs every criterion
met, or a clinician's reason (an early discharge, which notifies the prescriber).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.access import AuthedRequest
from accounts.models import Role
from audit.services import log_action
from dosing import rules
from dosing.administration import administer
from dosing.base import (
    CLOCK_SKEW,
    EARLY_DISCHARGE_TEMPLATE,
    SERIOUS_TEMPLATE,
    SUMMARY_TEMPLATE,
    DosingError,
    client_of,
    lock_record,
    not_future,
    notify_prescribers,
)
from dosing.models import (
    AdverseEvent,
    Discharge,
    DosingRecord,
    PrescriberContact,
    RiskCheckMethod,
    RiskCheckOutcome,
    VitalSigns,
)
from dosing.opening import record_open
from dosing.rules import (
    DISCHARGE_CRITERIA,
    PREDOSE_PHASES,
    discharge_vitals_check,
    dose_given,
    dosing_clearance,
    is_discharged,
    latest_predose,
    predose_missing,
    rx_in_force,
)
from dosing.vitals import out_of_range
from treatment import services as treatment_services
from treatment.models import SessionStatus

# The app's write API: the views and other apps call these names here.
__all__ = [
    "DISCHARGE_CRITERIA",
    "DosingError",
    "administer",
    "discharge_vitals_check",
    "dose_given",
    "dosing_clearance",
    "is_discharged",
    "latest_predose",
    "predose_missing",
    "record_open",
]

# --- Pre-dose checks -----------------------------------------------------------

PREDOSE_FIELDS = [
    "fasting_confirmed",
    "fasting_hours",
    "fasting_liquids_hours",
    "holds_answers",
    "holds_respected",
    "escort_name",
    "escort_phone",
    "intention",
]


def predose_save(request: AuthedRequest, record: DosingRecord, data: dict[str, Any]) -> None:
    """Store the pre-dose checks; holds are answered one by one against the prescription."""
    with transaction.atomic():
        record = lock_record(record)
        if dose_given(record):
            raise DosingError(
                "The dose has been given: the pre-dose checks are part of the record."
            )
        if is_discharged(record):
            raise DosingError("The client has been discharged.")
        values = dict(data)
        answers = {str(k): v for k, v in (values.get("holds_answers") or {}).items()}
        if any(v not in ("held", "taken") for v in answers.values()):
            raise DosingError("Answer each hold with “held” or “taken”.")
        values["holds_answers"] = answers
        values["holds_respected"] = "taken" not in answers.values()
        values["fasting_confirmed"] = values.get("fasting_hours") is not None
        values.setdefault("fasting_liquids_hours", record.fasting_liquids_hours)
        changed = [name for name in PREDOSE_FIELDS if getattr(record, name) != values[name]]
        for name in PREDOSE_FIELDS:
            setattr(record, name, values[name])
        record.predose_checked_at = timezone.now()
        record.predose_checked_by = request.user
        record.save(update_fields=[*PREDOSE_FIELDS, "predose_checked_at", "predose_checked_by"])
        log_action(
            request, "dosing.predose", record, client=client_of(record), detail={"fields": changed}
        )


def risk_check_save(
    request: AuthedRequest, record: DosingRecord, *, method: str, outcome: str, note: str
) -> None:
    """Today's suicide-risk check (a C-SSRS screen or the clinician's interview)."""
    if request.user.role not in (Role.ADMIN, Role.THERAPIST):
        raise DosingError("Only a clinician records the suicide-risk check.")
    if method not in RiskCheckMethod.values or outcome not in RiskCheckOutcome.values:
        raise DosingError("Choose how the risk was checked and what was found.")
    if outcome == RiskCheckOutcome.RISK and not note.strip():
        raise DosingError("Write down what was found and the plan.")
    with transaction.atomic():
        record = lock_record(record)
        if dose_given(record) or is_discharged(record):
            raise DosingError("The risk check is recorded before the dose.")
        record.risk_check_method = method
        record.risk_check_outcome = outcome
        record.risk_check_note = note.strip()
        record.risk_check_at = timezone.now()
        record.risk_check_by = request.user
        record.save(
            update_fields=[
                "risk_check_method",
                "risk_check_outcome",
                "risk_check_note",
                "risk_check_at",
                "risk_check_by",
            ]
        )
        log_action(
            request,
            "dosing.risk_check",
            record,
            client=client_of(record),
            detail={"method": method, "outcome": outcome},
        )


# --- Vitals --------------------------------------------------------------------


def allowed_phases(record: DosingRecord) -> list[str]:
    """Baseline and re-check only before the dose, monitoring and before-discharge
    only after it (a "discharge" set before the dose would clear nothing); a
    baseline only once."""
    if is_discharged(record):
        return []
    if dose_given(record):
        return [VitalSigns.Phase.MONITORING, VitalSigns.Phase.DISCHARGE]
    if record.vitals.filter(phase=VitalSigns.Phase.BASELINE).exists():
        return [VitalSigns.Phase.RECHECK]
    return [VitalSigns.Phase.BASELINE]


def vitals_add(
    request: AuthedRequest, record: DosingRecord, data: dict[str, Any]
) -> tuple[VitalSigns, list[str]]:
    """Store a set; returns it and its out-of-range messages (flags), at once."""
    with transaction.atomic():
        record = lock_record(record)
        phase = data["phase"]
        if phase not in allowed_phases(record):
            raise DosingError(_phase_refusal(record, phase))
        taken_at = data["taken_at"]
        not_future(taken_at, "The time taken")
        if phase in PREDOSE_PHASES and taken_at < rules.arrival(record):
            raise DosingError("Pre-dose vitals are taken after the client arrives.")
        dose = dose_given(record)
        if dose is not None and taken_at < dose.given_at:
            raise DosingError("A set after the dose cannot be timed before it.")
        vitals = VitalSigns.objects.create(
            record=record,
            phase=phase,
            taken_at=taken_at,
            systolic=data["systolic"],
            diastolic=data["diastolic"],
            heart_rate=data["heart_rate"],
            spo2=data["spo2"],
            sedation=data.get("sedation", False),
            dissociation=data.get("dissociation", False),
            notes=data.get("notes", ""),
            recorded_by=request.user,
        )
        flags = out_of_range(vitals, rx_in_force(record))
        log_action(
            request,
            "dosing.vitals_add",
            record,
            client=client_of(record),
            detail={"vitals": vitals.pk, "phase": phase, "out_of_range": bool(flags)},
        )
    return vitals, flags


def _phase_refusal(record: DosingRecord, phase: str) -> str:
    if is_discharged(record):
        return "The client has been discharged: no more vitals can be added."
    if phase in PREDOSE_PHASES and dose_given(record):
        return "The dose has been given: record this set as monitoring."
    if phase == VitalSigns.Phase.DISCHARGE:
        return "A before-discharge set comes after the dose: record this set as a re-check."
    if phase == VitalSigns.Phase.MONITORING:
        return "Monitoring sets come after the dose: record this set as a baseline or re-check."
    if phase == VitalSigns.Phase.BASELINE:
        return "A baseline is already recorded: record this set as a re-check."
    return "A re-check follows a baseline: record the baseline first."


# --- The prescriber: out-of-range vitals, or a fasting or hold shortfall --------


def prescriber_contact_add(
    request: AuthedRequest, record: DosingRecord, data: dict[str, Any]
) -> PrescriberContact:
    """Record the call and the answer: about the latest out-of-range pre-dose set
    (topic "vitals", the default) or about a fasting or hold shortfall ("predose")."""
    topic = data.get("topic") or PrescriberContact.Topic.VITALS
    with transaction.atomic():
        record = lock_record(record)
        if dose_given(record) or is_discharged(record):
            raise DosingError("A prescriber contact is recorded before the dose.")
        rx = rx_in_force(record)
        latest = latest_predose(record)
        if topic == PrescriberContact.Topic.PREDOSE:
            if not rules.predose_shortfalls(record, rx):
                raise DosingError("Fasting and holds meet the prescription: no contact is needed.")
            about = None
            earliest = record.predose_checked_at
        else:
            if latest is None or not out_of_range(latest, rx):
                raise DosingError("The latest pre-dose vitals are in range: no contact is needed.")
            about = latest
            earliest = latest.taken_at
        not_future(data["contacted_at"], "The time of the contact")
        if earliest is not None and data["contacted_at"] < earliest - CLOCK_SKEW:
            raise DosingError("The prescriber was contacted before the facts were recorded.")
        contact = PrescriberContact.objects.create(
            record=record,
            topic=topic,
            vitals=about,
            contacted_at=data["contacted_at"],
            prescriber_name=data["prescriber_name"],
            instruction=data["instruction"],
            proceed=data["proceed"],
            recorded_by=request.user,
        )
        log_action(
            request,
            "dosing.prescriber_contact",
            record,
            client=client_of(record),
            detail={
                "contact": contact.pk,
                "topic": topic,
                "vitals": about.pk if about else None,
                "proceed": contact.proceed,
            },
        )
    return contact


# --- Adverse events ------------------------------------------------------------


def adverse_event_add(
    request: AuthedRequest, record: DosingRecord, data: dict[str, Any]
) -> AdverseEvent:
    """Record an event; a severe or serious one notifies the prescriber(s), with no PHI."""
    with transaction.atomic():
        record = lock_record(record)
        not_future(data["occurred_at"], "The time of the event")
        if data["severity"] not in AdverseEvent.Severity.values:
            raise DosingError("Choose the severity: mild, moderate or severe.")
        event = AdverseEvent.objects.create(
            record=record,
            type=data["type"],
            description=data.get("description", ""),
            severity=data["severity"],
            serious=bool(data.get("serious")),
            occurred_at=data["occurred_at"],
            action_taken=data["action_taken"],
            rescue_medication=data.get("rescue_medication", ""),
            recorded_by=request.user,
        )
        notified = 0
        if event.notifies_prescriber:
            notified = notify_prescribers(record, SERIOUS_TEMPLATE)
        log_action(
            request,
            "dosing.adverse_event",
            record,
            client=client_of(record),
            detail={
                "adverse_event": event.pk,
                "type": event.type,
                "severity": event.severity,
                "serious": event.serious,
                "notified": notified,
            },
        )
    return event


# --- Discharge -----------------------------------------------------------------


def discharge(request: AuthedRequest, record: DosingRecord, data: dict[str, Any]) -> Discharge:
    """Discharge the client and complete the session.

    Allowed without a dose (a session can end before dosing). Every criterion
    (dosing.rules.DISCHARGE_CRITERIA) is judged now, under the lock; with one unmet,
    discharge needs a clinician's reason, and that early discharge notifies the
    prescriber. A refusal is audited.
    """
    reason = (data.get("exception_reason") or "").strip()
    discharged_at: dt.datetime = data["discharged_at"]
    with transaction.atomic():
        record = lock_record(record)
        if is_discharged(record):
            raise DosingError("The client has already been discharged.")
        not_future(discharged_at, "The discharge time")
        last = rules.last_administration(record)
        if last is not None and discharged_at < last.given_at:
            raise DosingError("The discharge time cannot be before the dose.")
        criteria = rules.discharge_criteria(record, data, discharged_at)
        unmet = [name for name, met in criteria.items() if not met]
        exception = bool(unmet)
        if exception and request.user.role not in (Role.ADMIN, Role.THERAPIST):
            reason = ""  # only a clinician may discharge early
        if not exception or reason:
            done = Discharge.objects.create(
                record=record,
                **criteria,
                exception_reason=reason if exception else "",
                discharged_at=discharged_at,
                discharged_by=request.user,
            )
            session = record.session
            if session.status == SessionStatus.IN_PROGRESS:
                try:
                    treatment_services.session_complete(request, session)
                except treatment_services.SessionError as exc:
                    raise DosingError(str(exc)) from None
            notify_prescribers(record, SUMMARY_TEMPLATE)
            if exception:
                notify_prescribers(record, EARLY_DISCHARGE_TEMPLATE)
            log_action(
                request,
                "dosing.discharge",
                record,
                client=client_of(record),
                detail={"discharge": done.pk, "unmet": unmet, "exception": exception},
            )
            return done
        log_action(
            request,
            "dosing.discharge_refused",
            record,
            client=client_of(record),
            detail={"unmet": unmet},
        )
    # "The BP check…" reads "the BP check…" mid-sentence; abbreviations keep their case.
    labels = ", ".join(
        DISCHARGE_CRITERIA[name][0].lower() + DISCHARGE_CRITERIA[name][1:] for name in unmet
    )
    raise DosingError(
        f"Discharge is blocked: not met: {labels}. "
        "Meet every criterion, or a clinician documents the reason for an early discharge "
        "(the prescriber is told)."
    )

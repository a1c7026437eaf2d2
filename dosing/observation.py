"""What is observed in the session: vital signs, and adverse events.

Audited writes, each in one transaction under the record's row lock (and its
prescription chain's). A set is judged against the prescription version in force
when it is written; a severe or serious event notifies the prescriber(s).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from accounts.actor import Actor
from audit.services import log_action
from common.dates import session_window
from dosing import rules
from dosing.base import (
    SERIOUS_TEMPLATE,
    DosingError,
    bounds,
    client_of,
    lock_record,
    not_future,
    notify_prescribers,
    too_long,
)
from dosing.models import AdverseEvent, DosingRecord, VitalSigns
from dosing.rules import PREDOSE_PHASES, dose_given, is_discharged, rx_in_force
from dosing.vitals import out_of_range


def session_time_refusal(record: DosingRecord, at: dt.datetime, what: str) -> str | None:
    """A time recorded in the session lies within `common.dates.SESSION_WINDOW` of
    the record's opening (0001-01-01 is a slip, never a reading); else the message."""
    return session_window(record.opened_at).problem(at, what)


# --- Vitals --------------------------------------------------------------------

READINGS = (
    ("systolic", "Systolic BP", " mmHg"),
    ("diastolic", "Diastolic BP", " mmHg"),
    ("heart_rate", "Heart rate", "/min"),
    ("spo2", "SpO2", "%"),
)


@dataclass(frozen=True)
class VitalsReading:
    """One set of vital signs, as taken (a phase of VitalSigns.Phase)."""

    phase: str
    taken_at: dt.datetime
    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int
    sedation: bool = False
    dissociation: bool = False
    notes: str = ""


def _reading_refusals(reading: VitalsReading) -> list[str]:
    """Values no monitor gives (a typo, say): refused, not flagged as out of range."""
    reasons: list[str] = []
    for name, label, unit in READINGS:
        value = getattr(reading, name)
        low, high = bounds(VitalSigns, name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            reasons.append(f"{label} is recorded from {low} to {high}{unit}: check the reading.")
    return reasons + too_long(VitalSigns, {"notes": reading.notes})


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
    *, actor: Actor, record: DosingRecord, reading: VitalsReading
) -> tuple[VitalSigns, list[str]]:
    """Store a set; returns it and its out-of-range messages (flags), at once."""
    refusals = _reading_refusals(reading)
    if refusals:
        raise DosingError(*refusals)
    with transaction.atomic():
        record = lock_record(record)
        phase = reading.phase
        if phase not in allowed_phases(record):
            raise DosingError(_phase_refusal(record, phase))
        taken_at = reading.taken_at
        not_future(taken_at, "The time taken")
        if phase in PREDOSE_PHASES and taken_at < rules.arrival(record):
            raise DosingError.about_time("Pre-dose vitals are taken after the client arrives.")
        dose = dose_given(record)
        if dose is not None and taken_at < dose.given_at:
            raise DosingError.about_time("A set after the dose cannot be timed before it.")
        outside = session_time_refusal(record, taken_at, "The time taken")
        if outside:
            raise DosingError.about_time(outside)
        vitals = VitalSigns.objects.create(
            record=record,
            phase=phase,
            taken_at=taken_at,
            systolic=reading.systolic,
            diastolic=reading.diastolic,
            heart_rate=reading.heart_rate,
            spo2=reading.spo2,
            sedation=reading.sedation,
            dissociation=reading.dissociation,
            notes=reading.notes,
            recorded_by=actor.staff,
        )
        flags = out_of_range(vitals, rx_in_force(record))
        log_action(
            actor,
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


# --- Adverse events ------------------------------------------------------------


@dataclass(frozen=True)
class AdverseEventReport:
    """An adverse event as the clinician reports it (type and severity from
    AdverseEvent.Type and AdverseEvent.Severity)."""

    type: str
    severity: str
    occurred_at: dt.datetime
    action_taken: str
    serious: bool = False
    description: str = ""
    rescue_medication: str = ""


def _event_refusals(report: AdverseEventReport) -> list[str]:
    reasons: list[str] = []
    if report.type not in AdverseEvent.Type.values:
        reasons.append("Choose the type of event.")
    elif report.type == AdverseEvent.Type.OTHER and not report.description.strip():
        reasons.append("Describe the event.")
    if not report.action_taken.strip():
        reasons.append("Write down the action taken.")
    return reasons + too_long(
        AdverseEvent,
        {
            "description": report.description,
            "action_taken": report.action_taken,
            "rescue_medication": report.rescue_medication,
        },
    )


def adverse_event_add(
    *, actor: Actor, record: DosingRecord, report: AdverseEventReport
) -> AdverseEvent:
    """Record an event; a severe or serious one notifies the prescriber(s), with no PHI."""
    refusals = _event_refusals(report)
    if refusals:
        raise DosingError(*refusals)
    with transaction.atomic():
        record = lock_record(record)
        not_future(report.occurred_at, "The time of the event")
        outside = session_time_refusal(record, report.occurred_at, "The time of the event")
        if outside:
            raise DosingError.about_time(outside)
        if report.severity not in AdverseEvent.Severity.values:
            raise DosingError("Choose the severity: mild, moderate or severe.")
        event = AdverseEvent.objects.create(
            record=record,
            type=report.type,
            description=report.description,
            severity=report.severity,
            serious=report.serious,
            occurred_at=report.occurred_at,
            action_taken=report.action_taken,
            rescue_medication=report.rescue_medication,
            recorded_by=actor.staff,
        )
        notified = 0
        if event.notifies_prescriber:
            notified = notify_prescribers(record, SERIOUS_TEMPLATE)
        log_action(
            actor,
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

"""A past dosing session for the demo: complete, and consistent with dosing.rules.

A record of the past, written straight to the models, that keeps the rules the live
record enforces (`dosing.rules`, with the settings' defaults):
- the client arrives, the session starts, the pre-dose checks (fasting and every
  hold of the prescription) and today's suicide-risk check come before the dose;
- baseline vitals after arrival, within the hour before the dose, within the limits;
- monitoring every 15 minutes and a set at 40 minutes after the dose (the peak BP
  check), every set within the prescription's limits;
- a booster only where prescribed, after its interval, with a set under 15 minutes old;
- a "before discharge" set after the last dose, and discharge at least
  DOSING_MIN_OBSERVATION_MINUTES after it, every criterion met, told not to drive;
- the session completed and its DAP note signed afterwards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from accounts.models import User
from dosing.models import (
    Administration,
    AdverseEvent,
    Discharge,
    DosingRecord,
    RiskCheckMethod,
    RiskCheckOutcome,
    SessionNote,
    VitalSigns,
)
from pathways.management.commands._demo_common import at, backdate
from prescriptions.models import Prescription
from treatment.models import SessionKind, SessionStatus, TreatmentCourse, TreatmentSession

DOSE_HOUR, DOSE_MINUTE = 9, 50
EVERY = 15  # DOSING_VITALS_EVERY_MINUTES
PEAK = 40  # DOSING_PEAK_BP_CHECK_MINUTES
# The usual rise and fall after a dose (systolic, diastolic, heart rate), by minutes
# since the dose: the peak at about 40 minutes (Spravato label), then easing back
# towards baseline over the next two hours.
RISE = {15: (8, 5, 6), 30: (12, 8, 8), 40: (14, 9, 8), 55: (10, 6, 6), 70: (7, 4, 4)}


@dataclass(frozen=True)
class Staff:
    therapist: User  # runs the session, gives the dose, writes the note
    witness: User  # a second member of staff who witnesses the dose


@dataclass(frozen=True)
class Plan:
    """What happened in the session; the times follow from the dose's."""

    day: dt.date
    dose_mg: Decimal
    intention: str
    note: tuple[str, str, str]  # data, assessment, plan
    self_administered: bool = False
    booster: bool = False  # the prescription's booster, after its interval
    nausea: bool = False  # mild nausea at 25 minutes, settled with ondansetron
    baseline: tuple[int, int, int] = (122, 76, 72)  # systolic, diastolic, heart rate
    fasted: tuple[Decimal, Decimal] = (Decimal("5"), Decimal("3"))  # food, clear liquids
    signed: bool = True  # False: the note is written and waits for the therapist to sign


def done_session(
    course: TreatmentCourse, kind: str, day: dt.date, therapist: User
) -> TreatmentSession:
    """A completed preparation or integration session (an hour, from 14:00)."""
    started = at(day, 14)
    session = TreatmentSession.objects.create(
        course=course,
        kind=kind,
        planned_date=day,
        status=SessionStatus.COMPLETED,
        started_at=started,
        started_by=therapist,
        completed_at=started + dt.timedelta(hours=1),
    )
    backdate(TreatmentSession, session.pk, created_at=started - dt.timedelta(days=7))
    return session


def _reading(plan: Plan, minutes: int) -> tuple[int, int, int]:
    systolic, diastolic, rate = plan.baseline
    if minutes <= 0:
        return plan.baseline
    if minutes in RISE:
        up, down, beat = RISE[minutes]
        return systolic + up, diastolic + down, rate + beat
    # After 70 minutes: a point or so lower each quarter hour, and never quite flat.
    up = max(6 - (minutes - 70) // 15, 1)
    wobble = (minutes // 15) % 3 - 1
    return systolic + up + wobble, diastolic + (up + 1) // 2, rate + up // 2 - wobble


def _monitoring_minutes(last_dose: int) -> list[int]:
    """Every 15 minutes, with the 40-minute set, until the observation time is up."""
    observe = int(settings.DOSING_MIN_OBSERVATION_MINUTES)
    found = [EVERY, 2 * EVERY, PEAK]
    while found[-1] + EVERY < last_dose + observe:
        found.append(found[-1] + EVERY)
    return found


def _vitals(record: DosingRecord, plan: Plan, dosed: dt.datetime, by: User, last: int) -> int:
    """Baseline, monitoring and before-discharge sets; returns the discharge minute."""
    minutes = _monitoring_minutes(last)
    discharge_set = max(minutes[-1] + 10, last + int(settings.DOSING_MIN_OBSERVATION_MINUTES) + 5)
    rows = [(-10, VitalSigns.Phase.BASELINE)]
    rows += [(m, VitalSigns.Phase.MONITORING) for m in minutes]
    rows.append((discharge_set, VitalSigns.Phase.DISCHARGE))
    for minute, phase in rows:
        systolic, diastolic, rate = _reading(plan, minute)
        notes = ""
        if minute == PEAK:
            notes = "Eyes closed, relaxed; responds to voice."
        elif phase == VitalSigns.Phase.DISCHARGE:
            notes = "Sitting up, talking about the session; oriented."
        VitalSigns.objects.create(
            record=record,
            phase=phase,
            taken_at=dosed + dt.timedelta(minutes=minute),
            systolic=systolic,
            diastolic=diastolic,
            heart_rate=rate,
            spo2=97 if 0 < minute <= 55 else 98,
            sedation=minute in (30, PEAK),
            dissociation=0 < minute <= last + 55,
            notes=notes,
            recorded_by=by,
        )
    return discharge_set + 5


def past_dosing_session(
    course: TreatmentCourse, rx: Prescription, staff: Staff, plan: Plan
) -> DosingRecord:
    """A dosing session on `plan.day`, from arrival to a normal discharge and a signed note."""
    client = course.client
    therapist = staff.therapist
    dosed = at(plan.day, DOSE_HOUR, DOSE_MINUTE)

    def t(minutes: int) -> dt.datetime:
        return dosed + dt.timedelta(minutes=minutes)

    session = TreatmentSession.objects.create(
        course=course,
        kind=SessionKind.DOSING,
        planned_date=plan.day,
        status=SessionStatus.IN_PROGRESS,
        prescription=rx,
        escort_name=client.escort_name,
        escort_phone=client.escort_phone,
        escort_confirmed_at=t(-25),
        escort_confirmed_by=therapist,
        started_at=t(-20),
        started_by=therapist,
    )
    backdate(TreatmentSession, session.pk, created_at=t(-20) - dt.timedelta(days=10))
    solids, liquids = plan.fasted
    record = DosingRecord.objects.create(
        session=session,
        prescription=rx,
        opened_by=therapist,
        fasting_confirmed=True,
        fasting_hours=solids,
        fasting_liquids_hours=liquids,
        holds_answers={str(h["medication"]): "held" for h in rx.hold_list()},
        holds_respected=True,
        escort_name=client.escort_name,
        escort_phone=client.escort_phone,
        intention=plan.intention,
        predose_checked_at=t(-15),
        predose_checked_by=therapist,
        risk_check_method=RiskCheckMethod.CSSRS,
        risk_check_outcome=RiskCheckOutcome.NO_RISK,
        risk_check_note="C-SSRS screen: no ideation or behaviour since the last visit.",
        risk_check_at=t(-13),
        risk_check_by=therapist,
    )
    backdate(DosingRecord, record.pk, opened_at=t(-20))

    Administration.objects.create(
        record=record,
        kind=Administration.Kind.DOSE,
        dose_mg=plan.dose_mg,
        route=rx.route,
        prescription=rx,
        given_at=dosed,
        self_administered=plan.self_administered,
        given_by=None if plan.self_administered else therapist,
        # A dose the client takes is observed by the therapist; one given, by a colleague.
        witnessed_by=therapist if plan.self_administered else staff.witness,
    )
    last = 0
    if plan.booster:
        assert rx.booster_mg is not None  # noqa: S101 (Plan.booster needs one)
        assert rx.booster_after_minutes is not None  # noqa: S101
        last = rx.booster_after_minutes + 5  # just after the 40-minute set
        Administration.objects.create(
            record=record,
            kind=Administration.Kind.BOOSTER,
            dose_mg=rx.booster_mg,
            route=rx.route,
            prescription=rx,
            given_at=t(last),
            given_by=therapist,
            witnessed_by=staff.witness,
        )
    discharged = t(_vitals(record, plan, dosed, therapist, last))
    if plan.nausea:
        AdverseEvent.objects.create(
            record=record,
            type=AdverseEvent.Type.NAUSEA,
            description="Nausea at about 25 minutes; no vomiting.",
            severity=AdverseEvent.Severity.MILD,
            serious=False,
            occurred_at=t(25),
            action_taken="Ondansetron given; settled within 20 minutes. Sips of water.",
            rescue_medication="Ondansetron 4 mg orally disintegrating tablet",
            recorded_by=therapist,
        )
    Discharge.objects.create(
        record=record,
        vitals_within_parameters=True,
        alert_and_oriented=True,
        walks_steadily=True,
        escort_present=True,
        observation_time_met=True,
        peak_bp_check_done=True,
        told_no_driving=True,
        discharged_at=discharged,
        discharged_by=therapist,
    )
    session.status = SessionStatus.COMPLETED
    session.completed_at = discharged + dt.timedelta(minutes=5)
    session.save(update_fields=["status", "completed_at"])
    data, assessment, next_steps = plan.note
    signed = discharged + dt.timedelta(hours=1)
    note = SessionNote.objects.create(
        session=session,
        data=data,
        assessment=assessment,
        plan=next_steps,
        author=therapist,
        signed_at=signed if plan.signed else None,
        signed_by=therapist if plan.signed else None,
    )
    backdate(SessionNote, note.pk, updated_at=signed)
    return record

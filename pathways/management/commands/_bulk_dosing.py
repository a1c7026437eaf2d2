"""One dosing session of the bulk practice, consistent with `dosing.rules` (as the
demo's `_demo_session` is, with the settings' defaults):

- arrival, the escort confirmed, the session started through the gate, the record
  opened, the pre-dose checks (fasting and every hold of the prescription) and the
  day's suicide-risk check, then baseline vitals within the hour before the dose;
- the dose the prescription in force allows, its route, given by the therapist and
  witnessed by a colleague (a KA-EMDR lozenge is taken by the client, observed by
  the therapist); a booster only where prescribed, after its interval, just after
  the 40-minute set;
- monitoring at 15, 40, 60, 80, 100 and 120 minutes (and on after a booster), every
  set within the prescription's limits; a "before discharge" set, and discharge at
  least DOSING_MIN_OBSERVATION_MINUTES after the last dose with every criterion met;
- the session completed and its DAP note signed; about one session in twelve has
  mild nausea, settled with ondansetron.
A KA-EMDR session also has its EMDR record (`_bulk_emdr`). A session after today is
planned and booked, with nothing recorded yet.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

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
from pathways.management.commands._bulk_calendar import Visit
from pathways.management.commands._bulk_common import Who
from pathways.management.commands._bulk_emdr import emdr_record
from pathways.management.commands._bulk_world import Person, World, who_id
from scheduling.models import AppointmentStatus, AppointmentType
from treatment.models import SessionKind, SessionStatus, TreatmentSession

# The usual rise after a dose (systolic, diastolic, heart rate) by minutes since it:
# the peak at about 40 minutes (Spravato label), then easing back.
RISE = {15: (8, 5, 6), 40: (14, 9, 8), 60: (10, 6, 6), 80: (7, 4, 4)}
MONITORING = (15, 40, 60, 80, 100, 120)
NOTE = (
    "Arrived with the escort; fasting and holds as prescribed; C-SSRS screen negative. "
    "Dose taken as prescribed; BP highest at about 40 minutes, within the limits. "
    "Discharged to the escort after the observation time; told not to drive until tomorrow.",
    "Tolerated the medicine well; reflective and calm at discharge.",
    "Integration session this week; measures before the next dosing session.",
)


@dataclass(frozen=True)
class Dose:
    """The prescription version in force, and who gives and witnesses the dose."""

    rx: int
    version: int
    terms: dict[str, object]
    limits: dict[str, int]
    therapist: Who
    witness: Who
    valid_to: dt.date


@dataclass(frozen=True)
class Outcome:
    day: dt.date | None  # the day dosed (None: planned, not yet)
    last: dt.date | None  # the session's day (None: past the horizon, not booked)


def _reading(base: tuple[int, int, int], minute: int, rng: random.Random) -> tuple[int, ...]:
    systolic, diastolic, rate = base
    if minute <= 0:
        return base
    up, down, beat = RISE.get(minute, (max(5 - (minute - 80) // 20, 1), 2, 2))
    return systolic + up + rng.randint(-2, 2), diastolic + down, rate + beat + rng.randint(-2, 2)


def dosing_session(world: World, who: Person, course: int, dose: Dose, day: dt.date) -> Outcome:
    tables, trail, _rng = world.tables, world.trail, world.rng
    if day > world.horizon:
        return Outcome(None, None)
    modality_type = (
        AppointmentType.KAP_DOSING
        if dose.terms["modality"] == "kap"
        else AppointmentType.KA_EMDR_DOSING
    )
    starts, ends = world.booker.slot(who.clinician, day, modality_type, 0)
    if starts.date() > dose.valid_to:
        # No morning free before the prescription ends: the course ends here (the
        # slot stays held, which only leaves the clinician a free morning).
        return Outcome(None, None)
    booked = min(starts - dt.timedelta(days=10), trail.now)
    session = tables[TreatmentSession].reserve()
    trail.log(booked, dose.therapist, "session.create", TreatmentSession, session, who.client_id)
    escort_name, escort_phone = who.escort
    if starts.date() >= world.today:
        tables[TreatmentSession].add(
            id=session,
            course_id=course,
            kind=SessionKind.DOSING,
            planned_date=starts.date(),
            escort_name=escort_name,
            escort_phone=escort_phone,
            created_at=booked,
        )
        world.booker.write(
            Visit(
                who.client_id,
                who.clinician,
                modality_type,
                starts,
                ends,
                booked,
                AppointmentStatus.SCHEDULED,
                session,
            )
        )
        return Outcome(None, starts.date())
    finished = _record(world, who, session, dose, starts)
    tables[TreatmentSession].add(
        id=session,
        course_id=course,
        kind=SessionKind.DOSING,
        planned_date=starts.date(),
        status=SessionStatus.COMPLETED,
        prescription_id=dose.rx,
        escort_name=escort_name,
        escort_phone=escort_phone,
        escort_confirmed_at=starts,
        escort_confirmed_by_id=who_id(dose.therapist),
        started_at=starts + dt.timedelta(minutes=5),
        started_by_id=who_id(dose.therapist),
        completed_at=finished,
        created_at=booked,
    )
    world.booker.write(
        Visit(
            who.client_id,
            who.clinician,
            modality_type,
            starts,
            ends,
            booked,
            AppointmentStatus.COMPLETED,
            session,
        ),
        finished=finished,
    )
    c = who.client_id
    trail.log(starts, dose.therapist, "session.escort_confirm", TreatmentSession, session, c)
    trail.log(
        starts + dt.timedelta(minutes=5),
        dose.therapist,
        "dosing.start",
        TreatmentSession,
        session,
        c,
        {"prescription": dose.rx, "version": dose.version},
    )
    trail.log(finished, dose.therapist, "session.complete", TreatmentSession, session, c)
    return Outcome(starts.date(), starts.date())


def _record(
    world: World, who: Person, session: int, dose: Dose, starts: dt.datetime
) -> dt.datetime:
    """The dosing record from opening to the signed note; returns when the session ended."""
    tables, trail, rng = world.tables, world.trail, world.rng
    therapist, c = dose.therapist, who.client_id

    def t(minutes: int) -> dt.datetime:
        return starts + dt.timedelta(minutes=minutes)

    record = tables[DosingRecord].add(
        session_id=session,
        prescription_id=dose.rx,
        opened_at=t(5),
        opened_by_id=who_id(therapist),
        fasting_confirmed=True,
        fasting_hours=Decimal(rng.choice((5, 6, 8, 10))),
        fasting_liquids_hours=Decimal(rng.choice((2, 3, 4))),
        holds_answers={"Benzodiazepines": "held"},
        holds_respected=True,
        escort_name=who.escort[0],
        escort_phone=who.escort[1],
        intention="To meet whatever comes with curiosity.",
        predose_checked_at=t(10),
        predose_checked_by_id=who_id(therapist),
        risk_check_method=RiskCheckMethod.CSSRS,
        risk_check_outcome=RiskCheckOutcome.NO_RISK,
        risk_check_at=t(12),
        risk_check_by_id=who_id(therapist),
    )
    log = trail.log
    log(
        t(5),
        therapist,
        "dosing.record_open",
        DosingRecord,
        record,
        c,
        {"session": session, "prescription": dose.rx},
    )
    log(
        t(10),
        therapist,
        "dosing.predose",
        DosingRecord,
        record,
        c,
        {
            "fields": [
                "fasting_confirmed",
                "fasting_hours",
                "fasting_liquids_hours",
                "holds_answers",
                "holds_respected",
                "intention",
            ]
        },
    )
    log(
        t(12),
        therapist,
        "dosing.risk_check",
        DosingRecord,
        record,
        c,
        {"method": RiskCheckMethod.CSSRS, "outcome": RiskCheckOutcome.NO_RISK},
    )
    dosed = t(25)
    terms = dose.terms
    self_taken = terms["modality"] == "ka_emdr"
    given = [(Administration.Kind.DOSE, terms["dose_mg"], 0)]
    booster = terms.get("booster_mg")
    if booster is not None:
        given.append((Administration.Kind.BOOSTER, booster, 45))
    last = given[-1][2]
    observe = int(settings.DOSING_MIN_OBSERVATION_MINUTES)
    minutes = list(MONITORING) + list(range(140, last + observe + 1, 20))
    base = (rng.randint(104, 124), rng.randint(64, 78), rng.randint(58, 84))
    rows = [(-10, VitalSigns.Phase.BASELINE)] + [(m, VitalSigns.Phase.MONITORING) for m in minutes]
    rows.append((last + observe + 5, VitalSigns.Phase.DISCHARGE))
    for minute, phase in rows:
        systolic, diastolic, rate = _reading(base, minute, rng)
        when = dosed + dt.timedelta(minutes=minute)
        vitals = tables[VitalSigns].add(
            record_id=record,
            phase=phase,
            taken_at=when,
            systolic=systolic,
            diastolic=diastolic,
            heart_rate=rate,
            spo2=rng.randint(96, 99),
            sedation=minute in (15, 40),
            dissociation=0 < minute <= 60,
            recorded_by_id=who_id(therapist),
        )
        log(
            when,
            therapist,
            "dosing.vitals_add",
            DosingRecord,
            record,
            c,
            {"vitals": vitals, "phase": phase, "out_of_range": False},
        )
    for kind, mg, minute in given:
        when = dosed + dt.timedelta(minutes=minute)
        self_given = self_taken and kind == Administration.Kind.DOSE
        pk = tables[Administration].add(
            record_id=record,
            kind=kind,
            dose_mg=mg,
            route=terms["route"],
            prescription_id=dose.rx,
            given_at=when,
            self_administered=self_given,
            given_by_id=None if self_given else who_id(therapist),
            witnessed_by_id=who_id(therapist if self_given else dose.witness),
        )
        log(
            when,
            therapist,
            "dosing.administer",
            DosingRecord,
            record,
            c,
            {
                "administration": pk,
                "kind": kind,
                "prescription": dose.rx,
                "version": dose.version,
                "self_administered": self_given,
            },
        )
    if rng.random() < 0.08:
        _nausea(world, record, c, therapist, dosed + dt.timedelta(minutes=25))
    discharged = dosed + dt.timedelta(minutes=last + observe + 10)
    done = tables[Discharge].add(
        record_id=record,
        vitals_within_parameters=True,
        alert_and_oriented=True,
        walks_steadily=True,
        escort_present=True,
        observation_time_met=True,
        peak_bp_check_done=True,
        told_no_driving=True,
        discharged_at=discharged,
        discharged_by_id=who_id(therapist),
    )
    log(
        discharged,
        therapist,
        "dosing.discharge",
        DosingRecord,
        record,
        c,
        {"discharge": done, "unmet": [], "exception": False},
    )
    if self_taken:
        emdr_record(tables, trail, rng, session, c, therapist, dosed)
    finished = discharged + dt.timedelta(minutes=5)
    signed = finished + dt.timedelta(hours=1)
    data, assessment, plan = NOTE
    note = tables[SessionNote].add(
        session_id=session,
        data=data,
        assessment=assessment,
        plan=plan,
        author_id=who_id(therapist),
        updated_at=signed,
        signed_at=signed,
        signed_by_id=who_id(therapist),
    )
    log(
        finished + dt.timedelta(minutes=30),
        therapist,
        "note.save",
        SessionNote,
        note,
        c,
        {"record": record, "fields": ["data", "assessment", "plan"]},
    )
    log(signed, therapist, "note.sign", SessionNote, note, c, {"record": record})
    return finished


def _nausea(world: World, record: int, client: int, therapist: Who, when: dt.datetime) -> None:
    event = world.tables[AdverseEvent].add(
        record_id=record,
        type=AdverseEvent.Type.NAUSEA,
        description="Nausea; no vomiting.",
        severity=AdverseEvent.Severity.MILD,
        serious=False,
        occurred_at=when,
        action_taken="Ondansetron given; settled within 20 minutes.",
        rescue_medication="Ondansetron 4 mg orally disintegrating tablet",
        recorded_by_id=who_id(therapist),
    )
    world.trail.log(
        when,
        therapist,
        "dosing.adverse_event",
        DosingRecord,
        record,
        client,
        {
            "adverse_event": event,
            "type": "nausea",
            "severity": "mild",
            "serious": False,
            "notified": False,
        },
    )

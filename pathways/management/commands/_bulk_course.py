"""A KAP or KA-EMDR course for one client of the bulk practice, from the consents to
the last integration session, written as the services would have left it.

- consents: the release of information to the partner and the modality's consent,
  each sent as a link and signed on it;
- the referral: sent (with its disclosure), an evaluation booked, then eligible
  (most) or not eligible; each step in the state machine's order (partners.STEPS);
- the prescription, valid 180 days, authorising the course's dosing sessions; a few
  KAP prescriptions are revised after the second session (version 2, a higher dose,
  version 1 superseded);
- the course: three preparation sessions a week apart, then 3–8 dosing sessions two
  weeks apart, each followed three days later by an integration session; a few
  courses stop after the second dose. Sessions past the next four weeks stay planned.
Each dosing session is `_bulk_dosing`'s. Nothing is dosed outside the prescription in
force: not after it ends, not beyond its authorised sessions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from consents.models import ConsentKind
from measures.models import MeasureSchedule
from pathways.management.commands._bulk_calendar import Visit
from pathways.management.commands._bulk_common import Who, at
from pathways.management.commands._bulk_dosing import Dose, dosing_session
from pathways.management.commands._bulk_referral import (
    LIMITS,
    Chain,
    consent_signed,
    prescription_chain,
    referral_sent,
)
from pathways.management.commands._bulk_world import Person, World
from prescriptions.models import Prescription, Route, RxModality
from scheduling.models import AppointmentStatus, AppointmentType
from treatment.models import (
    CourseStatus,
    Modality,
    SessionKind,
    SessionStatus,
    TreatmentCourse,
    TreatmentSession,
)

DAY = dt.timedelta(days=1)


@dataclass
class CourseResult:
    dose_days: list[dt.date] = field(default_factory=list)
    last_day: dt.date | None = None
    course_id: int | None = None


def _terms(world: World, modality: str) -> dict[str, object]:
    rng = world.rng
    if modality == Modality.KA_EMDR:
        dose = Decimal(rng.choice(("50", "75")))
        return {"modality": RxModality.KA_EMDR, "route": Route.SUBLINGUAL, "dose_mg": dose}
    if rng.random() < 0.15:
        weight = Decimal(rng.randrange(55, 111))
        return {
            "modality": RxModality.KAP,
            "route": Route.INTRAMUSCULAR,
            "weight_kg": weight,
            "dose_mg_per_kg": Decimal("0.50"),
            "dose_mg": (weight * Decimal("0.5")).quantize(Decimal("0.1")),
        }
    terms: dict[str, object] = {
        "modality": RxModality.KAP,
        "route": Route.SUBLINGUAL,
        "dose_mg": Decimal(rng.choice((100, 150, 200, 250, 300))),
    }
    if rng.random() < 0.3:
        terms.update(booster_mg=Decimal("50"), booster_after_minutes=40)
    return terms


def run_course(
    world: World, who: Person, modality: str, day: dt.date, partner: int, prescriber: Who
) -> CourseResult:
    """The course, starting with the consents on `day`."""
    tables, trail, rng, practice = world.tables, world.trail, world.rng, world.practice
    therapist = practice.clinicians[who.clinician]
    result = CourseResult()
    consent_kind = ConsentKind.KAP if modality == Modality.KAP else ConsentKind.KA_EMDR
    release = consent_signed(world, who, ConsentKind.ROI, at(day, 10), partner)
    consent_signed(world, who, consent_kind, at(day, 10, 5), None)
    referral, eligible_at = referral_sent(world, who, day + DAY, partner, prescriber, release)
    if eligible_at is None:
        return result
    chain = Chain(referral, prescriber)
    written = eligible_at + dt.timedelta(days=1, hours=1)
    if written > trail.now:
        return result
    terms = _terms(world, modality)
    planned = rng.randint(3, 8)
    rx = tables[Prescription].reserve()
    chain.versions.append((rx, 1, terms, written))
    valid_to = written.date() + 180 * DAY
    created = written + dt.timedelta(days=1)
    if created > trail.now:
        prescription_chain(world, who, chain, planned, valid_to)
        return result
    course = tables[TreatmentCourse].reserve()
    result.course_id = course
    kind = (
        AppointmentType.KAP_DOSING if modality == Modality.KAP else AppointmentType.KA_EMDR_DOSING
    )
    stop_after = 2 if rng.random() < 0.05 else planned
    revise = modality == Modality.KAP and terms["route"] == Route.SUBLINGUAL and rng.random() < 0.2
    plan: list[tuple[str, str]] = [(SessionKind.PREPARATION, AppointmentType.PREPARATION)] * 3
    for _ in range(min(planned, stop_after)):
        plan += [
            (SessionKind.DOSING, kind),
            (SessionKind.INTEGRATION, AppointmentType.INTEGRATION),
        ]
    next_day = created.date() + DAY
    dosed = 0
    for session_kind, type_ in plan:
        if session_kind == SessionKind.DOSING:
            if next_day > valid_to or dosed >= planned:
                break
            rx_now, version, rx_terms, _ = chain.versions[-1]
            witness = practice.colleague(who.clinician)
            dose = Dose(rx_now, version, rx_terms, LIMITS, therapist, witness, valid_to)
            outcome = dosing_session(world, who, course, dose, next_day)
            if outcome.day is not None:
                dosed += 1
                result.dose_days.append(outcome.day)
                if revise and dosed == 2 and at(outcome.day + DAY, 11) <= trail.now:
                    higher = min(Decimal(400), Decimal(str(rx_terms["dose_mg"])) + 50)
                    revised = at(outcome.day + DAY, 11)
                    chain.versions.append(
                        (
                            tables[Prescription].reserve(),
                            2,
                            dict(rx_terms, dose_mg=higher),
                            revised,
                        )
                    )
            next_day = (outcome.last or next_day) + 3 * DAY
            result.last_day = outcome.last or result.last_day
            if outcome.last is None:
                break
            continue
        last = _session(world, who, course, session_kind, type_, next_day, created)
        if last is None:
            break
        result.last_day = last
        next_day = last + (7 * DAY if session_kind == SessionKind.PREPARATION else 11 * DAY)
    finished = dosed >= min(planned, stop_after) and result.last_day is not None
    finished = finished and result.last_day is not None and result.last_day < world.today
    status = CourseStatus.ACTIVE
    if finished:
        status = CourseStatus.STOPPED if stop_after < planned else CourseStatus.COMPLETED
    elif dosed and result.last_day is not None and result.last_day < world.today - 30 * DAY:
        status = CourseStatus.STOPPED  # the prescription ended before the course did
    elif not dosed:
        status = CourseStatus.PLANNED if not result.last_day else CourseStatus.ACTIVE
    tables[TreatmentCourse].add(
        id=course,
        client_id=who.client_id,
        modality=modality,
        planned_preparation=3,
        planned_dosing=planned,
        planned_integration=planned,
        goals="Ease the symptoms; make meaning of the sessions in integration.",
        status=status,
        created_at=created,
        created_by_id=therapist[0] if therapist else None,
    )
    tables[MeasureSchedule].add(
        course_id=course,
        instruments=["phq9", "gad7"] + (["pcl5"] if modality != "kap" else []),
        created_at=created,
        created_by_id=therapist[0] if therapist else None,
    )
    trail.log(created, therapist, "course.create", TreatmentCourse, course, who.client_id)
    prescription_chain(world, who, chain, planned, valid_to)
    return result


def _session(
    world: World,
    who: Person,
    course: int,
    kind: str,
    type_: str,
    day: dt.date,
    created: dt.datetime,
) -> dt.date | None:
    """A preparation or integration session and its appointment (None: past the horizon)."""
    tables, trail = world.tables, world.trail
    therapist = world.practice.clinicians[who.clinician]
    if day > world.horizon:
        return None
    starts, ends = world.booker.slot(who.clinician, day, type_, who.prefer)
    past = starts.date() < world.today
    booked = min(max(created, starts - dt.timedelta(days=7)), trail.now)
    session = tables[TreatmentSession].add(
        course_id=course,
        kind=kind,
        planned_date=starts.date(),
        status=SessionStatus.COMPLETED if past else SessionStatus.PLANNED,
        started_at=starts if past else None,
        completed_at=ends if past else None,
        started_by_id=therapist[0] if past and therapist else None,
        created_at=booked,
    )
    trail.log(booked, therapist, "session.create", TreatmentSession, session, who.client_id)
    status = AppointmentStatus.COMPLETED if past else AppointmentStatus.SCHEDULED
    world.booker.write(
        Visit(who.client_id, who.clinician, type_, starts, ends, booked, status, session)
    )
    if past:
        trail.log(starts, therapist, "session.start", TreatmentSession, session, who.client_id)
        trail.log(ends, therapist, "session.complete", TreatmentSession, session, who.client_id)
    return starts.date()

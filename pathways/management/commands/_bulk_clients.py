"""One client of the bulk practice, from the request on the website to today.

Four kinds of client, as the practice's services: KAP (35%), KA-EMDR (20%), EMDR
without ketamine (15%) and talking therapy (30%). Each sends the appointment request
that becomes their record, has an intake appointment, then sessions with their
clinician about weekly (the same hour when the calendar allows); KAP and KA-EMDR
clients are referred for a course (`_bulk_course`) after a few weeks and come back
to therapy after it. About 25 appointments each over the months in care, booked up
to four weeks ahead. PHQ-9 and GAD-7 every two weeks (the day before each dosing
session during a course), PCL-5 too for the trauma clients (KA-EMDR and EMDR).
A fifth as many requests again never become clients (new, contacted, declined, spam).
"""

from __future__ import annotations

import datetime as dt
import uuid

from clients.models import Client, ClientStatus, Diagnosis
from intake.models import AppointmentRequest, RequestStatus, StatusChange, name_key
from measures.models import Reason
from pathways.management.commands._bulk_calendar import Visit
from pathways.management.commands._bulk_common import (
    Who,
    at,
    fictional_phone,
    weekday_on_or_after,
)
from pathways.management.commands._bulk_course import run_course
from pathways.management.commands._bulk_measures import Course, plan_scores
from pathways.management.commands._bulk_names import email_address, first_name, person_name
from pathways.management.commands._bulk_world import Person, World
from scheduling.models import AppointmentStatus, AppointmentType
from treatment.models import Modality

DAY = dt.timedelta(days=1)
# Kind, share, service slug, diagnosis (ICD-10-CM, CMS tabular list titles).
KINDS = (
    ("kap", 0.35, "kap", ("F33.1", "Major depressive disorder, recurrent, moderate")),
    ("ka_emdr", 0.20, "ka-emdr", ("F43.10", "Post-traumatic stress disorder, unspecified")),
    ("emdr", 0.15, "emdr", ("F43.10", "Post-traumatic stress disorder, unspecified")),
    ("therapy", 0.30, "individual-therapy", ("F41.1", "Generalized anxiety disorder")),
)


def _kind(world: World) -> tuple[str, str, tuple[str, str]]:
    pick = world.rng.random()
    for kind, share, slug, diagnosis in KINDS:
        if pick < share:
            return kind, slug, diagnosis
        pick -= share
    return KINDS[-1][0], KINDS[-1][2], KINDS[-1][3]


def _request(
    world: World,
    person: tuple[str, str, str, str],
    sent: dt.datetime,
    slug: str,
    steps: list[tuple[str, dt.datetime]],
    desk: Who,
    client_id: int | None,
    ip: str,
) -> int:
    """An appointment request and its status steps (`steps`: to-status, when)."""
    tables, trail = world.tables, world.trail
    first, last, email, phone = person
    status = steps[-1][0] if steps else RequestStatus.NEW
    pk = tables[AppointmentRequest].add(
        first_name=first,
        last_name=last,
        email=email,
        phone=phone,
        phone_digits="".join(ch for ch in phone if ch.isdigit()),
        name_key=name_key(first, last),
        preferred_contact="phone",
        preferred_times=["morning"],
        service_id=world.practice.services[slug][0] if slug in world.practice.services else None,
        reason="Looking for help; details at intake.",
        heard_about="search",
        consent_to_contact=True,
        not_emergency_ack=True,
        status=status,
        assigned_to_id=None,
        client_id=client_id,
        created_at=sent,
        updated_at=steps[-1][1] if steps else sent,
        submission_token=uuid.UUID(int=world.rng.getrandbits(128)),
    )
    trail.log(sent, None, "request.create", AppointmentRequest, pk, None, {}, ip)
    before: str = RequestStatus.NEW
    for after, when in steps:
        tables[StatusChange].add(
            request_id=pk,
            from_status=before,
            to_status=after,
            changed_by_id=desk[0] if desk else None,
            changed_at=when,
            reason="Not a fit for our services." if after == "declined" else "",
        )
        if after != RequestStatus.CONVERTED:
            trail.log(
                when,
                desk,
                "request.status",
                AppointmentRequest,
                pk,
                None,
                {"from": before, "to": after, **({"reason": True} if after == "declined" else {})},
            )
        before = after
    return pk


def _sessions(
    world: World,
    who: Person,
    type_: str,
    first: dt.date,
    count: int,
    every: int,
    booked: dt.datetime,
) -> tuple[dt.date | None, dt.datetime]:
    """`count` appointments `every` days apart from `first`; returns the last day seen
    (None if none) and when the last was booked."""
    rng, last = world.rng, None
    day = first
    for _ in range(count):
        if day > world.horizon:
            break
        starts, ends = world.booker.slot(who.clinician, day, type_, who.prefer)
        status = AppointmentStatus.SCHEDULED
        if starts.date() < world.today:
            roll = rng.random()
            status = (
                AppointmentStatus.CANCELLED
                if roll < 0.05
                else AppointmentStatus.NO_SHOW
                if roll < 0.07
                else AppointmentStatus.COMPLETED
            )
        when = min(booked, world.trail.now)
        world.booker.write(Visit(who.client_id, who.clinician, type_, starts, ends, when, status))
        booked = ends
        last = starts.date()
        day = starts.date() + every * DAY
    return last, booked


def seed_client(world: World, index: int) -> None:
    tables, trail, rng, practice = world.tables, world.trail, world.rng, world.practice
    kind, slug, diagnosis = _kind(world)
    clinician = index % len(practice.clinicians)
    desk = practice.intake[practice.site_of(clinician)]
    therapist = practice.clinicians[clinician]
    first, last = person_name(rng, world.names)
    email = email_address(first, last, str(index))
    phone = fictional_phone(index)
    ip = f"203.0.113.{index % 250 + 1}"  # RFC 5737 documentation range
    intake_day = weekday_on_or_after(practice.start + rng.randint(14, 700) * DAY)
    sent = at(intake_day - rng.randint(5, 12) * DAY, rng.randint(8, 21), rng.randrange(60))
    converted = at(intake_day - 2 * DAY, 15)
    if converted > trail.now:
        return
    client = tables[Client].reserve()
    steps: list[tuple[str, dt.datetime]] = [
        (RequestStatus.CONTACTED, sent + DAY),
        (RequestStatus.SCHEDULED, sent + 2 * DAY),
        (RequestStatus.CONVERTED, converted),
    ]
    request = _request(world, (first, last, email, phone), sent, slug, steps, desk, client, ip)
    escort = (f"{first_name(rng, world.names)} {last}", "(555) 010-0199")
    who = Person(client, f"{first} {last}", clinician, rng.randrange(7), ip, diagnosis, escort)
    trail.log(converted, desk, "client.create", Client, client, client, {"request": request})
    # Intake, then weekly sessions; a course for the ketamine clients, then follow-up.
    main = AppointmentType.EMDR if kind in ("emdr", "ka_emdr") else AppointmentType.PSYCHOTHERAPY
    day, booked = _sessions(world, who, AppointmentType.INTAKE, intake_day, 1, 7, converted)
    if day is not None:
        diagnosis_at = at(day, 17)
        if diagnosis_at <= trail.now:
            pk = tables[Diagnosis].add(
                client_id=client,
                code=diagnosis[0],
                description=diagnosis[1],
                added_by_id=therapist[0] if therapist else None,
                added_at=diagnosis_at,
            )
            trail.log(diagnosis_at, therapist, "client.diagnosis_add", Diagnosis, pk, client)
    counts = {"kap": (4, 8), "ka_emdr": (4, 9), "emdr": (16, 30), "therapy": (18, 34)}[kind]
    weekly = 7 if kind != "therapy" or rng.random() < 0.7 else 14
    last_day, booked = _sessions(
        world, who, main, intake_day + 7 * DAY, rng.randint(*counts), weekly, booked
    )
    last_day = last_day or intake_day
    dose_days: list[dt.date] = []
    course_id = None
    if kind in ("kap", "ka_emdr") and last_day + 3 * DAY <= world.today:
        group = rng.randrange(len(practice.partners))
        prescriber = rng.choice(practice.prescribers[group])
        modality = Modality.KAP if kind == "kap" else Modality.KA_EMDR
        result = run_course(
            world, who, modality, last_day + DAY, practice.partners[group], prescriber
        )
        dose_days, course_id = result.dose_days, result.course_id
        if result.last_day is not None:
            after, _ = _sessions(
                world,
                who,
                main,
                result.last_day + 7 * DAY,
                rng.randint(4, 10),
                14,
                at(result.last_day, 13),
            )
            last_day = after or result.last_day
    ended = last_day < world.today - 30 * DAY
    tables[Client].add(
        id=client,
        first_name=first,
        last_name=last,
        email=email,
        phone=phone,
        phone_digits="".join(ch for ch in phone if ch.isdigit()),
        date_of_birth=dt.date(rng.randint(1950, 2003), rng.randint(1, 12), rng.randint(1, 28)),
        city=("Richmond", "Charlottesville", "Norfolk")[practice.site_of(clinician)],
        state="VA",
        emergency_contact_name=escort[0],
        emergency_contact_relationship="Family",
        emergency_contact_phone=escort[1],
        escort_name=escort[0],
        escort_relationship="Family",
        escort_phone=escort[1],
        status=ClientStatus.DISCHARGED if ended else ClientStatus.ACTIVE,
        service_of_interest=practice.services[slug][1] if slug in practice.services else "",
        assigned_therapist_id=therapist[0] if therapist else None,
        created_at=converted,
        created_by_id=desk[0] if desk else None,
    )
    _measures(world, who, kind, intake_day, min(last_day, world.today), dose_days, course_id)


def _measures(
    world: World,
    who: Person,
    kind: str,
    intake_day: dt.date,
    end: dt.date,
    dose_days: list[dt.date],
    course_id: int | None,
) -> None:
    """Every two weeks from intake to the last session, and the day before each dose."""
    codes = ["phq9", "gad7"] + (["pcl5"] if kind in ("emdr", "ka_emdr") else [])
    ketamine = bool(dose_days)
    baselines, change = plan_scores(world.rng, codes, world.measures.scales, ketamine)
    starts = dose_days[0] if ketamine else intake_day
    course = Course(baselines, change, starts, starts + (56 if ketamine else 140) * DAY)
    before = {day - DAY for day in dose_days}
    rounds = {(day, Reason.PRE_DOSING) for day in before}
    day = intake_day - DAY
    while day <= end:
        if all(abs((day - other).days) > 6 for other in before):
            rounds.add((day, Reason.BASELINE if day == intake_day - DAY else Reason.MANUAL))
        day += 14 * DAY
    practice = world.practice
    therapist = practice.clinicians[who.clinician]
    notified = sorted({*([therapist[0]] if therapist else []), *practice.on_call})
    for day, reason in sorted(rounds):
        if day >= world.today:
            continue
        scheduled = reason == Reason.PRE_DOSING
        world.measures.round(
            client_id=who.client_id,
            sent=at(day, 9),
            codes=codes,
            course=course,
            reason=reason,
            by=None if scheduled else therapist,
            therapist=therapist,
            notified=notified,
            course_id=course_id if scheduled else None,
            ip=who.ip,
        )


def seed_request(world: World, index: int) -> None:
    """A request that never became a client: new, contacted, declined or spam."""
    rng, practice = world.rng, world.practice
    first, last = person_name(rng, world.names)
    days_ago = rng.randint(0, 720)
    sent = at(world.today - days_ago * DAY, rng.randint(8, 21), rng.randrange(60))
    if sent > world.trail.now:
        sent = world.trail.now - dt.timedelta(hours=1)
    desk = practice.intake[index % len(practice.intake)]
    steps: list[tuple[str, dt.datetime]] = []
    if days_ago > 14:
        roll = rng.random()
        steps = [(RequestStatus.CONTACTED, sent + DAY)]
        if roll < 0.6:
            steps.append((RequestStatus.DECLINED, sent + 3 * DAY))
        elif roll < 0.8:
            steps = [(RequestStatus.SPAM, sent + DAY)]
    person = (
        first,
        last,
        email_address(first, last, f".r{index}"),
        # Past the clients' numbers: a declined request is not a client's double.
        fictional_phone(index, second_half=True),
    )
    slug = rng.choice(KINDS)[2]
    _request(world, person, sent, slug, steps, desk, None, f"198.51.100.{index % 250 + 1}")

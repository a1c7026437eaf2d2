"""The course sessions around today, each booked on the calendar.

- Devon Walsh's second KA-EMDR dosing session, on the last working day before today:
  complete (dose, vitals, discharge, EMDR reprocessing closed complete), its note
  written and waiting for the therapist's signature.
- Today: Morgan Ellis's KAP dosing session at 10:00 (booked by _demo_pathway),
  Noor Haddad's integration session at 14:00, Rowan Blake's preparation at 15:00.
- Noor's next KA-EMDR dosing session, planned for the next working day.

Today's and later appointments are booked through scheduling.services.appointment_book
(which refuses a clash); the past one is written as the record of what happened.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role, User
from pathways.management.commands._demo_common import at, backdate, day_ago, respond, workday
from pathways.management.commands._demo_emdr import Reprocessing, past_emdr_record
from pathways.management.commands._demo_session import Plan, Staff, past_dosing_session
from prescriptions.models import Prescription, RxStatus
from scheduling.models import Appointment, AppointmentStatus, AppointmentType, Room
from scheduling.services import Booking, appointment_book
from treatment.models import SessionKind, TreatmentCourse, TreatmentSession

DEVON_AGAIN = Reprocessing(
    target="The forklift accident at the warehouse.",
    image="The pallet tipping towards a co-worker.",
    negative="I should have stopped it.",
    positive="I did what anyone could have done.",
    emotions="Guilt, sadness",
    body="Stomach, less than last time",
    voc_start=3,
    sud_start=6,
    sets=[
        (6, "The noise again, further away."),
        (5, "Seeing my hands on the controls."),
        (4, "I shouted a warning. I did shout."),
        (3, "Sad for him, not guilty."),
        (2, "It was the pallet, not me."),
        (1, "Tired, lighter."),
        (0, "Nothing left that bothers me."),
    ],
    voc_end=6,
    body_scan="A little heaviness in the stomach that cleared with one short set.",
    # Run on the BLS display from the record; the display's Wi-Fi dropped in set 3.
    planned_end=60,
    on_display=True,
    interrupted_set=3,
)
DEVON_NOTE = (
    "Arrived with Ash (spouse). Fasted 6 h from food and 3 h from clear liquids; holds "
    "kept. C-SSRS screen negative. Baseline 124/78, HR 76. Sublingual 50 mg taken by the "
    "client under observation at 09:50, during desensitisation. BP highest at 40 minutes "
    "(138/87). Discharged to Ash after the observation time and the checklist; told not "
    "to drive until tomorrow.",
    "Picked up the target left unfinished last time; SUD 6 → 0, VOC 3 → 6, body scan "
    "clear. Calm and tired at the end.",
    "Integration next week; PCL-5 in a month. Safety plan from last month still in place.",
)


def _devon_again(users: dict[str, User], suite: Room) -> None:
    therapist = users[Role.THERAPIST]
    course = TreatmentCourse.objects.get(client__last_name="Walsh")
    rx = Prescription.objects.get(client=course.client, status=RxStatus.ACTIVE)
    day = workday(day_ago(1))
    respond(course.client, "phq9", 9, at(day - dt.timedelta(days=1), 19))
    plan = Plan(
        day=day,
        dose_mg=Decimal("50"),
        intention="To finish what we started with the accident.",
        note=DEVON_NOTE,
        self_administered=True,
        baseline=(124, 78, 76),
        fasted=(Decimal("6"), Decimal("3")),
        signed=False,
    )
    record = past_dosing_session(course, rx, Staff(therapist, users[Role.ADMIN]), plan)
    past_emdr_record(record, DEVON_AGAIN)
    session = record.session
    assert session.started_at is not None  # noqa: S101
    assert session.completed_at is not None  # noqa: S101
    assert session.escort_confirmed_at is not None  # noqa: S101
    appt = Appointment.objects.create(
        client=course.client,
        clinician=therapist,
        room=suite,
        type=AppointmentType.KA_EMDR_DOSING,
        starts_at=session.started_at,
        ends_at=session.started_at + dt.timedelta(hours=3),
        status=AppointmentStatus.COMPLETED,
        arrived_at=session.escort_confirmed_at,
        in_session_at=session.started_at,
        completed_at=session.completed_at,
        session=session,
        created_by=users[Role.INTAKE],
    )
    backdate(Appointment, appt.pk, created_at=session.started_at - dt.timedelta(days=14))


def _book(
    users: dict[str, User], session: TreatmentSession, type_: str, start: dt.datetime, room: Room
) -> None:
    booked = appointment_book(
        actor=Actor.for_user(users[Role.INTAKE]),
        booking=Booking(
            client=session.course.client,
            clinician=users[Role.THERAPIST],
            type=type_,
            starts_at=start,
            room=room,
            session=session,
        ),
    )
    # Seeded after the hour it starts at (the demo built in the afternoon): it was booked
    # the week before, as the front desk would have, never after it began.
    if booked.appointment.created_at > start:
        backdate(Appointment, booked.appointment.pk, created_at=start - dt.timedelta(days=7))


def next_workday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return day


def seed_today(users: dict[str, User], rowan_preparation: TreatmentSession) -> None:
    suite = Room.objects.get(feed_label="Room 1")
    room2 = Room.objects.get(feed_label="Room 2")
    _devon_again(users, suite)
    today = timezone.localdate()
    noor = TreatmentCourse.objects.get(client__last_name="Haddad")
    integration = TreatmentSession.objects.create(course=noor, kind=SessionKind.INTEGRATION)
    _book(users, integration, AppointmentType.INTEGRATION, at(today, 14), room2)
    _book(users, rowan_preparation, AppointmentType.PREPARATION, at(today, 15), room2)
    dosing = TreatmentSession.objects.create(course=noor, kind=SessionKind.DOSING)
    _book(users, dosing, AppointmentType.KA_EMDR_DOSING, at(next_workday(today), 9, 30), suite)

"""A full week on the calendar, around the course sessions of _demo_today.

Two clinicians (Theo, the therapist, and Olive, on call), three rooms, every
appointment type this week, and two weekly series at the same hour every week,
from eight weeks ago to five weeks ahead (the past ones completed):
- Jamie Fox, EMDR, Tuesdays 16:00–17:30 with Theo in Room 3;
- Harper Nguyen, psychotherapy, Mondays 11:00–11:50 with Olive in Room 2;
and, this week only, Drew Patel's intake (Thursday 09:00, Olive, Room 2), Elliot
Shaw's and Dana Whitfield's psychotherapy with Olive, and Theo's late-afternoon
sessions with the clients referred (Monday to Friday at 16:00, Room 3).

These appointments book no course session: `seed_demo` removes and books them again
when it moves the demo to a later day, so the week is always the current one. They
keep clear of the course sessions' slots (Theo before 16:00, Room 1, Room 2 from 14:00
to 16:00) on every day, so the two never clash whatever day "today" is.
Booked through scheduling.services.appointment_book, and the two series through
appointment_book_series (each refuses a clash).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role, User
from clients.models import Client
from pathways.management.commands._demo_common import at, backdate
from scheduling.models import (
    Appointment,
    AppointmentSeries,
    AppointmentStatus,
    AppointmentType,
    Room,
    WorkingHours,
)
from scheduling.services import Booking, appointment_book, appointment_book_series

WEEKS_BACK, WEEKS_AHEAD = 8, 5


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# (client first and last name, type, weekday, hour, minute, clinician username, room label)
Slot = tuple[str, str, str, int, int, int, str, str]
WEEKLY: list[Slot] = [
    ("Jamie", "Fox", AppointmentType.EMDR, 1, 16, 0, "therapist", "Room 3"),
    ("Harper", "Nguyen", AppointmentType.PSYCHOTHERAPY, 0, 11, 0, "oncall", "Room 2"),
]
THIS_WEEK: list[Slot] = [
    ("Drew", "Patel", AppointmentType.INTAKE, 3, 9, 0, "oncall", "Room 2"),
    ("Elliot", "Shaw", AppointmentType.PSYCHOTHERAPY, 2, 13, 0, "oncall", "Room 3"),
    ("Dana", "Whitfield", AppointmentType.PSYCHOTHERAPY, 1, 9, 0, "oncall", "Room 2"),
    ("Avery", "Lindqvist", AppointmentType.PSYCHOTHERAPY, 0, 16, 0, "therapist", "Room 3"),
    ("Quinn", "Harlow", AppointmentType.PSYCHOTHERAPY, 2, 16, 0, "therapist", "Room 3"),
    ("Kit", "Moreau", AppointmentType.PSYCHOTHERAPY, 3, 16, 0, "therapist", "Room 3"),
    ("Sasha", "Ortiz", AppointmentType.EMDR, 4, 16, 0, "therapist", "Room 3"),
]


def seed_rooms_and_hours(users: dict[str, User]) -> None:
    """Room 3 and Olive's working week (Rooms 1 and 2 and Theo's are _demo_pathway's)."""
    Room.objects.get_or_create(name="Room 3", defaults={"feed_label": "Room 3"})
    olive = User.objects.get(username="oncall")
    for weekday in range(5):
        WorkingHours.objects.get_or_create(
            clinician=olive, weekday=weekday, start=dt.time(9), end=dt.time(17)
        )


def _booking(slot: Slot, day: dt.date) -> Booking:
    first, last, type_, _, hour, minute, username, room = slot
    return Booking(
        client=Client.objects.get(first_name=first, last_name=last),
        clinician=User.objects.get(username=username),
        type=type_,
        starts_at=at(day, hour, minute),
        room=Room.objects.get(feed_label=room),
    )


def _as_booked(appt: Appointment, now: dt.datetime) -> Appointment:
    start = appt.starts_at
    # Booked a week before (or at first contact, for the series), as a front desk would.
    backdate(Appointment, appt.pk, created_at=min(start - dt.timedelta(days=7), now))
    if appt.ends_at <= now:
        backdate(
            Appointment,
            appt.pk,
            status=AppointmentStatus.COMPLETED,
            arrived_at=start - dt.timedelta(minutes=5),
            in_session_at=start,
            completed_at=appt.ends_at,
        )
    return appt


def _book(intake: User, slot: Slot, day: dt.date, now: dt.datetime) -> Appointment:
    outcome = appointment_book(actor=Actor.for_user(intake), booking=_booking(slot, day))
    return _as_booked(outcome.appointment, now)


def seed_week(users: dict[str, User]) -> None:
    seed_rooms_and_hours(users)
    intake = users[Role.INTAKE]
    now = timezone.now()
    this_monday = monday(timezone.localdate())
    for slot in WEEKLY:
        # Booked as one weekly series (the booking form's "repeat weekly"), all or nothing.
        first_day = this_monday + dt.timedelta(weeks=-WEEKS_BACK, days=slot[3])
        outcome = appointment_book_series(
            actor=Actor.for_user(intake),
            booking=_booking(slot, first_day),
            weeks=WEEKS_BACK + WEEKS_AHEAD + 1,
        )
        for appt in outcome.booked:
            _as_booked(appt, now)
    for slot in THIS_WEEK:
        _book(intake, slot, this_monday + dt.timedelta(days=slot[3]), now)


def clear_week() -> int:
    """Remove the appointments that book no course session (the week above), so that
    they can be booked again for the current week. Returns how many were removed."""
    removed, _ = Appointment.objects.filter(session__isnull=True).delete()
    AppointmentSeries.objects.filter(appointments__isnull=True).delete()
    return removed

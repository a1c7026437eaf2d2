"""The clinicians' calendars: every appointment of the bulk practice is placed in a
free slot of its clinician's week, so that no clinician (and so no room: each has
their own) is ever booked twice at once, as `scheduling.services` refuses.

A working day is 09:00–17:00, Monday to Friday (their `WorkingHours`), in hourly
slots with lunch at 12:00 kept free. A session of 50 or 60 minutes takes one slot,
EMDR (90 minutes) two, a dosing session (3 hours, and the discharge that may run a
little past noon) the morning from 09:00 with the lunch hour. Tuesday and Thursday
mornings are kept for dosing sessions (other sessions go elsewhere in the day), as KAP
practices keep dosing days, so that a course's sessions keep their two-week rhythm
and stay within the prescription's dates. When the day asked for is full, the next
working day with room is taken, as a front desk would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pathways.management.commands._bulk_common import Tables, Trail, at
from pathways.management.commands._bulk_staff import Practice
from scheduling.models import DEFAULT_MINUTES, Appointment, AppointmentStatus, AppointmentType

FIRST_HOUR = 9
LUNCH = 3  # the slot of 12:00
# The starts (slot numbers from 09:00) a session of each length may take.
STARTS = {
    1: (0, 1, 2, 4, 5, 6, 7),
    2: (0, 1, 4, 5, 6),
    4: (0,),  # dosing: 09:00 to 13:00, lunch included
}
STARTS_DOSING = 4
SLOTS: dict[str, int] = {
    AppointmentType.INTAKE: 1,
    AppointmentType.PREPARATION: 1,
    AppointmentType.INTEGRATION: 1,
    AppointmentType.PSYCHOTHERAPY: 1,
    AppointmentType.EMDR: 2,
    AppointmentType.KAP_DOSING: 4,
    AppointmentType.KA_EMDR_DOSING: 4,
}
ONE_DAY = dt.timedelta(days=1)
DOSING_DAYS = (1, 3)  # Tuesday and Thursday
MORNING = 0b111  # the slots of 09:00, 10:00 and 11:00


class Calendar:
    def __init__(self) -> None:
        # (clinician index, day ordinal) -> bit mask of the slots taken.
        self.taken: dict[tuple[int, int], int] = {}

    def place(
        self, clinician: int, day: dt.date, type_: str, prefer: int = 0
    ) -> tuple[dt.date, int, int]:
        """The first free start on `day` or the next working days: (day, hour, minutes).
        `prefer` turns the order of the starts, so a client keeps much the same hour."""
        size = SLOTS[type_]
        starts = STARTS[size]
        turn = prefer % len(starts)
        order = starts[turn:] + starts[:turn]
        mask = (1 << size) - 1
        # Not the morning of a dosing day, unless this is a dosing session.
        kept = order if size == STARTS_DOSING else [s for s in order if not (mask << s) & MORNING]
        while True:
            weekday = day.weekday()
            if weekday < 5:
                key = (clinician, day.toordinal())
                busy = self.taken.get(key, 0)
                for start in kept if weekday in DOSING_DAYS else order:
                    want = mask << start
                    if not busy & want:
                        self.taken[key] = busy | want
                        return day, FIRST_HOUR + start, DEFAULT_MINUTES[type_]
            day += ONE_DAY


@dataclass(frozen=True)
class Visit:
    """One appointment as it happened (or is booked to happen)."""

    client_id: int
    clinician: int  # index into Practice.clinicians
    type: str
    starts: dt.datetime
    ends: dt.datetime
    booked: dt.datetime
    status: str
    session_id: int | None = None


class Booker:
    """Writes appointments and the audit entries of their booking and status steps."""

    def __init__(self, tables: Tables, trail: Trail, practice: Practice) -> None:
        self.tables, self.trail, self.practice = tables, trail, practice
        self.calendar = Calendar()

    def slot(
        self, clinician: int, day: dt.date, type_: str, prefer: int
    ) -> tuple[dt.datetime, dt.datetime]:
        day, hour, minutes = self.calendar.place(clinician, day, type_, prefer)
        starts = at(day, hour)
        return starts, starts + dt.timedelta(minutes=minutes)

    def write(self, visit: Visit, *, finished: dt.datetime | None = None) -> int:
        """The appointment; `finished` is when a completed one really ended (a dosing
        session's discharge may run past its three hours)."""
        practice, trail, client = self.practice, self.trail, visit.client_id
        desk = practice.intake[practice.site_of(visit.clinician)]
        clinician = practice.clinicians[visit.clinician]
        assert clinician is not None  # noqa: S101
        room = practice.rooms[visit.clinician]
        starts, status = visit.starts, visit.status
        ends = max(visit.ends, finished) if finished else visit.ends
        fields: dict[str, object] = {}
        if status == AppointmentStatus.COMPLETED:
            fields = {
                "arrived_at": starts - dt.timedelta(minutes=5),
                "in_session_at": starts + dt.timedelta(minutes=5 if visit.session_id else 0),
                "completed_at": finished or ends,
            }
        elif status == AppointmentStatus.CANCELLED:
            fields = {"cancelled_at": starts - dt.timedelta(days=1), "cancel_reason": "Unwell"}
        elif status == AppointmentStatus.NO_SHOW:
            fields = {"no_show_at": starts + dt.timedelta(minutes=15)}
        last = max((v for v in fields.values() if isinstance(v, dt.datetime)), default=None)
        pk = self.tables[Appointment].add(
            client_id=client,
            clinician_id=clinician[0],
            room_id=room,
            type=visit.type,
            starts_at=starts,
            ends_at=ends,
            status=status,
            session_id=visit.session_id,
            created_at=visit.booked,
            created_by_id=desk[0] if desk else None,
            updated_at=last or visit.booked,
            **fields,
        )
        trail.log(
            visit.booked,
            desk,
            "appointment.book",
            Appointment,
            pk,
            client,
            {
                "clinician": clinician[0],
                "room": room,
                "type": visit.type,
                "session": visit.session_id,
            },
        )
        if status == AppointmentStatus.CANCELLED:
            trail.log(
                starts - dt.timedelta(days=1),
                desk,
                "appointment.cancel",
                Appointment,
                pk,
                client,
                {"status": status, "session": visit.session_id},
            )
            return pk
        steps = [(AppointmentStatus.NO_SHOW, desk, "no_show_at")]
        if status == AppointmentStatus.COMPLETED:
            steps = [
                (AppointmentStatus.ARRIVED, desk, "arrived_at"),
                (AppointmentStatus.IN_SESSION, clinician, "in_session_at"),
                (AppointmentStatus.COMPLETED, clinician, "completed_at"),
            ]
        elif status != AppointmentStatus.NO_SHOW:
            return pk
        before = AppointmentStatus.SCHEDULED
        for after, who, name in steps:
            when = fields[name]
            assert isinstance(when, dt.datetime)  # noqa: S101
            trail.log(
                when,
                who,
                "appointment.status",
                Appointment,
                pk,
                client,
                {"from": before, "to": after},
            )
            before = after
        return pk

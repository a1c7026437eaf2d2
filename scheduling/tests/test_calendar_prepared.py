"""The calendar's appointments read with SQL compiled once (`scheduling.access.
calendar_appointments`; issue 14) are the ORM's: the same rows, in the same order,
with the same related objects and the same `theirs`, for each role and filter, and a
therapist holding emergency access still goes through the ORM (their grant's client
counts as theirs)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any
from unittest import mock

from django.utils import timezone

from accounts.models import User
from clients.tests.factories import make_grant, name_for_break_glass
from pathways.testing import BaseTestCase, make_client
from pathways.testing.requests import request_for
from pathways.tests.test_prepared_pages import _state
from scheduling import access
from scheduling.models import AppointmentStatus
from scheduling.tests.factories import make_appointment, make_room

LONGEST = dt.timedelta(hours=4)
BUILDERS = (
    "_everyones_of_clinician",
    "_everyones_in_room",
    "_own_of_clinician",
    "_own_in_room",
)


class CalendarReadTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.room, other_room = make_room("Room 1"), make_room("Room 2")
        mine = make_client(
            first_name="Ada", last_name="Ashford", assigned_therapist=self.therapist
        )
        theirs = make_client(
            first_name="Ben", last_name="Birch", assigned_therapist=self.therapist2
        )
        monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
        self.start = timezone.make_aware(dt.datetime.combine(monday, dt.time()))
        self.end = self.start + dt.timedelta(days=7)
        at = self.start + dt.timedelta(days=1, hours=9)
        self.theirs = theirs
        scheduled, cancelled = AppointmentStatus.SCHEDULED, AppointmentStatus.CANCELLED
        for clinician, client, starts, room, status in (
            (self.therapist, mine, at, self.room, scheduled),
            (self.therapist, theirs, at + dt.timedelta(hours=2), self.room, scheduled),  # theirs
            (self.therapist2, mine, at + dt.timedelta(hours=4), self.room, scheduled),  # mine
            (self.therapist2, theirs, at + dt.timedelta(days=1), self.room, scheduled),  # Busy
            (self.therapist, mine, at + dt.timedelta(days=2), other_room, scheduled),
            (self.therapist, mine, at, self.room, cancelled),
            # Begun the Sunday before, still going at midnight: shown.
            (self.therapist2, theirs, self.start - dt.timedelta(minutes=30), self.room, scheduled),
            # Ended as the week began: not shown; and one after it.
            (self.therapist2, theirs, self.start - dt.timedelta(minutes=50), self.room, scheduled),
            (self.therapist, mine, self.end, self.room, scheduled),
        ):
            make_appointment(client, clinician, starts, room=room, status=status)

    def both(self, user: User, **where: Any) -> tuple[list[Any], list[Any]]:
        """The rows read (and whether a compiled read was taken), and the ORM's."""
        request = request_for(user)
        span: dict[str, Any] = {
            "low": self.start - LONGEST,
            "start": self.start,
            "end": self.end,
        }
        spies = {
            name: mock.patch.object(access, name, wraps=getattr(access, name)) for name in BUILDERS
        }
        called = []
        with contextlib.ExitStack() as stack:
            mocks = {name: stack.enter_context(spy) for name, spy in spies.items()}
            got = access.calendar_appointments(request, **span, **where)
            called = [name for name, m in mocks.items() if m.called]
        query = access._overlapping(span["low"], self.start, self.end)
        if where.get("room") is not None:
            query = query.filter(room_id=where["room"])
        elif where.get("clinician") is not None:
            query = query.filter(clinician=where["clinician"])
        elif where.get("rooms") is not None:
            query = query.filter(room__in=where["rooms"])
        expected = list(access.with_visibility(request, access._for_the_grid(query)))
        assert [_state(a) for a in got] == [_state(a) for a in expected]
        assert got  # something to compare
        return got, called

    def test_it_reads_a_clinicians_week_for_the_front_desk_as_the_orm(self) -> None:
        got, called = self.both(self.intake, clinician=self.therapist)
        assert called == ["_everyones_of_clinician"]
        assert all(a.theirs for a in got)
        # Not the cancelled one, nor the one that starts as the week ends.
        assert [(a.client.first_name, a.status) for a in got] == [
            ("Ada", AppointmentStatus.SCHEDULED),
            ("Ben", AppointmentStatus.SCHEDULED),
            ("Ada", AppointmentStatus.SCHEDULED),
        ]

    def test_it_reads_a_rooms_week_for_the_admin_as_the_orm(self) -> None:
        _got, called = self.both(self.admin, room=self.room.pk)
        assert called == ["_everyones_in_room"]

    def test_it_reads_a_therapists_own_week_as_the_orm(self) -> None:
        got, called = self.both(self.therapist, clinician=self.therapist)
        assert called == ["_own_of_clinician"]
        assert [a.client.first_name for a in got if not a.theirs] == []

    def test_it_reads_another_clinicians_week_with_busy_blocks_as_the_orm(self) -> None:
        got, called = self.both(self.therapist, clinician=self.therapist2)
        assert called == ["_own_of_clinician"]
        # My client's session with them is mine to see; their own clients' are "Busy".
        assert sorted(a.theirs for a in got) == [False, False, True]

    def test_it_reads_a_room_for_a_therapist_as_the_orm(self) -> None:
        got, called = self.both(self.therapist, room=self.room.pk)
        assert called == ["_own_in_room"]
        assert {a.theirs for a in got} == {True, False}

    def test_it_reads_through_the_orm_for_a_therapist_holding_emergency_access(self) -> None:
        on_call = name_for_break_glass(self.therapist)
        make_grant(on_call, self.theirs)

        got, called = self.both(on_call, clinician=self.therapist2)

        assert called == []
        # The grant's client counts as theirs: every appointment of theirs is shown.
        assert all(a.theirs for a in got)

    def test_it_reads_the_rooms_day_through_the_orm(self) -> None:
        _got, called = self.both(self.intake, rooms=[self.room.pk])
        assert called == []

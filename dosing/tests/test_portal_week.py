"""The portal home's "dosing sessions this week" (issue 11 §1), found through indexes
(issue 14): a session belongs to the week its start says, else its appointment's
start, else (with neither) the day it is planned; Monday 00:00 to the next Monday
00:00 in the practice's time zone. dosing.portal_views.week_session_ids reads each
of the three through an index of its own instead of the Coalesce of them, which no
index holds; these tests hold it to the Coalesce's answer."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dosing.portal_views import this_week, week_bounds, week_session_ids
from partners.models import ReferralStatus
from pathways.testing import (
    BaseTestCase,
    make_client,
    make_course,
    make_prescription,
    make_referral,
    make_session,
)
from scheduling.models import AppointmentType
from scheduling.tests.factories import make_appointment
from treatment.models import SessionKind, SessionStatus, TreatmentSession


class WeekTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.start, self.end, self.monday = week_bounds(timezone.localdate())
        self.person = make_client(first_name="Wynne", assigned_therapist=self.therapist)
        referral = make_referral(
            self.person, self.partner, self.therapist, status=ReferralStatus.ELIGIBLE
        )
        self.rx = make_prescription(referral, self.prescriber)
        self.course = make_course(self.person, self.therapist)

    def session(
        self,
        *,
        started: dt.datetime | None = None,
        booked: dt.datetime | None = None,
        planned: dt.date | None = None,
        kind: str = SessionKind.DOSING,
    ) -> TreatmentSession:
        session = make_session(
            self.course,
            kind,
            planned_date=planned,
            started_at=started,
            status=SessionStatus.IN_PROGRESS if started else SessionStatus.PLANNED,
            prescription=self.rx,
        )
        if booked is not None:
            make_appointment(
                self.person,
                self.therapist,
                booked,
                type=AppointmentType.KAP_DOSING,
                session=session,
            )
        return session

    def week(self) -> set[int]:
        return set(week_session_ids(self.start, self.end, self.monday))

    def listed(self) -> set[int]:
        """The ids the prescriber's portal home lists this week."""
        self.client.force_login(self.prescriber)
        request = self.client.get("/partner/").wsgi_request
        return {s.pk for s in this_week(request)}  # type: ignore[arg-type]

    def test_it_finds_a_session_by_its_start_first(self) -> None:
        started = self.session(
            started=self.start, booked=self.start - dt.timedelta(days=3), planned=self.monday
        )
        started_before = self.session(
            started=self.start - dt.timedelta(microseconds=1), booked=self.start
        )

        assert self.week() == {started.pk}
        assert started_before.pk not in self.week()

    def test_it_finds_a_session_not_started_by_its_appointment(self) -> None:
        booked = self.session(booked=self.end - dt.timedelta(minutes=1))
        booked_next_week = self.session(booked=self.end, planned=self.monday)

        assert self.week() == {booked.pk}
        assert booked_next_week.pk not in self.week()

    def test_it_finds_a_session_with_no_time_by_its_planned_day(self) -> None:
        planned = self.session(planned=self.monday + dt.timedelta(days=6))
        planned_next_week = self.session(planned=self.monday + dt.timedelta(days=7))
        planned_last_week = self.session(planned=self.monday - dt.timedelta(days=1))

        assert self.week() == {planned.pk}
        assert not {planned_next_week.pk, planned_last_week.pk} & self.week()

    def test_it_finds_only_dosing_sessions(self) -> None:
        self.session(started=self.start, kind=SessionKind.PREPARATION)
        self.session(planned=self.monday, kind=SessionKind.INTEGRATION)

        assert self.week() == set()

    def test_it_agrees_with_the_sessions_when(self) -> None:
        # Every combination, against the Coalesce the list page orders by.
        days = (-8, 0, 3, 7)
        for started in (None, *days):
            for booked in (None, *days):
                for planned in (None, *days):
                    self.session(
                        started=None if started is None else self.start + dt.timedelta(started),
                        booked=None if booked is None else self.start + dt.timedelta(booked),
                        planned=None if planned is None else self.monday + dt.timedelta(planned),
                    )
        expected = set()
        for session in TreatmentSession.objects.select_related("appointment"):
            appointment = getattr(session, "appointment", None)
            when = session.started_at or (appointment.starts_at if appointment else None)
            if when is not None:
                if self.start <= when < self.end:
                    expected.add(session.pk)
            elif session.planned_date and 0 <= (session.planned_date - self.monday).days < 7:
                expected.add(session.pk)

        assert expected  # the grid holds sessions of the week
        assert self.week() == expected
        assert self.listed() == expected

    def test_it_bounds_a_week_with_a_change_of_clocks_by_the_practices_days(self) -> None:
        # Clocks went forward on Sunday 2026-03-08 in America/New_York.
        start, end, monday = week_bounds(dt.date(2026, 3, 5))
        self.start, self.end, self.monday = start, end, monday
        zone = timezone.get_current_timezone()
        first = self.session(started=dt.datetime(2026, 3, 2, 0, 0, tzinfo=zone))
        last = self.session(started=dt.datetime(2026, 3, 8, 23, 59, tzinfo=zone))
        next_monday = self.session(started=dt.datetime(2026, 3, 9, 0, 0, tzinfo=zone))

        assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=167)
        assert self.week() == {first.pk, last.pk}
        assert next_monday.pk not in self.week()

    def test_it_lists_neither_a_cancelled_session_nor_another_partners(self) -> None:
        shown = self.session(started=self.start)
        cancelled = self.session(planned=self.monday)
        TreatmentSession.objects.filter(pk=cancelled.pk).update(status=SessionStatus.CANCELLED)
        other = make_client(first_name="Otto", assigned_therapist=self.therapist)
        theirs = make_session(
            make_course(other, self.therapist),
            SessionKind.DOSING,
            started_at=self.start,
            status=SessionStatus.IN_PROGRESS,
            prescription=make_prescription(
                make_referral(
                    other, self.partner2, self.therapist, status=ReferralStatus.ELIGIBLE
                ),
                self.prescriber2,
            ),
        )

        assert {cancelled.pk, theirs.pk} <= self.week()  # found, then left out by the list
        assert self.listed() == {shown.pk}

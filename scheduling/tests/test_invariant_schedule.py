"""The schedule's services refuse what the forms refuse, also when called without a
form: nothing is stored or changed, and nothing is audited."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from accounts.actor import Actor
from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_client
from scheduling.feed import calendar_feed_create, calendar_feed_revoke, calendar_feeds_revoke
from scheduling.models import Appointment, CalendarFeed
from scheduling.services import SchedulingError, appointment_book, appointment_move
from scheduling.tests.factories import make_appointment
from scheduling.tests.support import at, booking, future_day


class AppointmentLengthTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(assigned_therapist=self.therapist)
        self.start = at(future_day(), "10:00")
        self.actor = Actor.for_user(self.intake)

    def test_it_refuses_an_appointment_shorter_than_five_minutes(self) -> None:
        short = booking(self.record, self.therapist, self.start, minutes=4)

        with pytest.raises(SchedulingError) as caught:
            appointment_book(actor=self.actor, booking=short)

        assert caught.value.field == "duration"
        assert not Appointment.objects.exists()
        assert not AuditEvent.objects.exists()
        appointment_book(actor=self.actor, booking=dataclasses.replace(short, ends_at=None))
        assert Appointment.objects.count() == 1

    def test_it_refuses_to_move_an_appointment_to_less_than_five_minutes(self) -> None:
        appt = make_appointment(self.record, self.therapist, self.start)

        with pytest.raises(SchedulingError) as caught:
            appointment_move(
                actor=self.actor,
                appointment=appt,
                starts_at=self.start,
                ends_at=self.start + dt.timedelta(minutes=1),
                clinician=self.therapist,
                room=None,
            )

        assert caught.value.field == "duration"
        appt.refresh_from_db()
        assert appt.ends_at == self.start + dt.timedelta(minutes=50)
        assert not AuditEvent.objects.exists()

    def test_it_refuses_an_unknown_type_before_working_out_its_length(self) -> None:
        odd = booking(self.record, self.therapist, self.start, type="massage")

        with pytest.raises(SchedulingError) as caught:
            appointment_book(actor=self.actor, booking=odd)

        assert caught.value.field == "type"
        assert not Appointment.objects.exists()


class FeedInvariantTestCase(BaseTestCase):
    def test_only_a_clinician_makes_or_revokes_their_own_feed(self) -> None:
        for user in (self.intake, self.admin, self.prescriber):
            with self.subTest(user=user.username):
                with pytest.raises(SchedulingError):
                    calendar_feed_create(actor=Actor.for_user(user))
                with pytest.raises(SchedulingError):
                    calendar_feed_revoke(actor=Actor.for_user(user))
        assert not CalendarFeed.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_only_the_practice_admin_revokes_another_clinicians_feed(self) -> None:
        calendar_feed_create(actor=Actor.for_user(self.therapist))
        feeds = CalendarFeed.objects.all()

        for user in (self.therapist2, self.intake):
            with self.subTest(user=user.username), pytest.raises(SchedulingError):
                calendar_feeds_revoke(actor=Actor.for_user(user), feeds=feeds)
        assert CalendarFeed.objects.get().revoked_at is None

        assert calendar_feeds_revoke(actor=Actor.for_user(self.admin), feeds=feeds) == 1
        assert CalendarFeed.objects.get().revoked_at is not None
        event = AuditEvent.objects.get(action="calendar_feed.revoke")
        assert event.actor == self.admin

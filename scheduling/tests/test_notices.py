"""The client's e-mail when an appointment is booked, moved or cancelled: the
practice, the day and time, "call us to change", and no PHI."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.core.mail import EmailMessage as Sent

from accounts.actor import Actor
from audit.models import AuditEvent
from notifications.models import OutboundEmail
from pathways.testing import BaseTestCase, make_client, make_phi_client, phi_sentinels
from scheduling.models import AppointmentType
from scheduling.services import (
    appointment_book,
    appointment_book_series,
    appointment_cancel,
    appointment_move,
)
from scheduling.tests.factories import make_room
from scheduling.tests.support import at, booking, future_day

# What would say what the client is treated for, or by whom.
TREATMENT_WORDS = ("ketamine", "KAP", "EMDR", "dosing", "psychotherapy", "Theo", "Dosing suite")


class NoticesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_phi_client(self.therapist)
        self.room = make_room("Dosing suite")
        self.day = future_day(weekday=3)
        self.actor = Actor.for_user(self.intake)

    def assert_no_phi(self, email: Sent) -> None:
        text = f"{email.subject}\n{email.body}"
        for sentinel in phi_sentinels():
            assert sentinel not in text, sentinel
        for word in TREATMENT_WORDS:
            assert word.lower() not in text.lower(), word

    def book(self, hhmm: str = "10:00") -> Sent:
        with self.captureOnCommitCallbacks(execute=True):
            outcome = appointment_book(
                actor=self.actor,
                booking=booking(
                    self.record,
                    self.therapist,
                    at(self.day, hhmm),
                    type=AppointmentType.KAP_DOSING,
                    room=self.room,
                ),
            )
        self.appt = outcome.appointment
        return mail.outbox[-1]

    def test_it_tells_the_client_of_a_booking_with_the_time_and_no_phi(self) -> None:
        email = self.book()

        assert email.to == [self.record.email]
        assert "booked" in email.subject
        assert f"{self.day:%B} {self.day.year}" in email.body
        assert "10:00 AM" in email.body
        assert "Pathways Family Counseling Services" in email.body
        assert "please call us at (555) 010-0100" in email.body
        self.assert_no_phi(email)
        event = AuditEvent.objects.get(action="appointment.notice")
        assert event.detail["kind"] == "booked"

    def test_it_tells_the_client_of_a_move_and_a_cancellation(self) -> None:
        self.book()
        with self.captureOnCommitCallbacks(execute=True):
            appointment_move(
                actor=self.actor,
                appointment=self.appt,
                starts_at=at(self.day, "13:00"),
                ends_at=at(self.day, "16:00"),
                clinician=self.therapist,
                room=self.room,
            )
        moved = mail.outbox[-1]
        assert "moved" in moved.subject
        assert "1:00 PM" in moved.body
        self.assert_no_phi(moved)

        with self.captureOnCommitCallbacks(execute=True):
            appointment_cancel(actor=self.actor, appointment=self.appt, reason="Flu")
        cancelled = mail.outbox[-1]
        assert "cancelled" in cancelled.body
        assert "Flu" not in cancelled.body
        self.assert_no_phi(cancelled)
        assert OutboundEmail.objects.count() == 3

    def test_a_series_is_one_email_listing_its_dates(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            appointment_book_series(
                actor=self.actor,
                booking=booking(self.record, self.therapist, at(self.day, "10:00")),
                weeks=3,
            )

        (email,) = mail.outbox
        for n in range(3):
            day = self.day + dt.timedelta(weeks=n)
            assert f"{day.day} {day:%B} {day.year}" in email.body
        self.assert_no_phi(email)

    def test_nothing_is_sent_before_the_commit_nor_without_an_address(self) -> None:
        appointment_book(
            actor=self.actor, booking=booking(self.record, self.therapist, at(self.day, "09:00"))
        )
        assert OutboundEmail.objects.count() == 0  # the test's transaction never commits

        silent = make_client(first_name="No", last_name="Mail", email="")
        with self.captureOnCommitCallbacks(execute=True):
            appointment_book(
                actor=self.actor, booking=booking(silent, self.therapist, at(self.day, "14:00"))
            )
        assert OutboundEmail.objects.count() == 0

"""A clinician, a room or a client is never booked twice at once (server-side)."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.actor import Actor
from accounts.models import User
from audit.models import AuditEvent
from clients.models import Client
from pathways.testing import BaseTestCase, make_client
from scheduling.models import Appointment, AppointmentStatus, Room
from scheduling.services import BookingClash, Outcome, appointment_book
from scheduling.tests.factories import make_appointment, make_room
from scheduling.tests.support import at, booking, form_data, future_day


class DoubleBookingTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.day = future_day(weekday=2)
        self.dana = make_client(
            first_name="Dana",
            last_name="Scully",
            email="dana@example.com",
            assigned_therapist=self.therapist,
        )
        self.fox = make_client(
            first_name="Fox", last_name="Mulder", assigned_therapist=self.therapist
        )
        self.room = make_room("Garden room")
        self.room2 = make_room("Blue room")
        # The existing appointment: Dana with Theo in the Garden room, 10:00–11:30.
        self.existing = make_appointment(
            self.dana, self.therapist, at(self.day, "10:00"), minutes=90, room=self.room
        )
        self.actor = Actor.for_user(self.intake)

    def book(
        self,
        *,
        client: Client | None = None,
        clinician: User | None = None,
        room: Room | None = None,
        starts_at: dt.datetime | None = None,
        minutes: int = 50,
    ) -> Outcome:
        """Book Fox with Tess in the Blue room, 10:30–11:20, unless told otherwise."""
        return appointment_book(
            actor=self.actor,
            booking=booking(
                client or self.fox,
                clinician or self.therapist2,
                starts_at or at(self.day, "10:30"),
                room=room or self.room2,
                minutes=minutes,
            ),
        )

    def test_it_refuses_the_same_clinician_at_an_overlapping_time(self) -> None:
        with pytest.raises(BookingClash) as caught:
            self.book(clinician=self.therapist)

        assert set(caught.value.clashes) == {"clinician"}
        message = caught.value.clashes["clinician"]
        assert message.startswith("Theo is already booked")
        assert "10:00–11:30" in message
        assert "Scully" not in str(caught.value)
        assert "Dana" not in str(caught.value)
        assert Appointment.objects.count() == 1

    def test_it_refuses_the_same_room_at_an_overlapping_time(self) -> None:
        with pytest.raises(BookingClash) as caught:
            self.book(room=self.room, starts_at=at(self.day, "09:30"), minutes=45)

        assert set(caught.value.clashes) == {"room"}
        assert caught.value.clashes["room"].startswith("Garden room is already booked")
        assert "Scully" not in str(caught.value)

    def test_it_refuses_the_same_client_at_an_overlapping_time(self) -> None:
        with pytest.raises(BookingClash) as caught:
            self.book(client=self.dana, starts_at=at(self.day, "11:00"))

        assert set(caught.value.clashes) == {"client"}

    def test_it_names_every_clash_at_once(self) -> None:
        with pytest.raises(BookingClash) as caught:
            self.book(client=self.dana, clinician=self.therapist, room=self.room)

        assert set(caught.value.clashes) == {"clinician", "room", "client"}

    def test_it_refuses_an_appointment_inside_or_around_another(self) -> None:
        for start, minutes in (("10:15", 30), ("09:00", 240), ("10:00", 90)):
            with pytest.raises(BookingClash):
                self.book(clinician=self.therapist, starts_at=at(self.day, start), minutes=minutes)

    def test_it_allows_appointments_that_only_touch(self) -> None:
        before = self.book(
            client=self.dana,
            clinician=self.therapist,
            room=self.room,
            starts_at=at(self.day, "09:10"),
            minutes=50,
        )
        after = self.book(
            client=self.dana,
            clinician=self.therapist,
            room=self.room,
            starts_at=at(self.day, "11:30"),
            minutes=50,
        )

        assert before.appointment.ends_at == self.existing.starts_at
        assert after.appointment.starts_at == self.existing.ends_at
        assert Appointment.objects.count() == 3

    def test_it_lets_others_use_the_same_time(self) -> None:
        outcome = self.book()

        assert outcome.appointment.starts_at == at(self.day, "10:30")

    def test_a_cancelled_or_missed_appointment_does_not_block(self) -> None:
        for status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
            Appointment.objects.filter(pk=self.existing.pk).update(status=status)
            outcome = self.book(client=self.dana, clinician=self.therapist, room=self.room)
            outcome.appointment.delete()

    def test_an_arrived_or_completed_appointment_still_blocks(self) -> None:
        for status in (AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED):
            Appointment.objects.filter(pk=self.existing.pk).update(status=status)
            with pytest.raises(BookingClash):
                self.book(clinician=self.therapist)

    def test_it_audits_the_refusal_with_ids_only(self) -> None:
        with pytest.raises(BookingClash):
            self.book(clinician=self.therapist)

        event = AuditEvent.objects.get(action="appointment.book_refused")
        assert event.client_id == self.fox.pk
        assert event.detail == {"clashes": ["clinician"], "clinician": self.therapist.pk}

    def test_the_form_shows_the_refusal_beside_the_field_and_keeps_the_input(self) -> None:
        self.client.force_login(self.intake)
        data = form_data(self.fox, self.therapist, self.day, "10:30", room=self.room2)

        response = self.client.post("/staff/schedule/new/", data)

        assert response.status_code == 200
        self.assertContains(response, "This time is already taken.")
        self.assertContains(response, 'id="id_clinician_error"')
        self.assertContains(response, 'value="10:30"')
        errors = str(response.context["form"].errors)
        assert "Theo is already booked" in errors
        assert "Scully" not in errors
        assert "Dana" not in errors
        assert Appointment.objects.count() == 1

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from accounts.models import User
from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_client, make_course, make_session
from scheduling.models import Appointment, AppointmentStatus, Room
from scheduling.tests.factories import make_appointment, make_room
from scheduling.tests.support import at, future_day

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


class MoveTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.day = future_day(weekday=1)
        self.record = make_client(
            first_name="Dana", last_name="Scully", assigned_therapist=self.therapist
        )
        self.room = make_room("Garden room")
        self.room2 = make_room("Blue room")
        self.appt = make_appointment(
            self.record, self.therapist, at(self.day, "10:00"), minutes=60, room=self.room
        )
        self.url = f"/staff/schedule/{self.appt.pk}/move/"

    def move(
        self,
        day: dt.date,
        start: str,
        duration: int = 60,
        *,
        clinician: User | None = None,
        room: Room | None = None,
    ) -> TestResponse:
        data = {
            "move-date": day.isoformat(),
            "move-start": start,
            "move-duration": duration,
            "move-clinician": (clinician or self.therapist).pk,
            "move-room": room.pk if room else "",
        }
        return self.client.post(self.url, data)

    def test_it_moves_to_another_day_room_and_clinician(self) -> None:
        self.client.force_login(self.intake)
        later = self.day + dt.timedelta(days=1)

        response = self.move(later, "15:15", 90, room=self.room2, clinician=self.therapist2)

        self.assertRedirects(
            response, f"/staff/schedule/{self.appt.pk}/", fetch_redirect_response=False
        )
        self.appt.refresh_from_db()
        assert self.appt.starts_at == at(later, "15:15")
        assert self.appt.ends_at == at(later, "16:45")
        assert (self.appt.room, self.appt.clinician) == (self.room2, self.therapist2)
        event = AuditEvent.objects.get(action="appointment.move")
        assert event.detail == {"fields": ["starts_at", "ends_at", "clinician", "room"]}

    def test_it_may_move_within_its_own_time(self) -> None:
        # Moving 10:00–11:00 to 10:30–11:30 overlaps only itself.
        self.client.force_login(self.therapist)

        self.move(self.day, "10:30", room=self.room)

        self.appt.refresh_from_db()
        assert self.appt.starts_at == at(self.day, "10:30")

    def test_it_refuses_a_move_onto_a_booked_slot_and_keeps_the_input(self) -> None:
        other = make_client(
            first_name="Fox", last_name="Mulder", assigned_therapist=self.therapist2
        )
        make_appointment(
            other, self.therapist2, at(self.day, "14:00"), minutes=60, room=self.room2
        )
        self.client.force_login(self.intake)

        response = self.move(self.day, "14:30", room=self.room2)

        assert response.status_code == 200
        self.assertContains(response, "Blue room is already booked")
        self.assertContains(response, 'value="14:30"')
        self.assertNotContains(response, "Mulder")
        self.appt.refresh_from_db()
        assert self.appt.starts_at == at(self.day, "10:00")
        assert AuditEvent.objects.filter(action="appointment.move_refused").count() == 1

    def test_it_shows_field_errors_for_bad_input(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(self.url, {"move-date": "soon", "move-duration": "0"})

        assert response.status_code == 200
        self.assertContains(response, 'id="id_move-date_error"')
        self.assertContains(response, 'value="soon"')

    def test_it_moves_only_a_scheduled_appointment(self) -> None:
        Appointment.objects.filter(pk=self.appt.pk).update(status=AppointmentStatus.ARRIVED)
        self.client.force_login(self.intake)

        response = self.move(self.day, "16:00", room=self.room)

        self.assertRedirects(
            response, f"/staff/schedule/{self.appt.pk}/", fetch_redirect_response=False
        )
        page = self.client.get(f"/staff/schedule/{self.appt.pk}/")
        self.assertContains(page, "Only a scheduled appointment can be moved.")
        self.appt.refresh_from_db()
        assert self.appt.starts_at == at(self.day, "10:00")

    def test_it_redates_the_linked_course_session(self) -> None:
        session = make_session(make_course(self.record, self.therapist), "preparation")
        Appointment.objects.filter(pk=self.appt.pk).update(session=session)
        self.client.force_login(self.therapist)
        later = self.day + dt.timedelta(days=2)

        self.move(later, "10:00")

        session.refresh_from_db()
        assert session.planned_date == later

    def test_it_answers_404_for_another_therapists_appointment(self) -> None:
        self.client.force_login(self.therapist2)

        response = self.move(self.day, "16:00")

        assert response.status_code == 404
        self.appt.refresh_from_db()
        assert self.appt.starts_at == at(self.day, "10:00")

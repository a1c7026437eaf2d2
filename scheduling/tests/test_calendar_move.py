"""Moving from the calendar (a drag, or the arrow keys and Enter): the same move
service, and the answer is the calendar with a status message."""

from __future__ import annotations

from typing import Any

from pathways.testing import BaseTestCase, make_client
from scheduling.tests.factories import make_appointment, make_room
from scheduling.tests.support import at, future_day


class CalendarMoveTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.day = future_day(weekday=1)
        self.room = make_room("Garden room")
        self.dana = make_client(
            first_name="Dana", last_name="Scully", assigned_therapist=self.therapist
        )
        self.fox = make_client(
            first_name="Fox", last_name="Mulder", assigned_therapist=self.therapist2
        )
        self.appt = make_appointment(self.dana, self.therapist, at(self.day, "09:00"))
        self.back = f"/staff/schedule/?clinician={self.therapist.pk}&date={self.day}"

    def move(self, start: str, clinician: int | None = None, **extra: Any) -> Any:
        data = {
            "return_to": self.back,
            "move-date": self.day.isoformat(),
            "move-start": start,
            "move-duration": 50,
            "move-clinician": clinician or self.therapist.pk,
            "move-room": "",
            **extra,
        }
        return self.client.post(f"/staff/schedule/{self.appt.pk}/move/", data)

    def test_it_moves_and_goes_back_to_the_calendar_with_a_message(self) -> None:
        self.client.force_login(self.intake)

        response = self.move("11:15")

        self.assertRedirects(response, self.back, fetch_redirect_response=False)
        self.appt.refresh_from_db()
        assert self.appt.starts_at == at(self.day, "11:15")
        page = self.client.get(self.back)
        self.assertContains(page, f"Appointment moved. It now starts {self.day} 11:15.")

    def test_it_moves_to_another_clinicians_column(self) -> None:
        self.client.force_login(self.intake)

        self.move("09:00", clinician=self.therapist2.pk)

        self.appt.refresh_from_db()
        assert self.appt.clinician == self.therapist2

    def test_a_clash_is_refused_the_appointment_stays_and_the_calendar_says_why(self) -> None:
        make_appointment(self.fox, self.therapist, at(self.day, "13:00"))
        self.client.force_login(self.intake)

        response = self.move("13:30")

        self.assertRedirects(response, self.back, fetch_redirect_response=False)
        self.appt.refresh_from_db()
        assert self.appt.starts_at == at(self.day, "09:00")
        page = self.client.get(self.back)
        self.assertContains(page, "Not moved: this time is already taken.")
        self.assertContains(page, "is already booked")
        message = page.content.decode().split('class="messages"')[1].split("</div>")[0]
        assert "Mulder" not in message

    def test_bad_input_from_the_grid_is_refused_with_a_message(self) -> None:
        self.client.force_login(self.intake)

        response = self.move("25:99")

        self.assertRedirects(response, self.back, fetch_redirect_response=False)
        self.appt.refresh_from_db()
        assert self.appt.starts_at == at(self.day, "09:00")

    def test_it_never_goes_back_to_another_site(self) -> None:
        self.client.force_login(self.intake)

        response = self.move("11:00", return_to="https://evil.example/staff/schedule/")

        self.assertRedirects(
            response, f"/staff/schedule/{self.appt.pk}/", fetch_redirect_response=False
        )

    def test_another_therapist_cannot_move_it(self) -> None:
        self.client.force_login(self.therapist2)

        assert self.move("11:00").status_code == 404

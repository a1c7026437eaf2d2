from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.messages import get_messages

from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_client, make_course, make_session
from scheduling.models import Appointment, AppointmentStatus, WorkingHours
from scheduling.tests.factories import make_room
from scheduling.tests.support import at, form_data, future_day
from treatment.models import Modality, SessionKind

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

URL = "/staff/schedule/new/"


class BookTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Dana", last_name="Scully", assigned_therapist=self.therapist
        )
        self.room = make_room("Garden room")
        self.day = future_day(weekday=1)

    def messages(self, response: TestResponse) -> list[str]:
        return [str(m) for m in get_messages(response.wsgi_request)]

    def test_it_books_with_the_types_default_length(self) -> None:
        self.client.force_login(self.intake)
        data = form_data(
            self.record, self.therapist, self.day, "09:00", type="kap_dosing", room=self.room
        )

        response = self.client.post(URL, data)

        appt = Appointment.objects.get()
        self.assertRedirects(
            response, f"/staff/schedule/{appt.pk}/", fetch_redirect_response=False
        )
        assert appt.starts_at == at(self.day, "09:00")
        assert appt.ends_at - appt.starts_at == dt.timedelta(minutes=180)
        assert (appt.client, appt.clinician, appt.room) == (self.record, self.therapist, self.room)
        assert appt.status == AppointmentStatus.SCHEDULED
        assert appt.created_by == self.intake
        event = AuditEvent.objects.get(action="appointment.book")
        assert event.client_id == self.record.pk
        assert event.detail == {
            "clinician": self.therapist.pk,
            "room": self.room.pk,
            "type": "kap_dosing",
            "session": None,
        }

    def test_it_takes_a_length_typed_by_hand(self) -> None:
        self.client.force_login(self.intake)

        self.client.post(
            URL, form_data(self.record, self.therapist, self.day, "14:30", duration=75)
        )

        appt = Appointment.objects.get()
        assert appt.ends_at == at(self.day, "15:45")

    def test_it_keeps_what_was_typed_when_a_field_is_wrong(self) -> None:
        self.client.force_login(self.intake)
        data = form_data(self.record, self.therapist, self.day, "25:99", duration="-4")

        response = self.client.post(URL, data)

        assert response.status_code == 200
        assert Appointment.objects.count() == 0
        self.assertContains(response, 'id="id_start_error"')
        self.assertContains(response, 'id="id_duration_error"')
        self.assertContains(response, 'value="25:99"')
        self.assertContains(response, f'<option value="{self.record.pk}" selected>')

    def test_it_refuses_a_time_the_clocks_skip(self) -> None:
        self.client.force_login(self.intake)
        # The second Sunday of March, 02:30, does not exist in New York.
        year = self.day.year + 1
        march = dt.date(year, 3, 1)
        second_sunday = march + dt.timedelta(days=(6 - march.weekday()) % 7 + 7)

        response = self.client.post(
            URL, form_data(self.record, self.therapist, second_sunday, "02:30")
        )

        assert response.status_code == 200
        self.assertContains(response, "does not exist on that day")
        assert Appointment.objects.count() == 0

    def test_it_warns_outside_the_clinicians_working_hours(self) -> None:
        WorkingHours.objects.create(
            clinician=self.therapist, weekday=1, start=dt.time(9), end=dt.time(17)
        )
        self.client.force_login(self.intake)

        response = self.client.post(URL, form_data(self.record, self.therapist, self.day, "18:00"))

        assert Appointment.objects.count() == 1  # a warning, not a refusal
        assert "This is outside Theo's working hours." in self.messages(response)

    def test_it_does_not_warn_inside_working_hours(self) -> None:
        WorkingHours.objects.create(
            clinician=self.therapist, weekday=1, start=dt.time(9), end=dt.time(17)
        )
        self.client.force_login(self.intake)

        response = self.client.post(URL, form_data(self.record, self.therapist, self.day, "09:00"))

        assert self.messages(response) == ["Appointment booked."]

    def test_it_does_not_warn_when_no_working_hours_are_on_record(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(URL, form_data(self.record, self.therapist, self.day, "22:00"))

        assert self.messages(response) == ["Appointment booked."]

    def test_it_books_a_planned_course_session_and_dates_it(self) -> None:
        course = make_course(self.record, self.therapist, modality=Modality.KA_EMDR)
        session = make_session(course, SessionKind.DOSING)
        self.client.force_login(self.therapist)
        data = form_data(
            self.record, self.therapist, self.day, "09:00", type="ka_emdr_dosing", session=session
        )

        self.client.post(URL, data)

        appt = Appointment.objects.get()
        assert appt.session == session
        session.refresh_from_db()
        assert session.planned_date == self.day

    def test_it_refuses_a_dosing_type_of_the_other_modality(self) -> None:
        course = make_course(self.record, self.therapist, modality=Modality.KAP)
        session = make_session(course, SessionKind.DOSING)
        self.client.force_login(self.therapist)
        data = form_data(
            self.record, self.therapist, self.day, "09:00", type="ka_emdr_dosing", session=session
        )

        response = self.client.post(URL, data)

        assert response.status_code == 200
        self.assertContains(response, "book a KAP dosing appointment for it")
        assert Appointment.objects.count() == 0

    def test_it_refuses_a_session_of_the_wrong_kind(self) -> None:
        course = make_course(self.record, self.therapist)
        session = make_session(course, SessionKind.INTEGRATION)
        self.client.force_login(self.therapist)
        data = form_data(
            self.record, self.therapist, self.day, "09:00", type="preparation", session=session
        )

        response = self.client.post(URL, data)

        self.assertContains(response, "That is a integration session", status_code=200)
        assert Appointment.objects.count() == 0

    def test_it_lets_a_therapist_book_only_their_own_clients(self) -> None:
        other = make_client(
            first_name="Fox", last_name="Mulder", assigned_therapist=self.therapist2
        )
        self.client.force_login(self.therapist)

        page = self.client.get(URL)
        response = self.client.post(URL, form_data(other, self.therapist, self.day, "09:00"))

        self.assertNotContains(page, "Mulder")
        self.assertContains(page, "Scully")
        assert response.status_code == 200
        self.assertContains(response, 'id="id_client_error"')
        assert Appointment.objects.count() == 0

    def test_it_prefills_the_form_from_the_link(self) -> None:
        self.client.force_login(self.therapist)

        link: dict[str, int | str] = {"client": self.record.pk, "date": "2031-05-06"}
        response = self.client.get(URL, link)

        self.assertContains(response, f'<option value="{self.record.pk}" selected>')
        self.assertContains(response, 'value="2031-05-06"')
        self.assertContains(response, f'<option value="{self.therapist.pk}" selected>')

    def test_it_refuses_a_prescriber(self) -> None:
        self.client.force_login(self.prescriber)

        assert self.client.get(URL).status_code == 403
        post = self.client.post(URL, form_data(self.record, self.therapist, self.day, "09:00"))
        assert post.status_code == 403
        assert Appointment.objects.count() == 0

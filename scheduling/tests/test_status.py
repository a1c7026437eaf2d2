from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.messages import get_messages

from accounts.actor import Actor
from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_client
from scheduling.models import Appointment, AppointmentStatus
from scheduling.services import SchedulingError, appointment_set_status
from scheduling.tests.factories import make_appointment
from scheduling.tests.support import at, future_day

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


class StatusTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Dana", last_name="Scully", assigned_therapist=self.therapist
        )
        self.appt = make_appointment(self.record, self.therapist, at(future_day(), "10:00"))
        self.url = f"/staff/schedule/{self.appt.pk}/status/"

    def last_message(self, response: TestResponse) -> str:
        return str(list(get_messages(response.wsgi_request))[-1])

    def test_it_walks_from_scheduled_to_completed(self) -> None:
        self.client.force_login(self.therapist)

        for status in ("arrived", "in_session", "completed"):
            response = self.client.post(self.url, {"status": status})
            assert response.status_code == 302

        self.appt.refresh_from_db()
        assert self.appt.status == AppointmentStatus.COMPLETED
        arrived, in_session, completed = (
            self.appt.arrived_at,
            self.appt.in_session_at,
            self.appt.completed_at,
        )
        assert arrived is not None
        assert in_session is not None
        assert completed is not None
        assert arrived <= in_session <= completed
        details = [
            e.detail for e in AuditEvent.objects.filter(action="appointment.status").order_by("id")
        ]
        assert details == [
            {"from": "scheduled", "to": "arrived"},
            {"from": "arrived", "to": "in_session"},
            {"from": "in_session", "to": "completed"},
        ]

    def test_it_marks_a_no_show(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(self.url, {"status": "no_show"})

        assert self.last_message(response) == "Marked no-show."
        self.appt.refresh_from_db()
        assert self.appt.status == AppointmentStatus.NO_SHOW
        assert self.appt.no_show_at is not None

    def test_it_refuses_a_step_the_workflow_does_not_allow(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(self.url, {"status": "completed"})

        assert self.last_message(response) == "A scheduled appointment cannot become completed."
        self.appt.refresh_from_db()
        assert self.appt.status == AppointmentStatus.SCHEDULED

    def test_it_refuses_to_go_back(self) -> None:
        Appointment.objects.filter(pk=self.appt.pk).update(status=AppointmentStatus.COMPLETED)

        for status in ("arrived", "in_session", "no_show", "scheduled"):
            try:
                appointment_set_status(
                    actor=Actor.for_user(self.intake), appointment=self.appt, status=status
                )
            except SchedulingError:
                continue
            raise AssertionError(f"{status} was allowed after completed")

    def test_it_cancels_only_through_the_cancel_form(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(self.url, {"status": "cancelled"})

        assert self.last_message(response) == "Choose one of the status buttons."
        self.appt.refresh_from_db()
        assert self.appt.status == AppointmentStatus.SCHEDULED

    def test_the_page_offers_the_next_steps_only(self) -> None:
        self.client.force_login(self.intake)
        page = f"/staff/schedule/{self.appt.pk}/"

        scheduled = self.client.get(page)
        self.client.post(self.url, {"status": "arrived"})
        arrived = self.client.get(page)

        self.assertContains(scheduled, "Mark arrived")
        self.assertContains(scheduled, "Mark no-show")
        self.assertNotContains(scheduled, "Mark completed")
        self.assertContains(arrived, "Mark in session")
        self.assertNotContains(arrived, "Mark arrived")
        self.assertNotContains(arrived, "Move the appointment")

    def test_it_answers_404_for_another_therapists_appointment(self) -> None:
        self.client.force_login(self.therapist2)

        assert self.client.post(self.url, {"status": "arrived"}).status_code == 404
        assert self.client.get(f"/staff/schedule/{self.appt.pk}/").status_code == 404

    def test_the_clinician_may_run_a_colleagues_client_appointment(self) -> None:
        # Documented in scheduling/access.py: the clinician of the appointment sees it.
        covered = make_appointment(self.record, self.therapist2, at(future_day(), "15:00"))
        self.client.force_login(self.therapist2)

        response = self.client.post(f"/staff/schedule/{covered.pk}/status/", {"status": "arrived"})

        assert response.status_code == 302
        covered.refresh_from_db()
        assert covered.status == AppointmentStatus.ARRIVED

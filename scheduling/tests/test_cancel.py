from __future__ import annotations

from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_client, make_course, make_session
from scheduling.models import Appointment, AppointmentStatus
from scheduling.tests.factories import make_appointment
from scheduling.tests.support import at, future_day


class CancelTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Dana", last_name="Scully", assigned_therapist=self.therapist
        )
        self.appt = make_appointment(self.record, self.therapist, at(future_day(), "10:00"))
        self.url = f"/staff/schedule/{self.appt.pk}/cancel/"

    def test_it_cancels_with_a_reason_kept_out_of_the_audit(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(self.url, {"cancel-reason": "Client has the flu"})

        self.assertRedirects(
            response, f"/staff/schedule/{self.appt.pk}/", fetch_redirect_response=False
        )
        self.appt.refresh_from_db()
        assert self.appt.status == AppointmentStatus.CANCELLED
        assert self.appt.cancel_reason == "Client has the flu"
        assert self.appt.cancelled_at is not None
        event = AuditEvent.objects.get(action="appointment.cancel")
        assert event.detail == {"status": "cancelled", "session": None}
        assert "flu" not in str(event.detail)

    def test_it_frees_the_linked_course_session(self) -> None:
        session = make_session(make_course(self.record, self.therapist), "dosing")
        Appointment.objects.filter(pk=self.appt.pk).update(session=session)
        self.client.force_login(self.therapist)

        self.client.post(self.url, {"cancel-reason": "Rescheduling"})

        self.appt.refresh_from_db()
        assert self.appt.session is None
        assert AuditEvent.objects.get(action="appointment.cancel").detail["session"] == session.pk

    def test_it_needs_a_reason(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(self.url, {"cancel-reason": "   "})

        assert response.status_code == 200
        self.assertContains(response, 'id="id_cancel-reason_error"')
        self.appt.refresh_from_db()
        assert self.appt.status == AppointmentStatus.SCHEDULED

    def test_it_does_not_cancel_a_completed_appointment(self) -> None:
        Appointment.objects.filter(pk=self.appt.pk).update(status=AppointmentStatus.COMPLETED)
        self.client.force_login(self.intake)

        response = self.client.post(self.url, {"cancel-reason": "Oops"})

        self.assertRedirects(
            response, f"/staff/schedule/{self.appt.pk}/", fetch_redirect_response=False
        )
        page = self.client.get(f"/staff/schedule/{self.appt.pk}/")
        self.assertContains(page, "A completed appointment cannot be cancelled.")
        self.appt.refresh_from_db()
        assert self.appt.status == AppointmentStatus.COMPLETED

    def test_it_answers_404_for_another_therapists_appointment(self) -> None:
        self.client.force_login(self.therapist2)

        response = self.client.post(self.url, {"cancel-reason": "No"})

        assert response.status_code == 404
        self.appt.refresh_from_db()
        assert self.appt.status == AppointmentStatus.SCHEDULED

    def test_it_refuses_a_prescriber(self) -> None:
        self.client.force_login(self.prescriber)

        assert self.client.post(self.url, {"cancel-reason": "No"}).status_code == 403

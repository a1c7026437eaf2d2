"""The appointment follows its course session (PATHWAYS_SESSION_LISTENERS)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.actor import Actor
from pathways.testing import BaseTestCase, make_client, make_course, make_session, request_for
from scheduling.listeners import CANCEL_REASON
from scheduling.models import Appointment, AppointmentStatus
from scheduling.panels import appointments_panel
from scheduling.tests.factories import make_appointment
from treatment import services as treatment_services
from treatment.models import SessionKind, TreatmentSession
from treatment.tests.support import make_ready


class SessionListenerTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.dana = make_client(
            first_name="Dana", last_name="Scully", assigned_therapist=self.therapist
        )
        self.actor = Actor.for_user(self.therapist)

    def booked(self, session: TreatmentSession, **extra: Any) -> Appointment:
        start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
        return make_appointment(
            session.course.client, self.therapist, start, session=session, **extra
        )

    def preparation(self) -> TreatmentSession:
        return make_session(make_course(self.dana, self.therapist), SessionKind.PREPARATION)

    def test_a_started_session_puts_its_appointment_in_session_through_arrived(self) -> None:
        session = self.preparation()
        appt = self.booked(session)

        treatment_services.session_start(actor=self.actor, session=session)

        appt.refresh_from_db()
        assert appt.status == AppointmentStatus.IN_SESSION
        assert appt.arrived_at is not None
        assert appt.in_session_at is not None

    def test_a_completed_session_completes_its_appointment(self) -> None:
        session = self.preparation()
        appt = self.booked(session, status=AppointmentStatus.ARRIVED)

        treatment_services.session_start(actor=self.actor, session=session)
        treatment_services.session_complete(actor=self.actor, session=session)

        appt.refresh_from_db()
        assert appt.status == AppointmentStatus.COMPLETED
        assert appt.completed_at is not None
        panel = appointments_panel(request_for(self.therapist), self.dana)
        assert panel is not None
        upcoming = panel.context["upcoming"]
        assert [a.status for a in upcoming] == [AppointmentStatus.COMPLETED]
        self.client.force_login(self.therapist)
        day = timezone.localdate(appt.starts_at)
        week = self.client.get(f"/staff/schedule/?clinician={self.therapist.pk}&date={day}")
        self.assertContains(week, "status-completed")
        self.assertNotContains(week, "status-scheduled")
        chart = self.client.get(f"{self.dana.get_absolute_url()}appointments/")
        self.assertContains(chart, "<td>Completed</td>", html=True)

    def test_a_cancelled_session_cancels_its_appointment_with_the_reason(self) -> None:
        session = self.preparation()
        appt = self.booked(session)

        treatment_services.session_cancel(
            actor=self.actor, session=session, reason="Client unwell with a fever."
        )

        appt.refresh_from_db()
        assert appt.status == AppointmentStatus.CANCELLED
        # The reason stays on the session (encrypted), never copied in clear.
        assert appt.cancel_reason == CANCEL_REASON

    def test_a_no_show_appointment_stays_a_no_show(self) -> None:
        session = self.preparation()
        appt = self.booked(session, status=AppointmentStatus.NO_SHOW)

        treatment_services.session_start(actor=self.actor, session=session)

        appt.refresh_from_db()
        assert appt.status == AppointmentStatus.NO_SHOW

    def test_a_dosing_session_started_through_the_gate_moves_its_appointment(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner)
        appt = self.booked(ready.session, type="kap_dosing", minutes=180)

        started, _ = treatment_services.dosing_start(actor=self.actor, session_id=ready.session.pk)

        assert started
        appt.refresh_from_db()
        assert appt.status == AppointmentStatus.IN_SESSION

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pathways.testing import BaseTestCase, make_client
from scheduling.models import AppointmentStatus
from scheduling.tests.factories import make_appointment
from scheduling.tests.support import at, future_day


class ClientPanelTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Dana", last_name="Scully", assigned_therapist=self.therapist
        )
        self.url = f"/staff/clients/{self.record.pk}/appointments/"

    def test_it_lists_upcoming_and_past_appointments(self) -> None:
        upcoming = make_appointment(self.record, self.therapist, at(future_day(), "10:00"))
        past = make_appointment(
            self.record,
            self.therapist,
            at(timezone.localdate() - dt.timedelta(days=7), "10:00"),
            type="intake",
            status=AppointmentStatus.COMPLETED,
        )
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        self.assertContains(response, 'id="appointments-title"')
        panel = (
            response.content.decode().split('id="appointments-title"')[1].split("</section>")[0]
        )
        upcoming_part, past_part = panel.split("Past and cancelled")
        assert f"/staff/schedule/{upcoming.pk}/" in upcoming_part
        assert f"/staff/schedule/{past.pk}/" in past_part
        assert f"/staff/schedule/new/?client={self.record.pk}" in panel

    def test_the_timeline_names_each_step_without_free_text(self) -> None:
        appt = make_appointment(self.record, self.therapist, at(future_day(), "10:00"))
        self.client.force_login(self.intake)
        self.client.post(f"/staff/schedule/{appt.pk}/status/", {"status": "arrived"})
        self.client.post(f"/staff/schedule/{appt.pk}/cancel/", {"cancel-reason": "Felt unwell"})

        response = self.client.get(f"/staff/clients/{self.record.pk}/timeline/")

        timeline = response.content.decode().split('id="timeline-title"')[1]
        assert "Psychotherapy appointment booked" in timeline
        assert "Psychotherapy appointment arrived" in timeline
        assert "Psychotherapy appointment cancelled" in timeline
        assert "Felt unwell" not in timeline

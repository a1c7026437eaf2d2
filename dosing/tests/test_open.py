from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from dosing import services
from dosing.models import DosingRecord
from dosing.tests.support import actor_as
from pathways.testing import BaseTestCase
from scheduling.models import Appointment, AppointmentStatus, AppointmentType
from treatment.models import SessionStatus
from treatment.tests.support import make_ready


class OpenTests(BaseTestCase):
    def test_it_refuses_to_open_a_record_when_the_gate_is_closed(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner, escort=False)
        self.client.force_login(self.therapist)

        response = self.client.post(reverse("dosing:open", args=[ready.session.pk]), follow=True)

        self.assertRedirects(response, reverse("treatment:session", args=[ready.session.pk]))
        self.assertContains(response, "The dosing session cannot start")
        self.assertContains(response, "An escort or ride is confirmed for today")
        self.assertFalse(DosingRecord.objects.exists())
        ready.session.refresh_from_db()
        self.assertEqual(ready.session.status, SessionStatus.PLANNED)
        blocked = AuditEvent.objects.get(action="dosing.start_blocked")
        self.assertEqual(blocked.detail, {"failed": ["escort"]})

    def test_it_opens_the_record_when_the_gate_passes(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.therapist)

        response = self.client.post(reverse("dosing:open", args=[ready.session.pk]))

        record = DosingRecord.objects.get()
        self.assertRedirects(response, reverse("dosing:record", args=[record.pk]))
        self.assertEqual(record.session, ready.session)
        self.assertEqual(record.prescription, ready.prescription)
        self.assertEqual(record.opened_by, self.therapist)
        self.assertEqual(record.escort_name, "Walter Skinner")
        self.assertEqual(record.escort_phone, "(555) 010-0150")
        ready.session.refresh_from_db()
        self.assertEqual(ready.session.status, SessionStatus.IN_PROGRESS)
        event = AuditEvent.objects.get(action="dosing.record_open")
        self.assertEqual(event.object_id, str(record.pk))
        self.assertEqual(event.client_id, ready.client.pk)
        self.assertTrue(AuditEvent.objects.filter(action="dosing.start").exists())

    def test_it_opens_one_record_however_often_it_is_posted(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.therapist)
        url = reverse("dosing:open", args=[ready.session.pk])

        self.client.post(url)
        response = self.client.post(url)

        record = DosingRecord.objects.get()
        self.assertRedirects(response, reverse("dosing:record", args=[record.pk]))
        self.assertEqual(AuditEvent.objects.filter(action="dosing.record_open").count(), 1)

    def test_it_opens_the_record_of_a_session_already_started_through_the_gate(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.therapist)
        self.client.post(reverse("treatment:start", args=[ready.session.pk]))

        response = self.client.post(reverse("dosing:open", args=[ready.session.pk]))

        record = DosingRecord.objects.get()
        self.assertRedirects(response, reverse("dosing:record", args=[record.pk]))
        self.assertEqual(record.prescription, ready.prescription)

    def test_it_does_not_open_a_record_for_a_session_never_started(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner, preparation=False)

        record, checks = services.record_open(
            actor=actor_as(self.therapist), session=ready.session
        )

        self.assertIsNone(record)
        self.assertEqual([c.key for c in checks if not c.ok], ["preparation"])

    def test_it_answers_404_for_another_therapists_session(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner)
        self.client.force_login(self.therapist2)

        response = self.client.post(reverse("dosing:open", args=[ready.session.pk]))

        self.assertEqual(response.status_code, 404)
        self.assertFalse(DosingRecord.objects.exists())
        ready.session.refresh_from_db()
        self.assertEqual(ready.session.status, SessionStatus.PLANNED)

    def test_it_answers_404_for_another_therapists_record(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner)
        record, _ = services.record_open(actor=actor_as(self.therapist), session=ready.session)
        assert record is not None
        self.client.force_login(self.therapist2)

        response = self.client.get(reverse("dosing:record", args=[record.pk]))

        self.assertEqual(response.status_code, 404)

    def test_it_audits_reading_the_record(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner)
        record, _ = services.record_open(actor=actor_as(self.therapist), session=ready.session)
        assert record is not None
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("dosing:record", args=[record.pk]))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"].count("no-store"), 1)
        event = AuditEvent.objects.get(action="dosing.record.view")
        self.assertEqual(event.object_id, str(record.pk))


class OpenMovesTheAppointmentTestCase(BaseTestCase):
    def test_it_puts_an_arrived_appointment_in_session(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner)
        now = timezone.now()
        appt = Appointment.objects.create(
            client=ready.client,
            clinician=self.therapist,
            type=AppointmentType.KAP_DOSING,
            starts_at=now,
            ends_at=now + timedelta(hours=3),
            status=AppointmentStatus.ARRIVED,
            session=ready.session,
            created_by=self.intake,
        )
        self.client.force_login(self.therapist)

        self.client.post(f"/staff/dosing/open/{ready.session.pk}/")

        appt.refresh_from_db()
        assert appt.status == AppointmentStatus.IN_SESSION

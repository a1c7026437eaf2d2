from __future__ import annotations

from django.utils import timezone

from accounts.actor import Actor
from audit.models import AuditEvent
from bls import services
from bls.models import EmdrRecord
from pathways.testing import BaseTestCase, make_client, make_course, make_session
from treatment.models import Modality, SessionKind, SessionStatus

from .support import make_emdr_appointment, make_emdr_session


class RecordCreateTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner, record=False)

    def test_it_opens_a_record_for_a_ka_emdr_dosing_session_and_audits_it(self) -> None:
        record = services.record_create_for_session(
            actor=Actor.for_user(self.therapist), session=self.emdr.session
        )

        assert record.session == self.emdr.session
        assert record.client == self.emdr.client
        event = AuditEvent.objects.get(action="emdr.create")
        assert event.object_id == str(record.pk)
        assert event.client_id == self.emdr.client.pk
        assert event.detail == {"session": self.emdr.session.pk}

    def test_it_opens_a_record_for_a_preparation_session_of_the_course(self) -> None:
        prep = make_session(self.emdr.session.course, SessionKind.PREPARATION)

        record = services.record_create_for_session(
            actor=Actor.for_user(self.therapist), session=prep
        )

        assert record.session == prep

    def test_it_returns_the_existing_record_the_second_time(self) -> None:
        first = services.record_create_for_session(
            actor=Actor.for_user(self.therapist), session=self.emdr.session
        )
        again = services.record_create_for_session(
            actor=Actor.for_user(self.therapist), session=self.emdr.session
        )

        assert again == first
        assert EmdrRecord.objects.count() == 1
        assert AuditEvent.objects.filter(action="emdr.create").count() == 1

    def test_it_refuses_a_kap_session(self) -> None:
        client = make_client(assigned_therapist=self.therapist)
        kap = make_session(make_course(client, self.therapist, modality=Modality.KAP))

        with self.assertRaisesMessage(services.EmdrError, "KA-EMDR course"):
            services.record_create_for_session(actor=Actor.for_user(self.therapist), session=kap)
        assert not EmdrRecord.objects.exists()

    def test_it_refuses_a_cancelled_session(self) -> None:
        prep = make_session(
            self.emdr.session.course, SessionKind.PREPARATION, status=SessionStatus.CANCELLED
        )

        with self.assertRaises(services.EmdrError):
            services.record_create_for_session(actor=Actor.for_user(self.therapist), session=prep)

    def test_it_opens_a_record_for_an_emdr_appointment_without_ketamine(self) -> None:
        appointment = make_emdr_appointment(self.emdr.client, self.therapist, timezone.now())

        record = services.record_create_for_appointment(
            actor=Actor.for_user(self.therapist), appointment=appointment
        )

        assert record.appointment == appointment
        assert record.session is None
        assert record.client == self.emdr.client
        event = AuditEvent.objects.get(action="emdr.create")
        assert event.detail == {"appointment": appointment.pk}

    def test_it_refuses_an_appointment_of_another_type_or_that_did_not_happen(self) -> None:
        intake = make_emdr_appointment(
            self.emdr.client, self.therapist, timezone.now(), type="intake"
        )
        cancelled = make_emdr_appointment(
            self.emdr.client, self.therapist, timezone.now(), status="cancelled"
        )

        for appointment in (intake, cancelled):
            with self.assertRaises(services.EmdrError):
                services.record_create_for_appointment(
                    actor=Actor.for_user(self.therapist), appointment=appointment
                )
        assert not EmdrRecord.objects.exists()


class RecordNewViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner, record=False)
        self.url = f"/staff/emdr/new/{self.emdr.session.pk}/"

    def test_it_creates_the_record_and_redirects_to_it(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(self.url)

        record = EmdrRecord.objects.get()
        self.assertRedirects(response, f"/staff/emdr/{record.pk}/")

    def test_it_answers_404_for_another_therapists_session(self) -> None:
        self.client.force_login(self.therapist2)

        response = self.client.post(self.url)

        assert response.status_code == 404
        assert not EmdrRecord.objects.exists()

    def test_it_refuses_a_kap_session_with_a_message(self) -> None:
        client = make_client(assigned_therapist=self.therapist)
        kap = make_session(make_course(client, self.therapist, modality=Modality.KAP))
        self.client.force_login(self.therapist)

        response = self.client.post(f"/staff/emdr/new/{kap.pk}/", follow=True)

        self.assertContains(response, "An EMDR record belongs to a session of a KA-EMDR course.")
        assert not EmdrRecord.objects.exists()

    def test_it_opens_a_record_from_an_emdr_appointment(self) -> None:
        appointment = make_emdr_appointment(self.emdr.client, self.therapist, timezone.now())
        self.client.force_login(self.therapist)

        response = self.client.post(f"/staff/emdr/new/appointment/{appointment.pk}/")

        record = EmdrRecord.objects.get(appointment=appointment)
        self.assertRedirects(response, f"/staff/emdr/{record.pk}/")

    def test_it_answers_404_for_another_therapists_appointment(self) -> None:
        appointment = make_emdr_appointment(self.emdr.client, self.therapist, timezone.now())
        self.client.force_login(self.therapist2)

        response = self.client.post(f"/staff/emdr/new/appointment/{appointment.pk}/")

        assert response.status_code == 404

from __future__ import annotations

from decimal import Decimal

from accounts.actor import Actor
from audit.models import AuditEvent
from notifications.models import OutboundEmail
from pathways.testing import make_prescription
from prescriptions import services
from prescriptions.models import Prescription, RxStatus
from prescriptions.tests.helpers import RxTestCase, rx_data, rx_terms


class WriteTestCase(RxTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = f"/partner/prescriptions/new/{self.referral.pk}/"

    def test_it_shows_the_form_with_ketamine_fixed_and_only_sourced_suggestions(self) -> None:
        self.client.force_login(self.prescriber)

        response = self.client.get(self.url)

        self.assertContains(response, "<dd>Ketamine</dd>", html=True)
        self.assertContains(response, "Marisol Quintero")
        self.assertNotContains(response, 'name="medication"')
        form = response.context["form"]
        assert form["max_systolic"].value() == 140
        assert form["max_diastolic"].value() == 90
        for name in ("dose_mg", "sessions_authorised", "hr_min", "hr_max", "spo2_min"):
            assert form[name].value() in (None, ""), name
        self.assertContains(response, 'type="date"', count=2)

    def test_it_writes_version_one(self) -> None:
        self.client.force_login(self.prescriber)

        response = self.client.post(
            self.url, rx_data(dose_mg="125.5", booster_mg="50", booster_after_minutes="30")
        )

        rx = Prescription.objects.get()
        self.assertRedirects(response, f"/partner/prescriptions/{rx.pk}/")
        assert (rx.version, rx.chain_id, rx.status) == (1, None, RxStatus.ACTIVE)
        assert (rx.client, rx.referral, rx.prescriber) == (
            self.rx_client,
            self.referral,
            self.prescriber,
        )
        assert rx.dose_mg == Decimal("125.5")
        assert rx.booster_mg == Decimal("50")
        assert rx.booster_after_minutes == 30
        assert rx.medication == "Ketamine"
        assert (rx.max_systolic, rx.max_diastolic, rx.hr_min, rx.hr_max, rx.spo2_min) == (
            140,
            90,
            50,
            110,
            94,
        )
        self.assertContains(self.client.get(response["Location"]), "125.5 mg")

    def test_it_audits_the_write_with_ids_only(self) -> None:
        self.client.force_login(self.prescriber)

        self.client.post(self.url, rx_data())

        rx = Prescription.objects.get()
        event = AuditEvent.objects.get(action="prescription.create")
        assert event.actor == self.prescriber
        assert event.client_id == self.rx_client.pk
        assert event.object_id == str(rx.pk)
        assert event.detail == {"referral": self.referral.pk, "version": 1, "status": "active"}

    def test_it_audits_reading_the_form(self) -> None:
        self.client.force_login(self.prescriber)

        self.client.get(self.url)

        event = AuditEvent.objects.get(action="prescription.form")
        assert event.client_id == self.rx_client.pk
        assert event.detail == {"referral": self.referral.pk, "refused": False}

    def test_it_tells_the_practice_without_any_detail(self) -> None:
        self.rx_client.assigned_therapist = self.therapist2
        self.rx_client.save()
        self.client.force_login(self.prescriber)

        self.client.post(self.url, rx_data(dose_mg="175"))

        emails = OutboundEmail.objects.order_by("to")
        assert [e.to for e in emails] == [
            "therapist2@pathways.example",
            "therapist@pathways.example",
        ]
        for message in emails:
            text = f"{message.subject}\n{message.body}"
            assert "A prescription was updated for one of your clients. Sign in to see it." in text
            assert "http://127.0.0.1:8000/staff/" in text
            for secret in ("Marisol", "Quintero", "175", "etamine", "sublingual", "mg"):
                assert secret not in text, secret

    def test_it_sends_one_email_when_the_referrer_is_the_therapist(self) -> None:
        self.client.force_login(self.prescriber)

        self.client.post(self.url, rx_data())

        assert [e.to for e in OutboundEmail.objects.all()] == ["therapist@pathways.example"]

    def test_it_refuses_while_another_chain_is_active(self) -> None:
        existing = make_prescription(self.referral, self.prescriber)
        self.client.force_login(self.prescriber)

        page = self.client.get(self.url)
        response = self.client.post(self.url, rx_data())

        for reply in (page, response):
            self.assertContains(reply, "already has an active prescription")
            self.assertContains(reply, "Revise it or discontinue it")
            assert reply.context["form"] is None
        assert list(Prescription.objects.all()) == [existing]

    def test_it_writes_a_new_chain_once_the_old_one_is_discontinued(self) -> None:
        old = make_prescription(self.referral, self.prescriber, status=RxStatus.DISCONTINUED)
        self.client.force_login(self.prescriber)

        self.client.post(self.url, rx_data())

        new = Prescription.objects.exclude(pk=old.pk).get()
        assert (new.version, new.chain_id, new.status) == (1, None, RxStatus.ACTIVE)

    def test_the_service_refuses_a_second_active_chain(self) -> None:
        make_prescription(self.referral, self.prescriber)
        actor = Actor.for_user(self.prescriber)

        with self.assertRaisesMessage(services.PrescriptionError, "already has an active"):
            services.prescription_write(actor=actor, referral=self.referral, terms=rx_terms())

        assert Prescription.objects.count() == 1

    def test_the_service_refuses_a_prescriber_of_another_partner(self) -> None:
        actor = Actor.for_user(self.prescriber2)

        with self.assertRaises(services.PrescriptionError):
            services.prescription_write(actor=actor, referral=self.referral, terms=rx_terms())

        assert not Prescription.objects.exists()

from __future__ import annotations

from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import OutboundEmail
from pathways.testing import make_prescription
from prescriptions.models import Prescription, RxStatus
from prescriptions.queries import active_prescription_for
from prescriptions.tests.helpers import RxTestCase

REASON = "Blood pressure stayed high at two visits."


class DiscontinueTestCase(RxTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rx = make_prescription(self.referral, self.prescriber)
        self.url = f"/partner/prescriptions/{self.rx.pk}/discontinue/"
        self.client.force_login(self.prescriber)

    def test_it_discontinues_with_the_reason(self) -> None:
        response = self.client.post(self.url, {"reason": REASON})

        self.assertRedirects(response, f"/partner/prescriptions/{self.rx.pk}/")
        self.rx.refresh_from_db()
        assert self.rx.status == RxStatus.DISCONTINUED
        assert self.rx.discontinued_by == self.prescriber
        assert self.rx.discontinued_reason == REASON
        assert self.rx.discontinued_at is not None

    def test_it_audits_without_the_reason_text(self) -> None:
        self.client.post(self.url, {"reason": REASON})

        event = AuditEvent.objects.get(action="prescription.discontinue")
        assert event.client_id == self.rx_client.pk
        assert event.detail == {"chain": self.rx.pk, "version": 1, "status": "discontinued"}
        assert REASON not in str(event.detail)

    def test_the_practice_sees_it_at_once(self) -> None:
        self.client.post(self.url, {"reason": REASON})
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/prescriptions/{self.rx.pk}/")

        self.assertContains(response, "Discontinued — no dosing session can use it")
        self.assertContains(response, REASON)
        when = timezone.localtime(Prescription.objects.get().discontinued_at)
        self.assertContains(response, when.strftime("%Y-%m-%d %H:%M"))

    def test_no_dosing_can_use_it_afterwards(self) -> None:
        today = timezone.localdate()
        assert active_prescription_for(self.rx_client, today) == self.rx

        self.client.post(self.url, {"reason": REASON})

        assert active_prescription_for(self.rx_client, today) is None

    def test_it_tells_the_practice(self) -> None:
        self.client.post(self.url, {"reason": REASON})

        email = OutboundEmail.objects.get()
        assert email.to == "therapist@pathways.example"
        assert "Blood pressure" not in email.body

    def test_it_needs_a_reason_and_shows_the_error_beside_the_field(self) -> None:
        for reason in ("", "   "):
            response = self.client.post(self.url, {"reason": reason})

            assert response.status_code == 200
            self.assertContains(response, 'id="id_reason_error"')
            self.assertContains(response, "Give the reason for discontinuing.")
        self.rx.refresh_from_db()
        assert self.rx.status == RxStatus.ACTIVE

    def test_it_discontinues_the_active_version_from_an_older_one(self) -> None:
        self.rx.status = RxStatus.SUPERSEDED
        self.rx.save()
        v2 = make_prescription(self.referral, self.prescriber, chain=self.rx, version=2)

        response = self.client.post(self.url, {"reason": REASON})

        self.assertRedirects(response, f"/partner/prescriptions/{v2.pk}/")
        v2.refresh_from_db()
        self.rx.refresh_from_db()
        assert (self.rx.status, v2.status) == (RxStatus.SUPERSEDED, RxStatus.DISCONTINUED)

    def test_it_refuses_a_second_discontinuation(self) -> None:
        self.client.post(self.url, {"reason": REASON})

        response = self.client.post(self.url, {"reason": "Again."}, follow=True)

        self.assertContains(response, "no longer active")
        self.rx.refresh_from_db()
        assert self.rx.discontinued_reason == REASON
        assert AuditEvent.objects.filter(action="prescription.discontinue").count() == 1

    def test_it_offers_no_changes_once_discontinued(self) -> None:
        self.client.post(self.url, {"reason": REASON})

        response = self.client.get(f"/partner/prescriptions/{self.rx.pk}/")

        self.assertContains(response, "Discontinued — no dosing session can use it")
        self.assertNotContains(response, f"/partner/prescriptions/{self.rx.pk}/revise/")
        self.assertNotContains(response, self.url)

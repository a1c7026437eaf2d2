"""Staff cancel an unused signing link; it stops opening at once."""

from __future__ import annotations

from audit.models import AuditEvent
from consents.models import ConsentRequest
from consents.tests.factories import make_consent_request
from pathways.testing import BaseTestCase, make_client

SIGN = {"typed_name": "Bob Client", "agreed": "on"}
CONFIRM = {"confirm": "yes"}


class CancelTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(assigned_therapist=self.therapist)
        self.consent_request, self.token = make_consent_request(self.record, self.therapist)
        self.url = f"/staff/consents/request/{self.consent_request.pk}/cancel/"
        self.client.force_login(self.therapist)

    def test_it_cancels_the_link_at_once(self) -> None:
        response = self.client.post(self.url, CONFIRM)

        self.assertRedirects(
            response, f"/staff/clients/{self.record.pk}/consents/", fetch_redirect_response=False
        )
        self.consent_request.refresh_from_db()
        assert self.consent_request.cancelled_at is not None
        assert self.client.get(f"/consent/{self.token}/").status_code == 410

    def test_it_refuses_to_cancel_a_used_link(self) -> None:
        self.client.post(f"/consent/{self.token}/", SIGN)
        self.client.force_login(self.therapist)

        self.client.post(self.url, CONFIRM)

        self.consent_request.refresh_from_db()
        assert self.consent_request.used_at is not None
        assert self.consent_request.cancelled_at is None
        assert not AuditEvent.objects.filter(action="consent.cancel").exists()

    def test_it_writes_an_audit_entry(self) -> None:
        self.client.post(self.url, CONFIRM)

        event = AuditEvent.objects.get(action="consent.cancel")
        assert (event.actor, event.client_id) == (self.therapist, self.record.pk)
        assert event.object_id == str(self.consent_request.pk)

    def test_it_hides_another_therapists_link(self) -> None:
        self.client.force_login(self.therapist2)

        response = self.client.post(self.url, CONFIRM)

        assert response.status_code == 404
        assert ConsentRequest.objects.get().cancelled_at is None

    def test_it_cancels_nothing_without_the_confirm(self) -> None:
        response = self.client.post(self.url)

        self.assertRedirects(
            response, f"/staff/clients/{self.record.pk}/consents/", fetch_redirect_response=False
        )
        assert ConsentRequest.objects.get().cancelled_at is None
        assert self.client.get(f"/consent/{self.token}/").status_code == 200

"""Staff send a client a secure, expiring, single-use link to sign a consent form."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from accounts.actor import Actor
from audit.models import AuditEvent
from common.tokens import token_hash
from consents import services
from consents.models import ConsentKind, ConsentRequest
from consents.tests.factories import make_consent_request
from notifications.models import OutboundEmail
from pathways.testing import BaseTestCase, make_client, make_document

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

LINK = re.compile(r"http://testserver/consent/([A-Za-z0-9_-]{43})/")


@override_settings(SITE_URL="http://testserver", PRACTICE_PHONE="(555) 010-0100")
class SendTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Marisol",
            last_name="Vantongeren",
            email="marisol@example.com",
            assigned_therapist=self.therapist,
        )
        self.document = make_document(ConsentKind.KAP, title="KAP informed consent")
        self.url = f"/staff/consents/client/{self.record.pk}/send/"
        self.client.force_login(self.therapist)

    def send(self, data: dict[str, object], follow: bool = False) -> TestResponse:
        """POST the form, running the after-commit e-mail task as a real request would."""
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, data, follow=follow)

    def test_it_shows_the_form(self) -> None:
        response = self.client.get(self.url)

        assert response.status_code == 200
        self.assertContains(response, "Send a consent form")
        self.assertContains(response, "Marisol Vantongeren")
        self.assertContains(response, 'name="kind"')
        self.assertContains(response, self.partner.name)
        event = AuditEvent.objects.get(action="client.view")
        assert (event.actor, event.client_id) == (self.therapist, self.record.pk)

    def test_it_emails_the_link_and_returns_to_the_client(self) -> None:
        before = timezone.now()

        response = self.send({"kind": ConsentKind.KAP})

        self.assertRedirects(
            response, f"/staff/clients/{self.record.pk}/consents/", fetch_redirect_response=False
        )
        consent_request = ConsentRequest.objects.get()
        assert consent_request.client == self.record
        assert consent_request.document == self.document
        assert consent_request.created_by == self.therapist
        assert consent_request.partner is None
        assert consent_request.is_open()
        expected_expiry = before + dt.timedelta(hours=72)
        assert abs(consent_request.expires_at - expected_expiry) < dt.timedelta(minutes=1)
        [email] = mail.outbox
        assert email.to == ["marisol@example.com"]
        match = LINK.search(str(email.body))
        assert match, email.body
        token = match.group(1)
        assert consent_request.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in consent_request.token_hash

    def test_it_tells_staff_the_link_went_to_the_clients_email(self) -> None:
        response = self.send({"kind": ConsentKind.KAP}, follow=True)

        self.assertContains(response, "sent to the client&#x27;s e-mail")
        assert not LINK.search(response.content.decode())

    def test_it_puts_no_phi_in_the_email(self) -> None:
        self.send({"kind": ConsentKind.KAP})

        [email] = mail.outbox
        assert settings.PRACTICE_NAME in email.subject
        assert settings.PRACTICE_NAME in email.body
        assert "(555) 010-0100" in email.body
        assert "expires on" in email.body
        # Apart from the link itself, nothing names the form, the client or treatment.
        text = LINK.sub("", f"{email.subject}\n{email.body}").lower()
        for word in ("marisol", "vantongeren", "kap", "ketamine", "consent", "emdr", "therap"):
            assert word not in text, word

    @override_settings(CONSENT_LINK_HOURS=24)
    def test_it_uses_the_configured_link_lifetime(self) -> None:
        before = timezone.now()

        self.send({"kind": ConsentKind.KAP})

        expires_at = ConsentRequest.objects.get().expires_at
        assert abs(expires_at - (before + dt.timedelta(hours=24))) < dt.timedelta(minutes=1)

    def test_it_shows_the_link_once_when_the_client_has_no_email(self) -> None:
        self.record.email = ""
        self.record.save()

        response = self.send({"kind": ConsentKind.KAP})

        assert response.status_code == 200
        self.assertContains(response, "Link created")
        match = LINK.search(response.content.decode())
        assert match
        consent_request = ConsentRequest.objects.get()
        assert consent_request.token_hash == hashlib.sha256(match.group(1).encode()).hexdigest()
        assert "no-store" in response["Cache-Control"]
        assert mail.outbox == []
        assert not OutboundEmail.objects.exists()
        # It is never shown again.
        again = self.client.get(self.url)
        assert match.group(1) not in again.content.decode()
        for event in AuditEvent.objects.all():
            assert match.group(1) not in str(event.detail)

    def test_it_sends_a_release_for_the_chosen_partner(self) -> None:
        make_document(ConsentKind.ROI)

        self.send({"kind": ConsentKind.ROI, "partner": self.partner.pk})

        consent_request = ConsentRequest.objects.get()
        assert consent_request.document.kind == ConsentKind.ROI
        assert consent_request.partner == self.partner
        assert self.partner.name not in mail.outbox[0].body

    def test_it_asks_for_the_partner_of_a_release(self) -> None:
        make_document(ConsentKind.ROI)

        response = self.send({"kind": ConsentKind.ROI, "partner": ""})

        assert response.status_code == 200
        self.assertContains(response, 'id="id_partner_error"')
        self.assertContains(response, "Choose the partner this release of information is for.")
        self.assertContains(response, '<option value="roi" selected>', html=False)
        assert not ConsentRequest.objects.exists()
        assert mail.outbox == []

    def test_it_refuses_a_partner_on_other_forms(self) -> None:
        response = self.client.post(
            self.url, {"kind": ConsentKind.KAP, "partner": self.partner.pk}
        )

        assert response.status_code == 200
        self.assertContains(response, 'id="id_partner_error"')
        self.assertContains(response, "Only a release of information names a partner.")
        assert not ConsentRequest.objects.exists()

    def test_it_refuses_an_inactive_partner(self) -> None:
        make_document(ConsentKind.ROI)
        self.partner2.active = False
        self.partner2.save()

        response = self.client.post(
            self.url, {"kind": ConsentKind.ROI, "partner": self.partner2.pk}
        )

        assert response.status_code == 200
        self.assertContains(response, "Choose an active partner from the list.")
        assert not ConsentRequest.objects.exists()

    def test_it_asks_for_a_form(self) -> None:
        response = self.send({"kind": ""})

        assert response.status_code == 200
        self.assertContains(response, 'id="id_kind_error"')
        self.assertContains(response, "Choose the consent form to send.")

    def test_it_explains_that_a_form_has_no_published_version(self) -> None:
        response = self.send({"kind": ConsentKind.TELEHEALTH})

        assert response.status_code == 200
        self.assertContains(response, 'id="id_kind_error"')
        self.assertContains(response, "no published version yet")
        self.assertContains(response, '<option value="telehealth" selected>', html=False)
        assert not ConsentRequest.objects.exists()

    def test_it_sends_the_newest_version(self) -> None:
        newest = make_document(ConsentKind.KAP, body="Version two.")

        self.send({"kind": ConsentKind.KAP})

        assert ConsentRequest.objects.get().document == newest

    def test_it_cancels_the_earlier_open_link_for_the_same_form(self) -> None:
        earlier, earlier_token = make_consent_request(self.record, self.therapist)
        other_kind, _ = make_consent_request(self.record, self.therapist, ConsentKind.TELEHEALTH)

        self.send({"kind": ConsentKind.KAP})

        earlier.refresh_from_db()
        other_kind.refresh_from_db()
        assert earlier.cancelled_at is not None
        assert other_kind.cancelled_at is None
        newest = ConsentRequest.objects.exclude(pk__in=[earlier.pk, other_kind.pk]).get()
        assert newest.is_open()
        assert self.client.get(f"/consent/{earlier_token}/").status_code == 410
        cancel = AuditEvent.objects.get(action="consent.cancel")
        assert cancel.object_id == str(earlier.pk)
        assert cancel.detail == {"replaced_by": newest.pk}

    def test_it_keeps_a_release_to_another_partner_open(self) -> None:
        make_document(ConsentKind.ROI)
        to_partner2, _ = make_consent_request(
            self.record, self.therapist, ConsentKind.ROI, partner=self.partner2
        )

        self.send({"kind": ConsentKind.ROI, "partner": self.partner.pk})

        to_partner2.refresh_from_db()
        assert to_partner2.cancelled_at is None

    def test_it_writes_an_audit_entry(self) -> None:
        self.send({"kind": ConsentKind.KAP})

        event = AuditEvent.objects.get(action="consent.send")
        consent_request = ConsentRequest.objects.get()
        assert (event.actor, event.client_id) == (self.therapist, self.record.pk)
        assert event.object_id == str(consent_request.pk)
        assert event.detail == {
            "kind": "kap",
            "document": self.document.pk,
            "version": 1,
            "partner": None,
            "emailed": True,
        }

    def test_it_lets_the_practice_admin_send(self) -> None:
        self.client.force_login(self.admin)

        response = self.send({"kind": ConsentKind.KAP})

        assert response.status_code == 302
        assert ConsentRequest.objects.get().created_by == self.admin


class SendServiceTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(assigned_therapist=self.therapist)
        self.actor = Actor.for_user(self.therapist)

    def test_it_refuses_a_release_without_a_partner(self) -> None:
        make_document(ConsentKind.ROI)

        with pytest.raises(services.ConsentError):
            services.consent_request_send(
                actor=self.actor, client=self.record, kind=ConsentKind.ROI
            )

        assert not ConsentRequest.objects.exists()

    def test_it_refuses_a_partner_on_another_form(self) -> None:
        make_document(ConsentKind.KAP)

        with pytest.raises(services.ConsentError):
            services.consent_request_send(
                actor=self.actor, client=self.record, kind=ConsentKind.KAP, partner=self.partner
            )

        assert not ConsentRequest.objects.exists()

    def test_it_refuses_a_form_with_no_version(self) -> None:
        with pytest.raises(services.ConsentError):
            services.consent_request_send(
                actor=self.actor, client=self.record, kind=ConsentKind.KAP
            )

    def test_it_returns_a_fresh_random_token_each_time(self) -> None:
        make_document(ConsentKind.KAP)

        first, token1 = services.consent_request_send(
            actor=self.actor, client=self.record, kind="kap"
        )
        second, token2 = services.consent_request_send(
            actor=self.actor, client=self.record, kind="kap"
        )

        assert token1 != token2
        assert len(token1) >= 43
        assert first.token_hash != second.token_hash
        assert first.token_hash == token_hash(token1)

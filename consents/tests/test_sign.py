"""The client signs on a secure link that expires and works once."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role
from audit.models import AuditEvent
from consents import services
from consents.models import ConsentKind, ConsentRequest, SignedConsent
from consents.tests.factories import make_consent_request
from pathways.testing import BaseTestCase, make_client, make_document, make_user

USED = "This link has expired or has already been used."
SIGN = {"typed_name": "Marisol Vantongeren", "agreed": "on"}


class SignTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Marisol",
            last_name="Vantongeren",
            email="marisol@example.com",
            assigned_therapist=self.therapist,
        )
        self.document = make_document(
            ConsentKind.KAP,
            title="Informed consent for KAP",
            body="First paragraph.\n\nSecond paragraph.",
        )
        self.consent_request, token = make_consent_request(self.record, self.therapist)
        self.url = f"/consent/{token}/"

    def test_it_shows_the_document_and_nothing_about_the_client(self) -> None:
        response = self.client.get(self.url)

        assert response.status_code == 200
        self.assertContains(response, "Pathways Family Counseling Services")
        self.assertContains(response, '<h1 id="document-title">Informed consent for KAP</h1>')
        self.assertContains(response, "<p>First paragraph.</p>", html=True)
        self.assertContains(response, "<p>Second paragraph.</p>", html=True)
        self.assertContains(response, "I have read this document and I agree to it")
        self.assertContains(response, "988")  # the public layout, with the crisis banner
        for private in ("Marisol", "Vantongeren", "marisol@example.com", "Theo"):
            self.assertNotContains(response, private)

    def test_it_tells_the_browser_not_to_keep_the_page(self) -> None:
        assert "no-store" in self.client.get(self.url)["Cache-Control"]
        bad = self.client.post(self.url, {"typed_name": "Marisol"})
        assert "no-store" in bad["Cache-Control"]

    def test_it_records_the_signature_with_time_ip_and_hash(self) -> None:
        before = timezone.now()

        response = self.client.post(self.url, SIGN, REMOTE_ADDR="203.0.113.7")

        self.assertRedirects(response, "/consent/done/", fetch_redirect_response=False)
        signed = SignedConsent.objects.get()
        assert signed.client == self.record
        assert signed.document == self.document
        assert signed.request == self.consent_request
        assert (signed.typed_name, signed.agreed) == ("Marisol Vantongeren", True)
        assert before <= signed.signed_at <= timezone.now()
        assert signed.ip == "203.0.113.7"
        assert signed.document_sha256 == self.document.sha256
        assert signed.title_signed == "Informed consent for KAP"
        assert signed.body_signed == "First paragraph.\n\nSecond paragraph."
        self.consent_request.refresh_from_db()
        assert self.consent_request.used_at == signed.signed_at

    def test_it_shows_a_plain_confirmation(self) -> None:
        response = self.client.post(self.url, SIGN, follow=True)

        self.assertContains(response, "your signature has been recorded")
        self.assertNotContains(response, "Marisol")
        self.assertNotContains(response, "Informed consent for KAP")
        assert response.redirect_chain == [("/consent/done/", 302)]

    def test_it_works_once(self) -> None:
        self.client.post(self.url, SIGN)

        again = self.client.get(self.url)
        resubmit = self.client.post(self.url, {**SIGN, "typed_name": "Someone Else"})

        for response in (again, resubmit):
            assert response.status_code == 410
            self.assertContains(response, USED, status_code=410)
            self.assertContains(response, "(555) 010-0100", status_code=410)
            self.assertNotContains(response, "Informed consent for KAP", status_code=410)
            self.assertNotContains(response, "First paragraph", status_code=410)
        assert SignedConsent.objects.get().typed_name == "Marisol Vantongeren"

    def test_it_stores_one_signature_when_two_submits_both_saw_an_open_link(self) -> None:
        # Both requests loaded the link while it was open; the second must not sign.
        stale = ConsentRequest.objects.get(pk=self.consent_request.pk)
        signer = Actor.client_on_link("203.0.113.7")
        services.consent_sign(
            actor=signer,
            consent_request=self.consent_request,
            typed_name="Marisol Vantongeren",
            agreed=True,
        )

        with pytest.raises(services.LinkClosedError):
            services.consent_sign(
                actor=signer, consent_request=stale, typed_name="Marisol Vantongeren", agreed=True
            )

        assert SignedConsent.objects.count() == 1

    def test_it_expires(self) -> None:
        ConsentRequest.objects.filter(pk=self.consent_request.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )

        shown = self.client.get(self.url)
        posted = self.client.post(self.url, SIGN)

        for response in (shown, posted):
            self.assertContains(response, USED, status_code=410)
            self.assertNotContains(response, "First paragraph", status_code=410)
        assert not SignedConsent.objects.exists()

    def test_it_refuses_a_cancelled_link(self) -> None:
        ConsentRequest.objects.filter(pk=self.consent_request.pk).update(
            cancelled_at=timezone.now()
        )

        response = self.client.post(self.url, SIGN)

        self.assertContains(response, USED, status_code=410)
        assert not SignedConsent.objects.exists()

    def test_it_answers_404_to_an_unknown_link(self) -> None:
        response = self.client.get("/consent/not-a-real-token-at-all/")

        self.assertContains(response, USED, status_code=404)
        self.assertNotContains(response, "Informed consent", status_code=404)

    def test_it_keeps_the_typed_name_when_the_box_is_not_ticked(self) -> None:
        response = self.client.post(self.url, {"typed_name": "Marisol Vantongeren"})

        assert response.status_code == 200
        self.assertContains(response, 'id="id_agreed_error"')
        self.assertContains(
            response, "Tick the box to show that you have read and agree to this document."
        )
        self.assertContains(response, 'value="Marisol Vantongeren"')
        self.assertContains(response, 'aria-invalid="true"')
        assert not SignedConsent.objects.exists()
        self.consent_request.refresh_from_db()
        assert self.consent_request.is_open()

    def test_it_refuses_a_forged_checkbox_value(self) -> None:
        response = self.client.post(
            self.url, {"typed_name": "Marisol Vantongeren", "agreed": "false"}
        )

        self.assertContains(response, 'id="id_agreed_error"')
        assert not SignedConsent.objects.exists()

    def test_it_asks_for_the_typed_name(self) -> None:
        response = self.client.post(self.url, {"typed_name": "   ", "agreed": "on"})

        assert response.status_code == 200
        self.assertContains(response, 'id="id_typed_name_error"')
        self.assertContains(response, "Type your full name to sign.")
        self.assertContains(response, 'name="agreed" required aria-invalid', count=0)
        assert not SignedConsent.objects.exists()

    def test_it_refuses_a_name_that_is_too_long(self) -> None:
        long_name = "M" * 161

        response = self.client.post(self.url, {"typed_name": long_name, "agreed": "on"})

        self.assertContains(response, "at most 160 characters")
        self.assertContains(response, long_name)
        assert not SignedConsent.objects.exists()

    def test_it_signs_the_version_it_was_sent(self) -> None:
        make_document(ConsentKind.KAP, title="Informed consent for KAP", body="Version two.")

        response = self.client.get(self.url)
        self.client.post(self.url, SIGN)

        self.assertContains(response, "First paragraph.")
        signed = SignedConsent.objects.get()
        assert signed.document == self.document
        assert signed.document_sha256 == self.document.sha256

    def test_it_shows_and_records_the_partner_of_a_release(self) -> None:
        make_document(ConsentKind.ROI, title="Release of information")
        _, token = make_consent_request(
            self.record, self.therapist, ConsentKind.ROI, partner=self.partner
        )

        shown = self.client.get(f"/consent/{token}/")
        self.client.post(f"/consent/{token}/", SIGN)

        self.assertContains(shown, "Blue Ridge Psychiatry")
        assert SignedConsent.objects.get().partner == self.partner

    def test_it_writes_audit_entries_without_an_actor(self) -> None:
        self.client.get(self.url, REMOTE_ADDR="203.0.113.7")
        self.client.post(self.url, SIGN, REMOTE_ADDR="203.0.113.7")

        opened = AuditEvent.objects.get(action="consent.open")
        signed_event = AuditEvent.objects.get(action="consent.sign")
        signed = SignedConsent.objects.get()
        assert (opened.actor, opened.client_id) == (None, self.record.pk)
        assert (signed_event.actor, signed_event.client_id) == (None, self.record.pk)
        assert signed_event.object_id == str(signed.pk)
        assert signed_event.ip == "203.0.113.7"
        assert signed_event.detail == {
            "request": self.consent_request.pk,
            "kind": "kap",
            "document": self.document.pk,
            "version": 1,
            "partner": None,
        }
        assert "Marisol" not in str(signed_event.detail)

    def test_it_does_not_credit_a_staff_session_on_the_device_with_the_signature(
        self,
    ) -> None:
        # The office tablet: the therapist is signed in, the client signs.
        self.client.force_login(self.therapist)

        self.client.post(self.url, SIGN)

        event = AuditEvent.objects.get(action="consent.sign")
        assert event.actor is None
        assert event.actor_username == ""
        assert event.detail["staff_session"] == self.therapist.pk

    def test_it_needs_no_sign_in_and_refuses_other_methods(self) -> None:
        assert self.client.put(self.url).status_code == 405
        assert self.client.get(self.url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_it_stores_one_signature_when_two_submits_race() -> None:
    """Two submits of the same link at the same moment: one signature, one refusal."""
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot serve two writers at once")
    therapist = make_user("racer", Role.THERAPIST)
    client = make_client(first_name="First", last_name="Signer", assigned_therapist=therapist)
    make_document(ConsentKind.KAP)
    consent_request, _ = make_consent_request(client, therapist)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(name: str) -> None:
        from django.db import connections

        try:
            # Both load the link while it is still open, then submit together.
            seen = ConsentRequest.objects.get(pk=consent_request.pk)
            assert seen.is_open()
            barrier.wait(timeout=10)
            signer = Actor.client_on_link("203.0.113.7")
            services.consent_sign(actor=signer, consent_request=seen, typed_name=name, agreed=True)
            outcomes.append("signed")
        except services.LinkClosedError:
            outcomes.append("refused")
        except Exception as exc:  # the test reports any other failure
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads: list[Any] = [
        threading.Thread(target=submit, args=(name,)) for name in ("First Signer", "first signer")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["refused", "signed"]
    assert SignedConsent.objects.filter(client=client).count() == 1

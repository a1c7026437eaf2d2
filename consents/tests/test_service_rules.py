"""The consent services check their own values: a call that skips the form cannot sign
for the client or store text longer than its column."""

from __future__ import annotations

from accounts.actor import Actor
from audit.models import AuditEvent
from consents import services
from consents.models import ConsentKind, ConsentRequest, ConsentRevocation, SignedConsent
from consents.tests.factories import make_consent_request
from pathways.testing import BaseTestCase, make_client, make_document, make_signed_consent

NAME = "Marisol Vantongeren"


class SignServiceTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(assigned_therapist=self.therapist)
        make_document(ConsentKind.KAP)
        self.consent_request, _ = make_consent_request(self.record, self.therapist)

    def assert_nothing_signed(self) -> None:
        assert not SignedConsent.objects.exists()
        assert ConsentRequest.objects.get(pk=self.consent_request.pk).is_open()
        assert not AuditEvent.objects.filter(action="consent.sign").exists()

    def test_it_refuses_a_name_longer_than_the_signature_holds(self) -> None:
        with self.assertRaisesMessage(services.ConsentError, "at most 160 characters"):
            services.consent_sign(
                actor=Actor.client_on_link("203.0.113.7"),
                consent_request=self.consent_request,
                typed_name="M" * 161,
                agreed=True,
            )

        self.assert_nothing_signed()

    def test_only_the_client_on_the_link_signs(self) -> None:
        # A member of staff (or a scheduled task) cannot put a signature on file.
        for actor in (Actor.for_user(self.therapist, "203.0.113.7"), Actor.system()):
            with (
                self.subTest(kind=actor.kind),
                self.assertRaisesMessage(services.ConsentError, "Only the client"),
            ):
                services.consent_sign(
                    actor=actor, consent_request=self.consent_request, typed_name=NAME, agreed=True
                )

        self.assert_nothing_signed()


class RevokeServiceTestCase(BaseTestCase):
    def test_it_refuses_a_reason_longer_than_the_revocation_holds(self) -> None:
        signed = make_signed_consent(make_client(assigned_therapist=self.therapist))

        with self.assertRaisesMessage(services.ConsentError, "300 characters or fewer"):
            services.consent_revoke(
                actor=Actor.for_user(self.therapist), signed=signed, reason="x" * 301
            )

        assert not ConsentRevocation.objects.exists()
        assert not AuditEvent.objects.filter(action="consent.revoke").exists()

"""The typed signature must be the client's name on file, case and accents aside; a
refusal is shown beside the name field and never says what the name on file is."""

from __future__ import annotations

from accounts.actor import Actor
from audit.models import AuditEvent
from consents import services
from consents.models import ConsentKind, SignedConsent
from consents.names import name_matches, normalise
from consents.tests.factories import make_consent_request
from pathways.testing import BaseTestCase, make_client, make_document


class NameMatchTestCase(BaseTestCase):
    def test_it_normalises_case_accents_and_spaces(self) -> None:
        assert normalise("  JOSÉ   Núñez-Ávila ") == ["jose", "nunez-avila"]
        assert normalise("Zoë O’Brien") == ["zoe", "o'brien"]

    def test_it_accepts_the_name_on_file_whatever_the_case_and_accents(self) -> None:
        for typed in ("Jordan Rivera", "jordan rivera", "  JORDAN   RIVERA ", "Jördan Rívera"):
            with self.subTest(typed=typed):
                assert name_matches(typed, first_name="Jordan", last_name="Rivera")
        assert name_matches("Jose Nunez", first_name="José", last_name="Núñez")

    def test_it_refuses_initials_and_other_names(self) -> None:
        for typed in (
            "J R",
            "J. Rivera",
            "Jordan R",
            "Jordan",
            "Rivera",
            "Jordan Riviera",
            "Rivera Jordan",
        ):
            with self.subTest(typed=typed):
                assert not name_matches(typed, first_name="Jordan", last_name="Rivera")

    def test_it_lets_a_middle_name_on_file_be_left_out_or_given(self) -> None:
        on_file = {"first_name": "Jordan Alex", "last_name": "Rivera"}
        for typed in (
            "Jordan Rivera",
            "Jordan Alex Rivera",
            "Jordan A. Rivera",
            "jordan a rivera",
        ):
            with self.subTest(typed=typed):
                assert name_matches(typed, **on_file)
        for typed in ("Jordan Sam Rivera", "Alex Rivera", "Jordan Alex"):
            with self.subTest(typed=typed):
                assert not name_matches(typed, **on_file)

    def test_it_needs_the_whole_last_name(self) -> None:
        on_file = {"first_name": "Ana", "last_name": "de la Cruz"}
        assert name_matches("Ana de la Cruz", **on_file)
        assert name_matches("ANA DE LA CRUZ", **on_file)
        assert not name_matches("Ana Cruz", **on_file)


class SignNameTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Jordan", last_name="Rivera", assigned_therapist=self.therapist
        )
        make_document(ConsentKind.KAP)
        self.consent_request, token = make_consent_request(self.record, self.therapist)
        self.url = f"/consent/{token}/"

    def test_it_refuses_initials_beside_the_field_without_the_name_on_file(self) -> None:
        response = self.client.post(self.url, {"typed_name": "J R", "agreed": "on"})

        assert response.status_code == 200
        self.assertContains(response, 'id="id_typed_name_error"')
        self.assertContains(response, "does not match the name the practice has on file")
        self.assertContains(response, 'value="J R"')
        self.assertNotContains(response, "Jordan")
        self.assertNotContains(response, "Rivera")
        assert not SignedConsent.objects.exists()
        self.consent_request.refresh_from_db()
        assert self.consent_request.is_open()

    def test_it_audits_the_refusal_without_the_name(self) -> None:
        self.client.post(self.url, {"typed_name": "J R", "agreed": "on"})

        event = AuditEvent.objects.get(action="consent.sign_refused")
        assert event.client_id == self.record.pk
        assert event.detail == {"reason": "name_mismatch"}

    def test_it_signs_with_the_name_in_another_case_and_keeps_what_was_typed(self) -> None:
        response = self.client.post(self.url, {"typed_name": "jordan RIVERA", "agreed": "on"})

        assert response.status_code == 302
        assert SignedConsent.objects.get().typed_name == "jordan RIVERA"

    def test_the_service_refuses_a_wrong_name_whatever_the_caller(self) -> None:
        with self.assertRaises(services.NameMismatchError):
            services.consent_sign(
                actor=Actor.client_on_link("203.0.113.7"),
                consent_request=self.consent_request,
                typed_name="Someone Else",
                agreed=True,
            )

        assert not SignedConsent.objects.exists()

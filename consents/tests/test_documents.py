"""Consent documents are versioned and immutable; so is a signed copy."""

from __future__ import annotations

import hashlib

import pytest

from audit.models import AuditEvent
from consents.models import ConsentDocument, ConsentKind, ImmutableError, SignedConsent
from pathways.testing import BaseTestCase, make_client, make_document, make_signed_consent

ADMIN_URL = "/admin/consents/consentdocument/"


class DocumentVersionTestCase(BaseTestCase):
    def test_it_numbers_the_versions_of_each_kind(self) -> None:
        first = make_document(ConsentKind.KAP)
        second = make_document(ConsentKind.KAP, body="Clearer wording.")
        other = make_document(ConsentKind.TELEHEALTH)

        assert (first.version, second.version, other.version) == (1, 2, 1)
        assert ConsentDocument.latest(ConsentKind.KAP) == second
        assert ConsentDocument.latest(ConsentKind.ROI) is None

    def test_it_refuses_to_change_a_published_version(self) -> None:
        document = make_document(ConsentKind.KAP, body="Original text.")
        document.body = "Edited text."

        with pytest.raises(ImmutableError):
            document.save()

        assert ConsentDocument.objects.get().body == "Original text."

    def test_it_hashes_exactly_what_the_signer_saw(self) -> None:
        document = make_document(ConsentKind.KAP, title="KAP consent", body="Line one.")

        expected = hashlib.sha256(b"kap\n1\nKAP consent\nLine one.").hexdigest()
        assert document.sha256 == expected

    def test_it_changes_the_hash_when_the_text_changes(self) -> None:
        first = make_document(ConsentKind.KAP, title="KAP consent", body="Line one.")
        second = make_document(ConsentKind.KAP, title="KAP consent", body="Line one!")

        assert first.sha256 != second.sha256
        assert len(first.sha256) == 64


class SignedCopyImmutableTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.signed = make_signed_consent(make_client(), typed_name="Bob Client")

    def test_it_refuses_to_change_a_signed_copy(self) -> None:
        self.signed.typed_name = "Someone Else"

        with pytest.raises(ImmutableError):
            self.signed.save()
        with pytest.raises(ImmutableError):
            SignedConsent.objects.filter(pk=self.signed.pk).update(typed_name="Someone Else")

        assert SignedConsent.objects.get().typed_name == "Bob Client"

    def test_it_refuses_to_delete_a_signed_copy(self) -> None:
        with pytest.raises(ImmutableError):
            self.signed.delete()
        with pytest.raises(ImmutableError):
            SignedConsent.objects.all().delete()

        assert SignedConsent.objects.count() == 1


class DocumentAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.document = make_document(ConsentKind.KAP, title="KAP consent", body="Version one.")
        self.client.force_login(self.admin)

    def test_it_lists_the_versions(self) -> None:
        make_document(ConsentKind.KAP, title="KAP consent", body="Version two.")

        response = self.client.get(ADMIN_URL)

        assert response.status_code == 200
        self.assertContains(response, '<td class="field-version">1</td>', html=True)
        self.assertContains(response, '<td class="field-version">2</td>', html=True)
        self.assertContains(
            response, '<td class="field-title">KAP consent</td>', html=True, count=2
        )

    def test_it_adds_a_new_version_numbered_and_signed_by_the_admin(self) -> None:
        response = self.client.post(
            f"{ADMIN_URL}add/",
            {"kind": ConsentKind.KAP, "title": "KAP consent", "body": "Version two."},
        )

        assert response.status_code == 302
        latest = ConsentDocument.latest(ConsentKind.KAP)
        assert latest is not None
        assert (latest.version, latest.body, latest.created_by) == (2, "Version two.", self.admin)
        event = AuditEvent.objects.get(action="consent_document.create")
        assert (event.actor, event.object_id) == (self.admin, str(latest.pk))
        assert ConsentDocument.objects.get(pk=self.document.pk).body == "Version one."

    def test_it_starts_a_new_version_from_an_existing_text(self) -> None:
        response = self.client.get(f"{ADMIN_URL}add/?from={self.document.pk}")

        assert response.status_code == 200
        self.assertContains(response, "Version one.</textarea>")

    def test_it_shows_a_version_read_only(self) -> None:
        response = self.client.get(f"{ADMIN_URL}{self.document.pk}/change/")

        assert response.status_code == 200
        self.assertContains(response, "Version one.")
        self.assertContains(response, self.document.sha256)
        self.assertContains(response, "Start a new version from this text")
        self.assertNotContains(response, 'name="body"')
        self.assertNotContains(response, 'name="_save"')

    def test_it_refuses_to_change_a_version(self) -> None:
        response = self.client.post(
            f"{ADMIN_URL}{self.document.pk}/change/",
            {"kind": ConsentKind.KAP, "title": "KAP consent", "body": "Rewritten."},
        )

        assert response.status_code == 403
        assert ConsentDocument.objects.get(pk=self.document.pk).body == "Version one."

    def test_it_refuses_to_delete_a_version(self) -> None:
        response = self.client.post(f"{ADMIN_URL}{self.document.pk}/delete/", {"post": "yes"})

        assert response.status_code == 403
        assert ConsentDocument.objects.filter(pk=self.document.pk).exists()

    def test_it_keeps_signatures_and_links_out_of_the_admin(self) -> None:
        for model in ("signedconsent", "consentrequest", "consentrevocation"):
            with self.subTest(model=model):
                assert self.client.get(f"/admin/consents/{model}/").status_code == 404

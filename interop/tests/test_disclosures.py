"""The FHIR exports in the accounting of disclosures (issue 13): a download of the
Bundle from the chart names who downloaded it and why; each answer of the partner API
that carries a client's data is one disclosure per client, to the organisation and its
prescriber under the release in force; a refusal records none. Both are written in the
transaction of the call's audit entry."""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.test import Client as Browser
from django.urls import reverse

from accounts.actor import Actor
from audit.models import AuditEvent
from clients.models import Client
from consents.models import ConsentKind, SignedConsent
from consents.services import consent_revoke
from interop.api import READ_ACTION, SEARCH_ACTION
from interop.models import ApiToken
from interop.tests.support import KapRecord, kap_record
from interop.tokens import api_token_issue, api_token_revoke
from interop.views import EXPORT_ACTION
from partners.models import Disclosure, DisclosureChannel, DisclosureKind, DisclosurePurpose
from pathways.testing import (
    BaseTestCase,
    make_client,
    make_referral,
    reauthenticate,
)

BASE = "/fhir/R4"


def release_of(client: Client, partner_id: int) -> SignedConsent:
    """The client's release of information to the partner, in force."""
    return SignedConsent.objects.in_force().get(
        client=client, document__kind=ConsentKind.ROI, partner_id=partner_id
    )


class FhirDisclosureTestCase(BaseTestCase):
    kap: KapRecord

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.kap = kap_record(cls.therapist, cls.therapist2, cls.prescriber, cls.partner)

    def disclosures(self, **match: Any) -> list[Disclosure]:
        return list(Disclosure.objects.filter(**match).order_by("pk"))


class ExportDisclosureTestCase(FhirDisclosureTestCase):
    def export(self, user: Any, **data: str) -> Any:
        browser = Browser()
        browser.force_login(user)
        reauthenticate(browser)
        return browser.post(reverse("interop:client_export", args=[self.kap.client.pk]), data)

    def test_it_names_who_downloaded_the_bundle(self) -> None:
        response = self.export(self.therapist)

        self.assertEqual(response.status_code, 200)
        [found] = self.disclosures(kind=DisclosureKind.FHIR_EXPORT)
        self.assertEqual(found.client_id, self.kap.client.pk)
        self.assertEqual(found.by, self.therapist)
        self.assertEqual(found.channel, DisclosureChannel.DOWNLOAD)
        self.assertIsNone(found.partner)
        self.assertIsNone(found.release)
        self.assertEqual(found.purpose, DisclosurePurpose.CLIENT_REQUEST)
        self.assertIn("(staff download)", found.recipient)
        self.assertIn(self.therapist.get_full_name() or "therapist", found.recipient)
        audit = AuditEvent.objects.get(action=EXPORT_ACTION)
        self.assertEqual(audit.detail["purpose"], DisclosurePurpose.CLIENT_REQUEST)

    def test_it_records_the_purpose_chosen(self) -> None:
        self.export(self.admin, purpose=DisclosurePurpose.CLIENT_COPY)

        [found] = self.disclosures(kind=DisclosureKind.FHIR_EXPORT)
        self.assertEqual((found.purpose, found.by), (DisclosurePurpose.CLIENT_COPY, self.admin))

    def test_it_refuses_a_purpose_not_on_the_list(self) -> None:
        for purpose in ("selling it", DisclosurePurpose.TREATMENT):
            with self.subTest(purpose):
                response = self.export(self.therapist, purpose=purpose)

                self.assertEqual(response.status_code, 400)
                self.assertEqual(self.disclosures(), [])
                self.assertFalse(AuditEvent.objects.filter(action=EXPORT_ACTION).exists())

    def test_it_records_no_disclosure_for_a_refused_export(self) -> None:
        response = self.export(self.therapist2)  # not the client's therapist

        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.disclosures(), [])

    def test_it_writes_the_disclosure_in_the_audit_entrys_transaction(self) -> None:
        failing = mock.patch("interop.views.disclosure_fhir_export", side_effect=RuntimeError)
        with failing, self.assertRaises(RuntimeError):
            self.export(self.therapist)

        self.assertFalse(AuditEvent.objects.filter(action=EXPORT_ACTION).exists())

    def test_it_offers_the_purposes_beside_the_button(self) -> None:
        self.client.force_login(self.therapist)
        response = self.client.get(reverse("clients:detail", args=[self.kap.client.pk]))

        self.assertContains(response, 'name="purpose"')
        self.assertContains(response, "Client request / continuity of care")
        self.assertNotContains(response, DisclosurePurpose.TREATMENT.label)


class ApiDisclosureTestCase(FhirDisclosureTestCase):
    token: ApiToken
    plaintext: str
    other_plaintext: str

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        admin = Actor.for_user(cls.admin)
        cls.token, cls.plaintext = api_token_issue(actor=admin, prescriber=cls.prescriber)
        _, cls.other_plaintext = api_token_issue(actor=admin, prescriber=cls.prescriber2)

    def call(self, path: str, token: str | None = "", **query: Any) -> Any:
        token = self.plaintext if token == "" else token
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return self.client.get(f"{BASE}/{path}", query or None, headers=headers)

    @property
    def patient_id(self) -> str:
        return f"client-{self.kap.client.pk}"

    def revoke(self, client: Client) -> None:
        consent_revoke(
            actor=Actor.for_user(self.admin),
            signed=release_of(client, self.partner.pk),
            reason="Withdrawn.",
        )

    def assert_disclosed(self, found: Disclosure, client: Client) -> None:
        self.assertEqual(found.client_id, client.pk)
        self.assertEqual(found.partner_id, self.partner.pk)
        self.assertEqual(found.by, self.prescriber)
        self.assertEqual(found.release, release_of(client, self.partner.pk))
        self.assertEqual(found.channel, DisclosureChannel.API_READ)
        self.assertEqual(found.purpose, DisclosurePurpose.TREATMENT)
        self.assertEqual(found.object_ids["api_token"], self.token.pk)
        self.assertIn("referral", found.object_ids)

    def test_it_records_a_read_of_one_resource(self) -> None:
        response = self.call(f"Patient/{self.patient_id}")

        self.assertEqual(response.status_code, 200)
        [found] = self.disclosures(kind=DisclosureKind.FHIR_API_READ)
        self.assert_disclosed(found, self.kap.client)
        self.assertEqual(AuditEvent.objects.filter(action=READ_ACTION).count(), 1)

    def test_it_records_one_disclosure_per_call(self) -> None:
        self.call("Observation", patient=self.patient_id)
        self.call("Observation", patient=self.patient_id)

        found = self.disclosures(kind=DisclosureKind.FHIR_API_READ)
        self.assertEqual(len(found), 2)
        for row in found:
            self.assert_disclosed(row, self.kap.client)

    def test_it_records_each_client_of_a_patient_list(self) -> None:
        other = make_client(first_name="Dana", last_name="Scully")
        make_referral(other, self.partner, self.therapist)  # with a release in force
        not_released = make_client(first_name="Walter", last_name="Skinner")
        make_referral(not_released, self.partner, self.therapist)
        self.revoke(not_released)

        response = self.call("Patient")

        self.assertEqual(response.status_code, 200)
        found = self.disclosures(kind=DisclosureKind.FHIR_API_READ)
        self.assertEqual(
            sorted(d.client_id for d in found), sorted([self.kap.client.pk, other.pk])
        )
        for row in found:
            self.assert_disclosed(row, Client.objects.get(pk=row.client_id))

    def test_it_records_nothing_for_an_empty_search(self) -> None:
        # No MedicationAdministration is in the record of a client with no dose.
        other = make_client(first_name="Dana", last_name="Scully")
        make_referral(other, self.partner, self.therapist)

        response = self.call("MedicationAdministration", patient=f"client-{other.pk}")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.disclosures(kind=DisclosureKind.FHIR_API_READ), [])
        self.assertTrue(AuditEvent.objects.filter(action=SEARCH_ACTION).exists())

    def test_it_records_nothing_for_a_refused_call(self) -> None:
        revoked, revoked_plaintext = api_token_issue(
            actor=Actor.for_user(self.admin), prescriber=self.prescriber
        )
        api_token_revoke(actor=Actor.for_user(self.admin), token=revoked)
        calls = {
            "no token": (401, f"Patient/{self.patient_id}", None),
            "unknown token": (401, f"Patient/{self.patient_id}", "not-a-token"),
            "revoked token": (401, f"Patient/{self.patient_id}", revoked_plaintext),
            "another partner's prescriber": (
                404,
                f"Patient/{self.patient_id}",
                self.other_plaintext,
            ),
            "no such resource": (404, "Observation/measure-response-999999", ""),
        }
        for name, (status, path, token) in calls.items():
            with self.subTest(name):
                self.assertEqual(self.call(path, token).status_code, status)
        self.assertEqual(self.call("metadata").status_code, 200)
        self.assertEqual(self.disclosures(kind=DisclosureKind.FHIR_API_READ), [])

    def test_it_records_nothing_once_the_release_is_revoked(self) -> None:
        self.revoke(self.kap.client)

        response = self.call(f"Patient/{self.patient_id}")

        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.disclosures(kind=DisclosureKind.FHIR_API_READ), [])

    def test_it_writes_the_disclosure_in_the_audit_entrys_transaction(self) -> None:
        failing = mock.patch("interop.api.disclosure_api_reads", side_effect=RuntimeError)
        with failing, self.assertRaises(RuntimeError):
            self.call(f"Patient/{self.patient_id}")

        self.assertFalse(AuditEvent.objects.filter(action=READ_ACTION).exists())

"""The partner read API (/fhir/R4/, interop.api): a prescriber's token reads the clients
referred to their organisation while the release is in force, as the Bundle builds
them; everything else is a 401 or a 404 OperationOutcome with nothing of the client;
every call is audited."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from accounts.actor import Actor
from audit.models import AuditEvent
from consents.models import ConsentKind, SignedConsent
from consents.services import consent_revoke
from interop.api import TYPES
from interop.bundle import client_bundle
from interop.models import ApiToken
from interop.tests.support import KapRecord, kap_record, parsed
from interop.tests.test_permission_matrix import API_MATRIX
from interop.tokens import api_token_issue, api_token_revoke
from measures.models import Instrument
from measures.tests.factories import make_response
from pathways.testing import BaseTestCase, make_referral, make_signed_consent, url_names

BASE = "/fhir/R4"


class ApiTestCase(BaseTestCase):
    kap: KapRecord
    token: ApiToken
    plaintext: str
    other_plaintext: str

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.kap = kap_record(cls.therapist, cls.therapist2, cls.prescriber, cls.partner)
        admin = Actor.for_user(cls.admin)
        cls.token, cls.plaintext = api_token_issue(actor=admin, prescriber=cls.prescriber)
        _, cls.other_plaintext = api_token_issue(actor=admin, prescriber=cls.prescriber2)

    @property
    def patient_id(self) -> str:
        return f"client-{self.kap.client.pk}"

    def call(self, path: str, token: str | None = "", method: str = "get", **query: Any) -> Any:
        """`path` under the base, with the token (the prescriber's unless given; None:
        no Authorization header)."""
        token = self.plaintext if token == "" else token
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return getattr(self.client, method)(f"{BASE}/{path}", query or None, headers=headers)

    def resource(self, response: Any) -> Any:
        """The body, parsed with fhir.resources by its own resourceType (so a body that
        does not validate fails the test), and checked as the API's answer."""
        self.assertEqual(response["Content-Type"], "application/fhir+json")
        # no-store, from the view (NoStoreMiddleware adds its own words to a POST's).
        self.assertIn("no-store", response["Cache-Control"])
        data = json.loads(response.content)
        return get_fhir_model_class(data["resourceType"]).model_validate(data)

    def assert_refused(self, response: Any, status: int) -> None:
        self.assertEqual(response.status_code, status)
        outcome = self.resource(response)
        self.assertEqual(outcome.get_resource_type(), "OperationOutcome")
        body = response.content.decode()
        for phi in (self.kap.client.last_name, self.kap.client.first_name, self.kap.client.email):
            self.assertNotIn(phi, body)
        if status == 401:
            self.assertTrue(response["WWW-Authenticate"].startswith("Bearer"))

    def revoke_release(self) -> None:
        for release in SignedConsent.objects.in_force().filter(
            client=self.kap.client, document__kind=ConsentKind.ROI
        ):
            consent_revoke(actor=Actor.for_user(self.admin), signed=release, reason="Withdrawn.")

    def bundle_resources(self, kind: str) -> dict[str, dict[str, Any]]:
        found = parsed(client_bundle(client=self.kap.client).model_dump_json())
        return {key: data for key, data in found.items() if key.startswith(f"{kind}/")}


class ReadTestCase(ApiTestCase):
    def test_it_reads_its_partners_referred_client(self) -> None:
        response = self.call(f"Patient/{self.patient_id}")

        self.assertEqual(response.status_code, 200)
        patient = self.resource(response)
        self.assertEqual(patient.id, self.patient_id)
        self.assertEqual(patient.name[0].family, self.kap.client.last_name)
        self.token.refresh_from_db()
        self.assertIsNotNone(self.token.last_used_at)

    def test_it_serves_each_type_with_the_bundles_ids_and_content(self) -> None:
        for kind in TYPES:
            with self.subTest(kind=kind):
                expected = self.bundle_resources(kind)
                query = (
                    {"_id": self.patient_id} if kind == "Patient" else {"patient": self.patient_id}
                )

                response = self.call(kind, **query)

                self.assertEqual(response.status_code, 200)
                bundle = self.resource(response)
                self.assertEqual(bundle.type, "searchset")
                found = {
                    f"{kind}/{e.resource.id}": e.resource.model_dump(mode="json")
                    for e in bundle.entry or []
                }
                self.assertTrue(expected)
                self.assertEqual(set(found), set(expected))
                key = sorted(found)[0]
                read = self.resource(self.call(key))
                self.assertEqual(read.model_dump(mode="json"), expected[key])

    def test_it_serves_nothing_of_another_organisations_referral_or_release(self) -> None:
        theirs = make_signed_consent(self.kap.client, ConsentKind.ROI, self.partner2)
        referral = make_referral(self.kap.client, self.partner2, self.therapist, release=theirs)

        consents = self.resource(self.call("Consent", patient=self.patient_id))
        requests = self.resource(self.call("ServiceRequest", patient=self.patient_id))

        self.assertIn(f"Consent/consent-{theirs.pk}", self.bundle_resources("Consent"))
        self.assertNotIn(f"consent-{theirs.pk}", [e.resource.id for e in consents.entry])
        self.assertNotIn(f"referral-{referral.pk}", [e.resource.id for e in requests.entry])
        self.assert_refused(self.call(f"Consent/consent-{theirs.pk}"), 404)
        # Their own token reads them.
        self.assertEqual(
            self.call(f"Consent/consent-{theirs.pk}", token=self.other_plaintext).status_code, 200
        )

    def test_it_lists_the_patients_shared_with_the_organisation(self) -> None:
        mine = self.resource(self.call("Patient"))
        theirs = self.resource(self.call("Patient", token=self.other_plaintext))

        self.assertEqual([e.resource.id for e in mine.entry], [self.patient_id])
        self.assertEqual(theirs.total, 0)

    def test_it_answers_404_for_another_partners_client(self) -> None:
        for path, query in (
            (f"Patient/{self.patient_id}", {}),
            (f"Observation/measure-response-{self.kap.phq9.pk}-total", {}),
            ("Observation", {"patient": self.patient_id}),
        ):
            with self.subTest(path=path):
                response = self.call(path, token=self.other_plaintext, **query)

                self.assert_refused(response, 404)

    def test_it_answers_404_once_the_release_is_revoked(self) -> None:
        path = f"Patient/{self.patient_id}"
        self.assertEqual(self.call(path).status_code, 200)

        self.revoke_release()

        self.assert_refused(self.call(path), 404)
        self.assert_refused(self.call("Observation", patient=self.patient_id), 404)
        self.assertEqual(self.resource(self.call("Patient")).total, 0)

    def test_it_answers_404_for_what_does_not_exist(self) -> None:
        for path in (
            "Patient/client-999999",
            "Observation/measure-response-999999-total",
            f"Observation/{self.patient_id}",
            "Patient/not-an-id",
            "Condition/diagnosis-1",
            "Patient/client-1/_history/2",
            "",
        ):
            with self.subTest(path=path):
                self.assert_refused(self.call(path), 404)

    def test_it_refuses_a_search_it_does_not_support(self) -> None:
        self.assert_refused(self.call("Observation"), 400)
        self.assert_refused(self.call("Observation", patient=self.patient_id, code="x"), 400)


class TokenTestCase(ApiTestCase):
    def test_it_answers_401_without_a_valid_token_never_a_sign_in_page(self) -> None:
        path = f"Patient/{self.patient_id}"
        expired, expired_plain = api_token_issue(
            actor=Actor.for_user(self.admin), prescriber=self.prescriber, days=1
        )
        ApiToken.objects.filter(pk=expired.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
        revoked, revoked_plain = api_token_issue(
            actor=Actor.for_user(self.admin), prescriber=self.prescriber, days=1
        )
        api_token_revoke(actor=Actor.for_user(self.admin), token=revoked)
        for name, token in (
            ("anonymous", None),
            ("empty", ""),
            ("unknown", "x" * 43),
            ("expired", expired_plain),
            ("revoked", revoked_plain),
            ("its hash", self.token.token_hash),
        ):
            with self.subTest(name=name):
                response = self.call(path, token=token or (None if token is None else " "))

                self.assert_refused(response, 401)

    def test_it_does_not_take_a_session_for_a_token(self) -> None:
        self.client.force_login(self.admin)

        self.assert_refused(self.call(f"Patient/{self.patient_id}", token=None), 401)

    def test_it_stops_a_token_whose_prescriber_is_deactivated(self) -> None:
        self.prescriber.is_active = False
        self.prescriber.save()

        self.assert_refused(self.call(f"Patient/{self.patient_id}"), 401)

    def test_it_answers_405_to_anything_but_get(self) -> None:
        for method in ("post", "put", "patch", "delete"):
            with self.subTest(method=method):
                response = self.call(f"Patient/{self.patient_id}", method=method)

                self.assert_refused(response, 405)
                self.assertEqual(response["Allow"], "GET")
        self.assert_refused(self.call("metadata", token=None, method="post"), 405)

    def test_it_answers_405_not_a_csrf_page_to_a_post(self) -> None:
        # No cookie authenticates here: the API is exempt from CSRF, and says 405.
        self.client = Client(enforce_csrf_checks=True)

        self.assert_refused(self.call(f"Patient/{self.patient_id}", method="post"), 405)


class MetadataTestCase(ApiTestCase):
    def test_it_answers_a_capability_statement_without_a_token(self) -> None:
        response = self.call("metadata", token=None)

        self.assertEqual(response.status_code, 200)
        statement = CapabilityStatement.model_validate_json(response.content)
        self.assertEqual(statement.kind, "instance")
        rest = (statement.rest or [])[0]
        served = {r.type: [i.code for i in r.interaction or []] for r in rest.resource or []}
        self.assertEqual(set(served), set(TYPES))
        self.assertEqual(set(served["Observation"]), {"read", "search-type"})


class AuditTestCase(ApiTestCase):
    def test_it_audits_reads_searches_and_refusals(self) -> None:
        before = AuditEvent.objects.count()

        self.call(f"Patient/{self.patient_id}")
        self.call("Observation", patient=self.patient_id)
        self.call(f"Patient/{self.patient_id}", token=self.other_plaintext)
        self.call(f"Patient/{self.patient_id}", token=None)

        events = list(AuditEvent.objects.order_by("pk")[before:])
        self.assertEqual(
            [(e.action, e.actor_username, e.client_id) for e in events],
            [
                ("fhir.api_read", "prescriber", self.kap.client.pk),
                ("fhir.api_search", "prescriber", self.kap.client.pk),
                ("fhir.api_refused", "prescriber2", None),
                ("fhir.api_refused", "", None),
            ],
        )
        self.assertEqual(events[0].detail["resource"], f"Patient/{self.patient_id}")
        self.assertEqual(events[0].object_id, str(self.token.pk))
        self.assertEqual(events[2].detail["status"], 404)
        self.assertEqual(events[3].detail["reason"], "no_token")
        self.assertTrue(all(e.ip for e in events))
        self.assertNotIn(self.plaintext, str([e.detail for e in events]))


class QueryCountTestCase(ApiTestCase):
    def queries_for_search(self) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.call("Observation", patient=self.patient_id)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_it_reads_the_same_number_of_queries_for_2_and_20_observations(self) -> None:
        phq9 = Instrument.objects.get(code="phq9")
        self.assertEqual(self.kap.client.measure_responses.count(), 2)
        with_two = self.queries_for_search()

        for day in range(18):
            make_response(self.kap.client, phq9, timezone.now() - dt.timedelta(days=day + 2))
        with_twenty = self.queries_for_search()

        self.assertEqual(self.kap.client.measure_responses.count(), 20)
        self.assertEqual(with_twenty, with_two)


class ApiMatrixTestCase(ApiTestCase):
    """The API's permission matrix (interop/tests/test_permission_matrix.py's API_MATRIX):
    every URL with every state of a token."""

    def urls(self) -> dict[str, str]:
        return {
            "fhir:metadata": "metadata",
            "fhir:read": f"Observation/measure-response-{self.kap.phq9.pk}-total",
            "fhir:search": f"MedicationAdministration?patient={self.patient_id}",
            "fhir:unknown": f"Patient/{self.patient_id}/$everything",
        }

    def test_it_names_every_url_of_the_api(self) -> None:
        self.assertEqual(set(API_MATRIX), url_names(("fhir/",)))
        self.assertEqual(set(self.urls()), set(API_MATRIX))

    def test_it_gives_each_token_what_it_may_have(self) -> None:
        other, revoked, expired = (
            self.other_plaintext,
            self.spent("revoked"),
            self.spent("expired"),
        )
        # (token, metadata, read, search, unknown); "release" runs after revoking it.
        states: dict[str, tuple[str | None, list[int]]] = {
            "valid": (self.plaintext, [200, 200, 200, 404]),
            "anonymous": (None, [200, 401, 401, 401]),
            "another partner's": (other, [200, 404, 404, 404]),
            "revoked token": (revoked, [200, 401, 401, 401]),
            "expired token": (expired, [200, 401, 401, 401]),
            "revoked release": (self.plaintext, [200, 404, 404, 404]),
        }
        for state, (token, statuses) in states.items():
            if state == "revoked release":
                self.revoke_release()
            for (name, path), status in zip(self.urls().items(), statuses, strict=True):
                with self.subTest(state=state, url=name):
                    response = self.client.get(
                        f"{BASE}/{path}",
                        headers={"Authorization": f"Bearer {token}"} if token else {},
                    )
                    if status == 200:
                        self.assertEqual(response.status_code, 200)
                        self.resource(response)
                    else:
                        self.assert_refused(response, status)

    def spent(self, how: str) -> str:
        token, plaintext = api_token_issue(
            actor=Actor.for_user(self.admin), prescriber=self.prescriber, days=1
        )
        if how == "revoked":
            api_token_revoke(actor=Actor.for_user(self.admin), token=token)
        else:
            ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
        return plaintext

"""Import from a FHIR Bundle on the client chart: upload → preview (nothing stored) →
confirm (stored through the measures and clients services, audited), with whatever
cannot be imported listed with its reason; for the admin and the assigned therapist."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.urls import reverse
from django.utils import timezone

from accounts.actor import Actor
from audit.models import AuditEvent
from clients.models import ReportedMedication
from interop import importing
from interop.bundle import client_bundle
from interop.tests.import_support import ImportCase, _coded, bundle, measure, medication, phq9
from measures.models import Instrument, Response, SafetyAlert
from measures.paper import paper_record
from pathways.testing import make_grant, name_for_break_glass


class ImportTestCase(ImportCase):
    # --- The round trip, preview and confirm ------------------------------------

    def test_it_round_trips_an_exported_bundle_into_another_client(self) -> None:
        exported = client_bundle(client=self.kap.client).model_dump_json().encode()

        response = self.imported(exported)

        self.assertRedirects(
            response, self.newcomer.get_absolute_url(), fetch_redirect_response=False
        )
        ours = sorted(
            (r.instrument.code, r.total, r.answered_at)
            for r in Response.objects.filter(client=self.kap.client)
        )
        theirs = sorted(
            (r.instrument.code, r.total, r.answered_at)
            for r in Response.objects.filter(client=self.newcomer)
        )
        self.assertEqual(theirs, ours)
        self.assertEqual(
            list(
                ReportedMedication.objects.filter(client=self.newcomer).values_list("name", "dose")
            ),
            [("Sertraline", "100 mg once a day")],
        )

    def test_it_stores_nothing_on_preview(self) -> None:
        data = bundle(*phq9(self.when, q1=2, q2=3), medication("Lithium"))

        response = self.preview(data)

        self.assertContains(response, "Nothing has been stored yet")
        self.assertContains(response, "PHQ-9")
        self.assertContains(response, "Lithium")
        self.assertFalse(Response.objects.filter(client=self.newcomer).exists())
        self.assertFalse(ReportedMedication.objects.filter(client=self.newcomer).exists())
        self.assertFalse(AuditEvent.objects.filter(action=importing.IMPORT_ACTION).exists())
        self.assertTrue(AuditEvent.objects.filter(action=importing.PREVIEW_ACTION).exists())
        self.assertNotIn(b"Lithium", json.dumps(dict(self.client.session)).encode())

    def test_it_stores_and_audits_on_confirm(self) -> None:
        data = bundle(*phq9(self.when, q1=2, q2=3), medication("Lithium"))

        self.imported(data, user=self.admin)

        stored = Response.objects.get(client=self.newcomer)
        self.assertEqual(
            (stored.total, stored.answered_at, stored.entered_by), (5, self.when, self.admin)
        )
        entry = AuditEvent.objects.get(action=importing.IMPORT_ACTION)
        self.assertEqual(entry.detail["source"], "imported from FHIR")
        self.assertEqual(entry.detail["responses"], [stored.pk])
        self.assertEqual(entry.actor, self.admin)
        self.assertTrue(
            AuditEvent.objects.filter(
                action=importing.MEASURE_ACTION, client_id=self.newcomer.pk
            ).exists()
        )
        self.assertTrue(
            ReportedMedication.objects.filter(client=self.newcomer, name="Lithium").exists()
        )

    def test_it_notes_a_total_that_differs_from_ours(self) -> None:
        response = self.preview(bundle(*phq9(self.when, total=9, q1=2, q2=3)))

        self.assertContains(response, "total differs from ours; ours is stored")

    def test_it_refuses_a_confirm_of_another_file_than_the_one_previewed(self) -> None:
        browser = self.browser_as(self.therapist)
        self.preview(bundle(*phq9(self.when)), browser=browser)

        response = self.confirm(browser, bundle(*phq9(self.when - dt.timedelta(days=1))))

        self.assertContains(response, "This is not the file you previewed")
        self.assertFalse(Response.objects.filter(client=self.newcomer).exists())

    def test_it_raises_the_safety_alert_for_item_9_as_paper_entry_does(self) -> None:
        _paper, alerts = paper_record(
            actor=Actor.for_user(self.therapist),
            client=self.kap.client,
            instrument=Instrument.objects.get(code="phq9"),
            answers={**{str(n): 0 for n in range(1, 9)}, "9": 1},
            answered_on=timezone.localdate(),
        )

        self.imported(bundle(*phq9(self.when, total=1, q9=1)))

        imported = Response.objects.get(client=self.newcomer)
        alert = SafetyAlert.objects.get(response=imported)
        self.assertEqual(len(alerts), 1)
        self.assertEqual((alert.item, alert.value), (alerts[0].item, alerts[0].value))

    # --- What is skipped, and why -------------------------------------------------

    def test_it_answers_a_file_that_is_not_a_bundle_beside_the_field(self) -> None:
        for data, reason in (
            (b"\x89PNG not json", "not JSON"),
            (b'{"resourceType": "Patient"}', "not a FHIR Bundle"),
            (b"[1, 2]", "not a FHIR Bundle"),
            (b'{"resourceType": "Bundle", "entry": 3}', "not a list"),
            (b" " * (importing.MAX_BYTES + 1), "larger than 5 MB"),
        ):
            with self.subTest(reason=reason):
                response = self.preview(data)

                self.assertContains(response, reason)
                self.assertContains(response, 'aria-invalid="true"')
        self.assertFalse(AuditEvent.objects.filter(action=importing.PREVIEW_ACTION).exists())

    def test_it_lists_each_bad_resource_with_its_reason_and_keeps_the_rest(self) -> None:
        Response.objects.create(
            client=self.newcomer,
            instrument=Instrument.objects.get(code="phq9"),
            definition_version="1",
            source="paper",
            answers={str(n): 0 for n in range(1, 10)},
            total=0,
            band_key="minimal",
            band_label="Minimal",
            answered_at=self.when - dt.timedelta(days=9),
        )
        future = timezone.now() + dt.timedelta(days=3)
        cases = {
            "is not one of our instruments' codes": measure(
                "phq9", {"1": 0}, self.when, key="u", panel="12345-6"
            ),
            "items missing (9)": phq9(self.when - dt.timedelta(days=1), key="m")[:1],
            "out of range (0–3)": phq9(self.when - dt.timedelta(days=2), key="r", q3=7),
            "dated in the future": phq9(future, key="f"),
            "before the instrument was published": phq9("1999-03-01", key="p"),
            "already stored": phq9(self.when - dt.timedelta(days=9), key="d"),
            "Patient ×1: Not imported": [{"resourceType": "Patient", "id": "p"}],
            "QuestionnaireResponse q: Its form (none) is not one of our instruments": [
                {"resourceType": "QuestionnaireResponse", "id": "q", "status": "completed"}
            ],
            "PCL-5 has no verified LOINC code": [
                {
                    "resourceType": "Observation",
                    "id": "pcl",
                    "status": "final",
                    "code": {"text": "PCL-5 total score"},
                    "valueInteger": 40,
                }
            ],
            "Not a valid FHIR R4 Observation": [{"resourceType": "Observation", "id": "x"}],
            "status stopped": [medication("Fluoxetine", status="stopped")],
        }
        # The missing-items panel is complete but one item: drop item 9's component.
        cases["items missing (9)"][0]["component"].pop()
        good = phq9(self.when, key="g", q1=1)
        for reason, resources in cases.items():
            with self.subTest(reason=reason):
                plan = importing.read_bundle(client=self.newcomer, data=bundle(*resources, *good))

                self.assertEqual([m.source_id for m in plan.measures], ["Observation g-panel"])
                self.assertTrue(
                    any(reason in f"{s.what}: {s.reason}" for s in plan.skipped), plan.skipped
                )

    def test_it_answers_odd_shapes_with_a_preview_never_an_error(self) -> None:
        panel = phq9(self.when)[0]
        odd: list[Any] = [
            [1, "x", None, {"resource": []}, {"resource": {"id": "no-type"}}],
            [{"resource": {**panel, "effectiveDateTime": "2020"}}],
            [{"resource": {**panel, "effectiveDateTime": None}}],
            [{"resource": {**panel, "component": [{"code": {"text": "?"}, "valueString": "a"}]}}],
            [
                {
                    "resource": {
                        **panel,
                        "component": [{"code": _coded("44250-9"), "valueInteger": True}],
                    }
                }
            ],
            [{"resource": {**panel, "hasMember": [{"reference": 5}]}}],
            [{"resource": {"resourceType": "MedicationStatement", "status": "active"}}],
            [{"resource": medication("x" * 500)}],
        ]
        for entries in odd:
            with self.subTest(entries=str(entries)[:60]):
                data = json.dumps({"resourceType": "Bundle", "entry": entries}).encode()

                response = self.preview(data)

                self.assertContains(response, "Skipped")
                self.assertFalse(Response.objects.filter(client=self.newcomer).exists())

    def test_it_skips_a_duplicate_within_the_file(self) -> None:
        plan = importing.read_bundle(
            client=self.newcomer, data=bundle(*phq9(self.when, key="a"), *phq9(self.when, key="b"))
        )

        self.assertEqual(len(plan.measures), 1)
        self.assertIn("already stored", plan.skipped[0].reason)

    # --- Who may import -------------------------------------------------------------

    def test_it_answers_404_to_another_therapist(self) -> None:
        for name in ("interop:client_import", "interop:client_import_confirm"):
            with self.subTest(name=name):
                response = self.browser_as(self.therapist2).post(
                    reverse(name, args=[self.newcomer.pk]),
                    {"bundle": self.upload(bundle(*phq9(self.when)))},
                )

                self.assertEqual(response.status_code, 404)
                self.assertNotIn(b"Newcomb", response.content)
        self.assertFalse(Response.objects.filter(client=self.newcomer).exists())

    def test_it_answers_404_to_a_therapist_with_emergency_access(self) -> None:
        # As for the export: emergency access is for care in the moment, not for
        # adding another provider's history to the record.
        on_call = name_for_break_glass(self.therapist2)
        make_grant(on_call, self.newcomer)

        response = self.preview(bundle(*phq9(self.when)), user=on_call)

        self.assertEqual(response.status_code, 404)

    def test_it_refuses_intake_and_the_prescriber(self) -> None:
        for user in (self.intake, self.prescriber):
            with self.subTest(role=user.role):
                response = self.preview(bundle(*phq9(self.when)), user=user)

                self.assertEqual(response.status_code, 403)
                self.assertNotIn(b"Newcomb", response.content)

"""Every resource type of issue 13 §1 is built, and each validates with fhir.resources
(R4B models) when its JSON is parsed back on its own; a Questionnaire is generated
from each instrument file; the codes the builders use are well formed."""

from __future__ import annotations

import json
from collections import Counter
from typing import ClassVar

from django.test import SimpleTestCase
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.questionnaire import Questionnaire

from interop import codes
from interop.bundle import client_bundle
from interop.questionnaires import questionnaire
from interop.tests.support import kap_record
from measures.models import Instrument
from measures.registry import load_all, loinc_check_digit_ok
from pathways.testing import BaseTestCase

ISSUE_13_TYPES = {
    "Patient",
    "Condition",
    "MedicationStatement",
    "AllergyIntolerance",
    "Observation",
    "Questionnaire",
    "QuestionnaireResponse",
    "ServiceRequest",
    "MedicationRequest",
    "MedicationAdministration",
    "Consent",
    "Appointment",
    "Encounter",
    "Procedure",
    "AdverseEvent",
    "Provenance",
}


class EveryResourceTypeTestCase(BaseTestCase):
    bundle_json: ClassVar[str]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        kap = kap_record(cls.therapist, cls.therapist2, cls.prescriber, cls.partner)
        cls.bundle_json = client_bundle(client=kap.client).model_dump_json()

    def test_it_builds_every_resource_type_of_the_issue(self) -> None:
        entries = json.loads(self.bundle_json)["entry"]

        types = Counter(entry["resource"]["resourceType"] for entry in entries)

        self.assertLessEqual(ISSUE_13_TYPES, set(types))
        # The ones the references need: the practice, the partner, the staff.
        self.assertLessEqual({"Organization", "Practitioner"}, set(types))

    def test_it_validates_each_resource_on_its_own(self) -> None:
        for entry in json.loads(self.bundle_json)["entry"]:
            data = entry["resource"]
            with self.subTest(resource=f"{data['resourceType']}/{data['id']}"):
                model = get_fhir_model_class(data["resourceType"])

                parsed = model.model_validate_json(json.dumps(data))

                self.assertEqual(parsed.model_dump(mode="json"), data)
                self.assertTrue(
                    entry["fullUrl"].endswith(f"/fhir/R4/{data['resourceType']}/{data['id']}")
                )

    def test_it_uses_no_unverified_code(self) -> None:
        # RxNorm 6130 is "unverified" in clinical-reference.md; the SNOMED CT code for
        # psychotherapy has no source there (interop.codes).
        text = self.bundle_json.lower()

        self.assertNotIn("rxnorm", text)
        self.assertNotIn('"6130"', text)
        self.assertNotIn("snomed", text)


class QuestionnaireTestCase(SimpleTestCase):
    def test_it_generates_a_questionnaire_from_each_instrument_file(self) -> None:
        for code, definition in load_all().items():
            with self.subTest(instrument=code):
                instrument = Instrument(
                    code=code,
                    name=definition["name"],
                    short_name=definition["short_name"],
                    version=definition["version"],
                    definition=definition,
                )

                built = Questionnaire.model_validate_json(
                    questionnaire(instrument).model_dump_json()
                )

                items = built.item or []
                expected = len(definition["items"]) + len(definition.get("unscored_items") or [])
                self.assertEqual(len(items), expected)
                first = definition["items"][0]
                self.assertEqual(items[0].text, first["text"])
                self.assertEqual(len(items[0].answerOption or []), len(definition["options"]))
                panel = definition["loinc"]["panel"]
                self.assertEqual([c.code for c in built.code or []], [panel] if panel else [])

    def test_it_codes_the_phq9_answers_with_their_loinc_answer_codes(self) -> None:
        definition = load_all()["phq9"]
        instrument = Instrument(
            code="phq9", name="PHQ-9", short_name="PHQ-9", version="1", definition=definition
        )

        item9 = next(i for i in questionnaire(instrument).item or [] if i.linkId == "9")

        answers = [
            (o.valueCoding.system, o.valueCoding.code)
            for o in item9.answerOption or []
            if o.valueCoding
        ]
        self.assertEqual(
            answers,
            [(codes.LOINC, c) for c in ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")],
        )
        self.assertEqual([c.code for c in item9.code or []], ["44260-8"])


class CodesTestCase(SimpleTestCase):
    def test_it_uses_well_formed_loinc_codes(self) -> None:
        used = [codes.BP_PANEL, codes.SYSTOLIC, codes.DIASTOLIC, codes.HEART_RATE, *codes.SPO2]
        for code in used:
            with self.subTest(code=code):
                self.assertTrue(loinc_check_digit_ok(code))

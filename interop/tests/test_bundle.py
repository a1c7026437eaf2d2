"""The Bundle of a KAP client, built with the project's test builders, checked field
by field against the record after a round trip through JSON (export, parse back with
fhir.resources, compare)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.utils.dateparse import parse_date, parse_datetime

from interop.bundle import client_bundle
from interop.tests.support import KapRecord, kap_record, parsed, references
from pathways.testing import BaseTestCase


def when(text: str) -> dt.datetime:
    moment = parse_datetime(text)
    assert moment is not None, text
    return moment


def codes_of(concept: dict[str, Any]) -> list[str]:
    return [coding["code"] for coding in concept.get("coding", [])]


class ClientBundleTestCase(BaseTestCase):
    kap: ClassVar[KapRecord]
    resources: ClassVar[dict[str, dict[str, Any]]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.kap = kap_record(cls.therapist, cls.therapist2, cls.prescriber, cls.partner)
        cls.resources = parsed(client_bundle(client=cls.kap.client).model_dump_json())

    def resource(self, key: str) -> dict[str, Any]:
        self.assertIn(key, self.resources)
        return self.resources[key]

    def test_it_is_a_collection_whose_references_all_resolve_inside_it(self) -> None:
        bundle = client_bundle(client=self.kap.client)
        self.assertEqual(bundle.type, "collection")
        for key, data in self.resources.items():
            for reference in references(data):
                with self.subTest(resource=key, reference=reference):
                    self.assertIn(reference, self.resources)

    def test_it_gives_the_patient_as_recorded(self) -> None:
        client = self.kap.client
        patient = self.resource(f"Patient/client-{client.pk}")

        official, usual = patient["name"]
        self.assertEqual((official["family"], official["given"]), ("Scully", ["Dana"]))
        self.assertEqual(usual, {"use": "usual", "given": ["Dee"]})
        self.assertEqual(parse_date(patient["birthDate"]), client.date_of_birth)
        self.assertEqual(
            {(t["system"], t["value"]) for t in patient["telecom"]},
            {("phone", client.phone), ("email", client.email)},
        )
        self.assertEqual(patient["address"][0]["postalCode"], "23219")
        contact = patient["contact"][0]
        self.assertEqual(contact["name"]["text"], "Margaret Scully")
        self.assertEqual(contact["relationship"][1]["text"], "Mother")
        # Nothing the practice did not record.
        self.assertNotIn("gender", patient)

    def test_it_gives_each_measure_total_with_its_loinc_code_and_band(self) -> None:
        for response, total_code in ((self.kap.phq9, "44261-6"), (self.kap.gad7, "70274-6")):
            with self.subTest(instrument=response.instrument.code):
                total = self.resource(f"Observation/measure-response-{response.pk}-total")

                self.assertEqual(codes_of(total["code"]), [total_code])
                self.assertEqual(total["valueInteger"], response.total)
                self.assertEqual(total["interpretation"][0]["text"], response.band_label)
                self.assertEqual(codes_of(total["category"][0]), ["survey"])
                self.assertEqual(when(total["effectiveDateTime"]), response.answered_at)

    def test_it_gives_phq9_item_9_and_every_item_as_a_component(self) -> None:
        phq9 = self.kap.phq9
        panel = self.resource(f"Observation/measure-response-{phq9.pk}")
        item9 = self.resource(f"Observation/measure-response-{phq9.pk}-item-9")

        self.assertEqual(codes_of(panel["code"]), ["44249-1"])
        self.assertEqual(
            [(codes_of(c["code"])[0], c["valueInteger"]) for c in panel["component"]],
            [
                (code, phq9.answers[str(n)])
                for n, code in enumerate(
                    [
                        "44250-9",
                        "44255-8",
                        "44259-0",
                        "44254-1",
                        "44251-7",
                        "44258-2",
                        "44252-5",
                        "44253-3",
                        "44260-8",
                    ],
                    start=1,
                )
            ],
        )
        self.assertEqual(codes_of(item9["code"]), ["44260-8"])
        self.assertEqual(item9["valueInteger"], 2)
        self.assertEqual(
            {m["reference"] for m in panel["hasMember"]},
            {
                f"Observation/measure-response-{phq9.pk}-total",
                f"Observation/measure-response-{phq9.pk}-item-9",
            },
        )
        self.assertEqual(
            panel["derivedFrom"],
            [{"reference": f"QuestionnaireResponse/measure-response-{phq9.pk}"}],
        )

    def test_it_gives_the_answers_as_a_questionnaire_response(self) -> None:
        phq9 = self.kap.phq9
        answered = self.resource(f"QuestionnaireResponse/measure-response-{phq9.pk}")
        questionnaire = self.resource("Questionnaire/instrument-phq9")

        self.assertTrue(answered["questionnaire"].startswith(questionnaire["url"] + "|"))
        item9 = next(i for i in answered["item"] if i["linkId"] == "9")
        # Item 9 answered 2: "More than half the days", LOINC answer LA6570-1.
        self.assertEqual(item9["answer"][0]["valueCoding"]["code"], "LA6570-1")

    def test_it_gives_the_blood_pressure_as_a_panel_of_systolic_and_diastolic(self) -> None:
        self.assertGreaterEqual(len(self.kap.vitals), 3)
        for vitals in self.kap.vitals:
            with self.subTest(vitals=vitals.pk):
                bp = self.resource(f"Observation/vitals-{vitals.pk}-bp")
                heart = self.resource(f"Observation/vitals-{vitals.pk}-heart-rate")
                spo2 = self.resource(f"Observation/vitals-{vitals.pk}-spo2")

                self.assertEqual(codes_of(bp["code"]), ["85354-9"])
                self.assertEqual(codes_of(bp["category"][0]), ["vital-signs"])
                self.assertEqual(
                    [
                        (
                            codes_of(c["code"]),
                            c["valueQuantity"]["value"],
                            c["valueQuantity"]["code"],
                        )
                        for c in bp["component"]
                    ],
                    [
                        (["8480-6"], vitals.systolic, "mm[Hg]"),
                        (["8462-4"], vitals.diastolic, "mm[Hg]"),
                    ],
                )
                self.assertEqual(when(bp["effectiveDateTime"]), vitals.taken_at)
                self.assertEqual(
                    bp["encounter"]["reference"], f"Encounter/session-{vitals.record.session_id}"
                )
                self.assertEqual(
                    (
                        codes_of(heart["code"]),
                        heart["valueQuantity"]["value"],
                        heart["valueQuantity"]["code"],
                    ),
                    (["8867-4"], vitals.heart_rate, "/min"),
                )
                self.assertEqual(codes_of(spo2["code"]), ["2708-6", "59408-5"])
                self.assertEqual(spo2["valueQuantity"]["value"], vitals.spo2)

    def test_it_gives_the_dose_with_its_giver_and_witness(self) -> None:
        dose = self.kap.dose
        given = self.resource(f"MedicationAdministration/administration-{dose.pk}")

        self.assertEqual(
            [(codes_of(p["function"]), p["actor"]["reference"]) for p in given["performer"]],
            [
                (["performer"], f"Practitioner/user-{self.therapist.pk}"),
                (["witness"], f"Practitioner/user-{self.therapist2.pk}"),
            ],
        )
        self.assertEqual(given["dosage"]["dose"]["value"], 150)
        self.assertEqual(given["dosage"]["dose"]["code"], "mg")
        self.assertEqual(when(given["effectiveDateTime"]), dose.given_at)
        self.assertEqual(
            given["request"]["reference"], f"MedicationRequest/prescription-{self.kap.rx_v2.pk}"
        )
        # No RxNorm code: it is unverified in clinical-reference.md.
        self.assertEqual(given["medicationCodeableConcept"], {"text": "Ketamine"})

    def test_it_gives_each_prescription_version_with_its_dose_route_and_validity(self) -> None:
        v1 = self.resource(f"MedicationRequest/prescription-{self.kap.rx_v1.pk}")
        v2 = self.resource(f"MedicationRequest/prescription-{self.kap.rx_v2.pk}")
        rx = self.kap.rx_v2

        self.assertEqual((v1["status"], v2["status"]), ("stopped", "active"))
        dose = v2["dosageInstruction"][0]
        self.assertEqual(dose["doseAndRate"][0]["doseQuantity"]["value"], 150)
        self.assertEqual(
            v1["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"], 100
        )
        self.assertEqual(dose["route"]["text"], rx.get_route_display())
        self.assertEqual(dose["timing"]["repeat"]["count"], rx.sessions_authorised)
        validity = v2["dispenseRequest"]["validityPeriod"]
        self.assertEqual(
            (parse_date(validity["start"][:10]), parse_date(validity["end"][:10])),
            (rx.valid_from, rx.valid_to),
        )
        self.assertEqual(
            v2["priorPrescription"]["reference"],
            f"MedicationRequest/prescription-{self.kap.rx_v1.pk}",
        )
        self.assertEqual(v2["requester"]["reference"], f"Practitioner/user-{self.prescriber.pk}")

    def test_it_gives_each_consent_with_its_period_and_revocation(self) -> None:
        kap = self.resource(f"Consent/consent-{self.kap.kap_consent.pk}")
        revoked = self.resource(f"Consent/consent-{self.kap.revoked.pk}")
        release_id = self.kap.rx_v1.referral.release_id
        release = self.resource(f"Consent/consent-{release_id}")

        self.assertEqual(kap["status"], "active")
        self.assertEqual(codes_of(kap["scope"]), ["treatment"])
        self.assertEqual(when(kap["provision"]["period"]["start"]), self.kap.kap_consent.signed_at)
        self.assertNotIn("end", kap["provision"]["period"])
        self.assertEqual(revoked["status"], "inactive")
        self.assertEqual(
            when(revoked["provision"]["period"]["end"]), self.kap.revoked.revocation.revoked_at
        )
        self.assertEqual(codes_of(release["scope"]), ["patient-privacy"])
        self.assertEqual(
            release["provision"]["actor"][0]["reference"]["reference"],
            f"Organization/partner-{self.partner.pk}",
        )

    def test_it_gives_the_referral_with_its_status_history(self) -> None:
        referral = self.kap.rx_v1.referral
        request = self.resource(f"ServiceRequest/referral-{referral.pk}")

        self.assertEqual(request["status"], "completed")
        self.assertEqual(
            request["performer"], [{"reference": f"Organization/partner-{self.partner.pk}"}]
        )
        steps = [
            self.resource(h["reference"])["activity"]["text"] for h in request["relevantHistory"]
        ]
        self.assertEqual(steps, ["Referral sent", "Evaluation scheduled", "Evaluated: eligible"])
        self.assertEqual(codes_of(request["reasonCode"][0]), ["F33.1"])

    def test_it_gives_the_adverse_event_with_the_dose_as_suspect(self) -> None:
        event = self.resource(f"AdverseEvent/adverse-event-{self.kap.event.pk}")

        self.assertEqual(event["actuality"], "actual")
        self.assertEqual(codes_of(event["severity"]), ["mild"])
        self.assertEqual(
            event["suspectEntity"][0]["instance"]["reference"],
            f"MedicationAdministration/administration-{self.kap.dose.pk}",
        )

    def test_it_gives_the_emdr_hour_as_a_procedure_in_its_encounter(self) -> None:
        procedure = self.resource(f"Procedure/emdr-{self.kap.emdr.pk}")
        visit = self.resource(f"Encounter/appointment-{self.kap.emdr_visit.pk}")

        self.assertEqual(procedure["status"], "completed")
        self.assertEqual(
            procedure["encounter"]["reference"], f"Encounter/appointment-{self.kap.emdr_visit.pk}"
        )
        self.assertEqual(visit["status"], "finished")
        self.assertEqual(visit["class"]["code"], "AMB")

    def test_it_ties_every_resource_to_the_practice(self) -> None:
        provenance = self.resource("Provenance/export")

        self.assertEqual(provenance["agent"][0]["who"], {"reference": "Organization/practice"})
        self.assertEqual(
            {t["reference"] for t in provenance["target"]},
            set(self.resources) - {"Provenance/export"},
        )

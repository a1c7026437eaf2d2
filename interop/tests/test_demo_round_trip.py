"""A round trip over the demo practice (manage.py seed_demo): each client's record is
exported, parsed back with fhir.resources and compared with the database, row for
row; dumped again, the parsed Bundle gives the same JSON."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any, ClassVar

from django.core.management import call_command
from django.test import TestCase
from django.utils.dateparse import parse_date, parse_datetime
from fhir.resources.R4B.bundle import Bundle

from bls.models import EmdrRecord
from clients.models import Allergy, Client, Diagnosis, ReportedMedication
from consents.models import SignedConsent
from dosing.models import Administration, AdverseEvent, VitalSigns
from interop.bundle import client_bundle
from interop.fhir_json import resource_json
from interop.tests.support import parsed, references
from measures.models import Response
from partners.models import Referral, ReferralEvent
from prescriptions.models import Prescription
from scheduling.models import Appointment, AppointmentStatus
from treatment.models import TreatmentSession

VISITED = (AppointmentStatus.ARRIVED, AppointmentStatus.IN_SESSION, AppointmentStatus.COMPLETED)


def safety_answers(response: Response) -> int:
    """How many of the response's answered items are safety items (PHQ-9 item 9)."""
    items = response.instrument.definition["items"]
    return sum(
        1
        for item in items
        if item.get("safety_item") and response.answers.get(str(item["number"])) is not None
    )


class DemoRoundTripTestCase(TestCase):
    bundles: ClassVar[dict[int, Bundle]]
    exports: ClassVar[dict[int, str]]
    resources: ClassVar[dict[int, dict[str, dict[str, Any]]]]

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=io.StringIO())
        cls.bundles = {client.pk: client_bundle(client=client) for client in Client.objects.all()}
        # As the chart's download writes it (interop.fhir_json), not as the library does.
        cls.exports = {pk: resource_json(bundle) for pk, bundle in cls.bundles.items()}
        cls.resources = {pk: parsed(text) for pk, text in cls.exports.items()}

    def test_it_exports_every_demo_client(self) -> None:
        self.assertEqual(set(self.exports), set(Client.objects.values_list("pk", flat=True)))
        self.assertGreaterEqual(len(self.exports), 10)

    def test_it_dumps_the_parsed_bundle_to_the_same_json(self) -> None:
        for pk, text in self.exports.items():
            with self.subTest(client=pk):
                self.assertEqual(Bundle.model_validate_json(text).model_dump_json(), text)

    def test_it_writes_the_same_json_as_fhir_resources(self) -> None:
        for pk, bundle in self.bundles.items():
            with self.subTest(client=pk):
                self.assertEqual(self.exports[pk], bundle.model_dump_json())
                for entry in bundle.entry or []:
                    assert entry.resource is not None
                    self.assertEqual(
                        resource_json(entry.resource), entry.resource.model_dump_json()
                    )

    def test_it_gives_each_patient_as_recorded(self) -> None:
        for client in Client.objects.all():
            with self.subTest(client=client.pk):
                patient = self.resources[client.pk][f"Patient/client-{client.pk}"]

                official = patient["name"][0]
                self.assertEqual(
                    (official["family"], official["given"]),
                    (client.last_name, [client.first_name]),
                )
                born = parse_date(patient["birthDate"]) if "birthDate" in patient else None
                self.assertEqual(born, client.date_of_birth)

    def test_it_gives_as_many_resources_as_the_database_has_rows(self) -> None:
        for client in Client.objects.all():
            with self.subTest(client=client.pk):
                types = Counter(key.partition("/")[0] for key in self.resources[client.pk])
                del types["Practitioner"]  # the staff it names: checked below
                self.assertEqual(dict(types), self.expected_counts(client))

    def expected_counts(self, client: Client) -> dict[str, int]:
        responses = list(Response.objects.filter(client=client).select_related("instrument"))
        vitals = VitalSigns.objects.filter(record__session__course__client=client).count()
        appointments = Appointment.objects.filter(client=client)
        visits = appointments.filter(session=None, status__in=VISITED).count()
        referrals = Referral.objects.filter(client=client)
        partners = set(referrals.values_list("partner", flat=True))
        partners |= set(
            SignedConsent.objects.filter(client=client)
            .exclude(partner=None)
            .values_list("partner", flat=True)
        )
        counts = {
            "Patient": 1,
            "Organization": 1 + len(partners),
            "Condition": Diagnosis.objects.filter(client=client).count(),
            "MedicationStatement": ReportedMedication.objects.filter(client=client).count(),
            "AllergyIntolerance": Allergy.objects.filter(client=client).count(),
            "Questionnaire": len({r.instrument_id for r in responses}),
            "QuestionnaireResponse": len(responses),
            "Observation": sum(2 + safety_answers(r) for r in responses) + 3 * vitals,
            "ServiceRequest": referrals.count(),
            # Each step of a referral, and the export's own.
            "Provenance": ReferralEvent.objects.filter(referral__client=client).count() + 1,
            "MedicationRequest": Prescription.objects.filter(client=client).count(),
            "Consent": SignedConsent.objects.filter(client=client).count(),
            "Appointment": appointments.count(),
            "Encounter": TreatmentSession.objects.filter(course__client=client).count() + visits,
            "MedicationAdministration": Administration.objects.filter(
                record__session__course__client=client
            ).count(),
            "AdverseEvent": AdverseEvent.objects.filter(
                record__session__course__client=client
            ).count(),
            "Procedure": EmdrRecord.objects.filter(session__course__client=client).count()
            + EmdrRecord.objects.filter(appointment__client=client).count(),
        }
        return {kind: count for kind, count in counts.items() if count}

    def test_it_resolves_every_reference_and_holds_only_the_staff_it_names(self) -> None:
        for pk, resources in self.resources.items():
            with self.subTest(client=pk):
                named = {ref for data in resources.values() for ref in references(data)}

                self.assertLessEqual(named, set(resources))
                staff = {key for key in resources if key.startswith("Practitioner/")}
                self.assertEqual(staff, {ref for ref in named if ref.startswith("Practitioner/")})

    def test_it_gives_each_measure_total_and_item_9_as_stored(self) -> None:
        for response in Response.objects.select_related("instrument"):
            with self.subTest(response=response.pk):
                resources = self.resources[response.client_id]
                total = resources[f"Observation/measure-response-{response.pk}-total"]

                self.assertEqual(total["valueInteger"], response.total)
                self.assertEqual(parse_datetime(total["effectiveDateTime"]), response.answered_at)
                self.assertEqual(total["interpretation"][0]["text"], response.band_label)
                if response.instrument.code == "phq9" and "9" in response.answers:
                    item9 = resources[f"Observation/measure-response-{response.pk}-item-9"]
                    self.assertEqual(item9["valueInteger"], response.answers["9"])

    def test_it_gives_each_dose_and_each_blood_pressure_as_stored(self) -> None:
        for dose in Administration.objects.select_related("record__session__course"):
            client_pk = dose.record.session.course.client_id
            given: dict[str, Any] = self.resources[client_pk][
                f"MedicationAdministration/administration-{dose.pk}"
            ]
            with self.subTest(dose=dose.pk):
                self.assertEqual(float(given["dosage"]["dose"]["value"]), float(dose.dose_mg))
                witness = given["performer"][-1]["actor"]["reference"]
                self.assertEqual(witness, f"Practitioner/user-{dose.witnessed_by_id}")
        for vitals in VitalSigns.objects.select_related("record__session__course"):
            client_pk = vitals.record.session.course.client_id
            bp = self.resources[client_pk][f"Observation/vitals-{vitals.pk}-bp"]
            with self.subTest(vitals=vitals.pk):
                values = [c["valueQuantity"]["value"] for c in bp["component"]]
                self.assertEqual(values, [vitals.systolic, vitals.diastolic])

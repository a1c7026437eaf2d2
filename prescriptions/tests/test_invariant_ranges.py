"""Issue 8 §2: per-route dose ranges, the booster against the dose, plausible limits,
modality and structured fasting and holds — in the service (a crafted call) and on
the form (beside the field, keeping what was typed)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from accounts.actor import Actor
from prescriptions import services
from prescriptions.models import Prescription
from prescriptions.ranges import dose_problems, ranges
from prescriptions.terms import PrescriptionTerms
from prescriptions.tests.helpers import RxTestCase, rx_data, rx_terms


class ServiceRangeTests(RxTestCase):
    def write(self, **overrides: Any) -> Prescription:
        return services.prescription_write(
            actor=Actor.for_user(self.prescriber),
            referral=self.referral,
            terms=rx_terms(**overrides),
        )

    def assert_refused(self, field: str, words: str, **overrides: Any) -> None:
        with self.assertRaises(services.PrescriptionError) as refused:
            self.write(**overrides)
        self.assertIn(field, refused.exception.errors)
        self.assertIn(words, refused.exception.errors[field])
        self.assertFalse(Prescription.objects.exists())

    def test_it_refuses_1000_mg_intramuscular(self) -> None:
        self.assert_refused(
            "dose_mg",
            "above the 2.5 mg/kg",
            route="intramuscular",
            weight_kg=Decimal(80),
            dose_mg=Decimal(1000),
        )

    def test_it_needs_a_weight_for_an_intramuscular_dose(self) -> None:
        self.assert_refused("weight_kg", "dosed by weight", route="intramuscular")

    def test_it_refuses_a_900_mg_booster_on_a_100_mg_sublingual_dose(self) -> None:
        self.assert_refused(
            "booster_mg",
            "The dose and the booster together",
            booster_mg=Decimal(900),
            booster_after_minutes=30,
        )

    def test_a_booster_larger_than_the_dose_needs_the_prescribers_reason(self) -> None:
        self.assert_refused(
            "range_override_reason",
            "larger than the dose",
            booster_mg=Decimal(150),
            booster_after_minutes=30,
        )
        rx = self.write(
            booster_mg=Decimal(150),
            booster_after_minutes=30,
            range_override_reason="Partial response to 100 mg at two sessions.",
        )
        self.assertEqual(rx.booster_mg, Decimal(150))

    def test_a_dose_outside_the_usual_range_needs_a_reason_and_above_the_cap_is_refused(
        self,
    ) -> None:
        self.assert_refused("range_override_reason", "outside the usual range", dose_mg=500)
        self.assert_refused(
            "dose_mg", "above the 800 mg", dose_mg=Decimal(850), range_override_reason="Because"
        )
        rx = self.write(dose_mg=Decimal(500), range_override_reason="Tolerance; titrated.")
        self.assertEqual(rx.dose_mg, Decimal(500))

    def test_it_refuses_blood_pressure_limits_of_220_over_139(self) -> None:
        with self.assertRaises(services.PrescriptionError) as refused:
            self.write(max_systolic=220, max_diastolic=139)
        self.assertIn("max_systolic", refused.exception.errors)
        self.assertIn("max_diastolic", refused.exception.errors)

    def test_it_refuses_a_lower_limit_above_the_upper(self) -> None:
        self.assert_refused(
            "max_systolic", "must be above the lowest", min_systolic=115, max_systolic=110
        )

    def test_a_booster_needs_its_interval(self) -> None:
        self.assert_refused("booster_after_minutes", "how long after", booster_mg=Decimal(50))

    def test_fasting_hours_are_required(self) -> None:
        self.assert_refused("fasting_solids_hours", "Enter the hours", fasting_solids_hours=None)

    def test_a_revision_meets_the_same_rules(self) -> None:
        rx = self.write()
        with self.assertRaises(services.PrescriptionError):
            services.prescription_revise(
                actor=Actor.for_user(self.prescriber),
                prescription=rx,
                terms=replace(PrescriptionTerms.of(rx), dose_mg=Decimal(900)),
            )
        rx.refresh_from_db()
        self.assertEqual(rx.status, "active")


class FormRangeTests(RxTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.prescriber)
        self.url = f"/partner/prescriptions/new/{self.referral.pk}/"

    def test_it_shows_a_refused_dose_beside_the_field_and_keeps_what_was_typed(self) -> None:
        response = self.client.post(
            self.url, rx_data(route="intramuscular", weight_kg="80", dose_mg="1000")
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_dose_mg_error"')
        self.assertContains(response, 'name="dose_mg" value="1000"')
        self.assertFalse(Prescription.objects.exists())

    def test_it_computes_the_dose_from_weight_and_mg_per_kg(self) -> None:
        self.client.post(
            self.url,
            rx_data(route="intramuscular", weight_kg="80", dose_mg_per_kg="0.5", dose_mg=""),
        )

        rx = Prescription.objects.get()
        self.assertEqual(rx.dose_mg, Decimal("40.0"))

    def test_it_stores_the_holds_as_structured_rows(self) -> None:
        self.client.post(
            self.url,
            rx_data(hold_1_medication="ADHD stimulants", hold_1_hours="24"),
        )

        rx = Prescription.objects.get()
        self.assertEqual(
            rx.holds,
            [
                {"medication": "Benzodiazepines", "hours": 24},
                {"medication": "ADHD stimulants", "hours": 24},
            ],
        )

    def test_a_hold_without_hours_is_refused_beside_the_field(self) -> None:
        response = self.client.post(self.url, rx_data(hold_1_medication="Opioids"))

        self.assertContains(response, "Enter how many hours to hold Opioids.")
        self.assertFalse(Prescription.objects.exists())


class RangeSettingTests(RxTestCase):
    def test_the_defaults_come_from_the_reference(self) -> None:
        self.assertEqual(ranges()["sublingual"].refuse_above_mg, Decimal(800))
        self.assertEqual(dose_problems("intranasal", Decimal(84), None), ([], []))

    @override_settings(PRESCRIPTION_DOSE_RANGES={"sublingual": {"refuse_above_mg": 600}})
    def test_the_practice_can_change_a_range(self) -> None:
        refused, _ = dose_problems("sublingual", Decimal(700), None)
        self.assertTrue(refused)

    @override_settings(PRESCRIPTION_DOSE_RANGES={"subcutaneous": {"refuse_above_mg": 6}})
    def test_an_unknown_route_in_the_setting_is_refused(self) -> None:
        with self.assertRaises(ImproperlyConfigured):
            ranges()


class ReviseKeepsHoldsTests(RxTestCase):
    def test_a_revision_starts_from_the_versions_holds_and_keeps_them(self) -> None:
        from pathways.testing import make_prescription

        holds = [
            {"medication": "Benzodiazepines", "hours": 48},
            {"medication": "ADHD stimulants", "hours": 24},
        ]
        rx = make_prescription(self.referral, self.prescriber, holds=holds, modality="kap")
        self.client.force_login(self.prescriber)
        url = f"/partner/prescriptions/{rx.pk}/revise/"

        page = self.client.get(url)
        self.assertContains(page, 'name="hold_1_medication" value="ADHD stimulants"')
        form = page.context["form"]
        data = {name: form[name].value() for name in form.fields}
        data = {k: ("" if v is None else v) for k, v in data.items()}
        data["dose_mg"] = "90"
        self.client.post(url, data)

        revised = Prescription.objects.get(version=2)
        self.assertEqual(revised.holds, holds)

"""Issue 8 §2: the prescription version in force at the moment of the write governs,
and a booster follows the prescription's rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from dosing import services
from dosing.models import Administration
from dosing.tests.support import (
    actor_as,
    add_vitals,
    ago,
    cleared,
    give_dose,
    open_record,
    revise,
)
from pathways.testing import BaseTestCase
from prescriptions.models import Prescription


class CurrentVersionGovernsTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(
            self.therapist, self.prescriber, self.partner, booster_mg=Decimal("50")
        )
        cleared(self.record, self.therapist, minutes_ago=50)

    def revise(self, **changes: Any) -> Prescription:
        return revise(self.prescriber, self.record.prescription, **changes)

    def booster(self, minutes_ago: int = 0, mg: str = "50") -> Administration:
        return services.administration_add(
            actor=actor_as(self.therapist),
            record=self.record,
            kind="booster",
            dose_mg=Decimal(mg),
            given_at=ago(minutes_ago),
            given_by=self.therapist,
            witnessed_by=self.admin,
        )

    def test_a_lower_dose_cap_applies_at_once(self) -> None:
        v2 = self.revise(dose_mg=Decimal("80"))

        with self.assertRaises(services.DosingError) as refused:
            give_dose(self.record, self.therapist, self.admin, mg="100", minutes_ago=1)
        self.assertIn("80.0 mg of prescription version 2", str(refused.exception))
        given = give_dose(self.record, self.therapist, self.admin, mg="80", minutes_ago=1)
        self.assertEqual(given.prescription, v2)

    def test_new_blood_pressure_limits_apply_to_the_baseline_already_taken(self) -> None:
        # The baseline (120/80) was in range; the revised limit puts it out of range.
        self.revise(max_systolic=110, min_systolic=90, max_diastolic=75)

        with self.assertRaises(services.DosingError) as refused:
            give_dose(self.record, self.therapist, self.admin, minutes_ago=1)
        self.assertIn("above the prescriber's limit of 110", str(refused.exception))
        self.assertFalse(Administration.objects.exists())

    def test_a_booster_the_new_version_removed_is_refused(self) -> None:
        give_dose(self.record, self.therapist, self.admin, minutes_ago=45)
        add_vitals(self.record, self.therapist, phase="monitoring", minutes_ago=3)
        self.revise(booster_mg=None, booster_after_minutes=None)

        with self.assertRaises(services.DosingError) as refused:
            self.booster()
        self.assertIn(
            "Prescription version 2 does not authorise a booster", str(refused.exception)
        )
        self.assertEqual(Administration.objects.count(), 1)

    def test_the_record_shows_the_version_that_governs(self) -> None:
        give_dose(self.record, self.therapist, self.admin, minutes_ago=45)
        self.revise(booster_mg=Decimal("40"))
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("dosing:record", args=[self.record.pk]))

        self.assertContains(response, "<strong>version 2</strong>")
        self.assertContains(response, "governed by prescription version 1")

    def test_a_kap_prescription_does_not_authorise_a_ka_emdr_dose(self) -> None:
        self.ready.course.modality = "ka_emdr"
        self.ready.course.save()
        Prescription.objects.filter(pk=self.record.prescription_id).update(modality="kap")

        with self.assertRaises(services.DosingError) as refused:
            give_dose(self.record, self.therapist, self.admin, minutes_ago=1)
        self.assertIn("not for a KA-EMDR dose", str(refused.exception))

    def test_a_dose_above_the_route_refusal_limit_is_refused_even_if_prescribed(self) -> None:
        # A legacy row written before the range checks: the dose is still refused.
        Prescription.objects.filter(pk=self.record.prescription_id).update(dose_mg=Decimal(900))

        with self.assertRaises(services.DosingError) as refused:
            give_dose(self.record, self.therapist, self.admin, mg="900", minutes_ago=1)
        self.assertIn("above the 800 mg that is refused", str(refused.exception))


class BoosterRuleTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(
            self.therapist,
            self.prescriber,
            self.partner,
            booster_mg=Decimal("50"),
            booster_after_minutes=30,
        )
        cleared(self.record, self.therapist, minutes_ago=58)

    def booster(self, at: dt.datetime | None = None, mg: str = "50") -> Administration:
        return services.administration_add(
            actor=actor_as(self.therapist),
            record=self.record,
            kind="booster",
            dose_mg=Decimal(mg),
            given_at=at or timezone.now(),
            given_by=self.therapist,
            witnessed_by=self.admin,
        )

    def test_it_gives_a_booster_after_the_interval_with_fresh_vitals_in_range(self) -> None:
        give_dose(self.record, self.therapist, self.admin, minutes_ago=40)
        add_vitals(self.record, self.therapist, phase="monitoring", minutes_ago=5)

        given = self.booster()

        self.assertEqual(given.kind, "booster")

    def test_it_refuses_a_booster_one_minute_after_the_dose(self) -> None:
        give_dose(self.record, self.therapist, self.admin, minutes_ago=2)
        add_vitals(self.record, self.therapist, phase="monitoring", minutes_ago=1)

        with self.assertRaises(services.DosingError) as refused:
            self.booster()
        self.assertIn("after 30 minutes", str(refused.exception))

    def test_it_refuses_a_booster_after_out_of_range_monitoring(self) -> None:
        give_dose(self.record, self.therapist, self.admin, minutes_ago=40)
        add_vitals(
            self.record,
            self.therapist,
            phase="monitoring",
            minutes_ago=3,
            systolic=178,
            diastolic=108,
            heart_rate=125,
            spo2=89,
        )

        with self.assertRaises(services.DosingError) as refused:
            self.booster()
        message = str(refused.exception)
        self.assertIn("Systolic BP 178", message)
        self.assertIn("SpO2 89%", message)
        self.assertEqual(Administration.objects.count(), 1)

    def test_it_refuses_a_booster_when_the_latest_set_is_too_old(self) -> None:
        give_dose(self.record, self.therapist, self.admin, minutes_ago=45)
        add_vitals(self.record, self.therapist, phase="monitoring", minutes_ago=20)

        with self.assertRaises(services.DosingError) as refused:
            self.booster()
        self.assertIn("more than 15 minutes old", str(refused.exception))

    def test_it_refuses_a_booster_without_a_set_since_the_dose(self) -> None:
        give_dose(self.record, self.therapist, self.admin, minutes_ago=45)

        with self.assertRaises(services.DosingError) as refused:
            self.booster()
        self.assertIn("Take a monitoring set after the dose", str(refused.exception))


class SelfAdministeredTests(BaseTestCase):
    """Issue 8 §7: a lozenge or troche the client takes is recorded as taken by the
    client, observed by staff (the KA-EMDR sublingual dose usually is)."""

    def setUp(self) -> None:
        self.ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        cleared(self.record, self.therapist, minutes_ago=20)

    def take(self, observer: Any) -> Administration:
        return services.administration_add(
            actor=actor_as(self.therapist),
            record=self.record,
            kind="dose",
            dose_mg=Decimal("100"),
            given_at=ago(1),
            given_by=None,
            witnessed_by=observer,
            self_administered=True,
        )

    def test_it_records_a_dose_taken_by_the_client_and_observed_by_staff(self) -> None:
        given = self.take(self.therapist)

        self.assertTrue(given.self_administered)
        self.assertIsNone(given.given_by)
        self.assertEqual(given.witnessed_by, self.therapist)

    def test_it_records_it_through_the_form(self) -> None:
        self.client.force_login(self.therapist)
        local_now = timezone.localtime(ago(1)).strftime("%Y-%m-%dT%H:%M")

        self.client.post(
            reverse("dosing:dose", args=[self.record.pk]),
            {
                "dose-dose_mg": "100",
                "dose-given_at": local_now,
                "dose-self_administered": "on",
                "dose-witnessed_by": self.therapist.pk,
            },
        )

        given = Administration.objects.get()
        self.assertTrue(given.self_administered)
        response = self.client.get(reverse("dosing:record", args=[self.record.pk]))
        self.assertContains(response, "taken by the client, observed by")

    def test_only_staff_observe(self) -> None:
        with self.assertRaises(services.DosingError):
            self.take(self.prescriber)
        self.assertFalse(Administration.objects.exists())

    def test_an_injection_cannot_be_self_administered(self) -> None:
        Prescription.objects.filter(pk=self.record.prescription_id).update(
            route="intramuscular", weight_kg=Decimal(80), dose_mg=Decimal(100)
        )

        with self.assertRaises(services.DosingError) as refused:
            self.take(self.therapist)
        self.assertIn("Only a lozenge, troche or oral dose", str(refused.exception))


class VitalsFlagsByVersionTests(BaseTestCase):
    def test_each_set_is_flagged_against_the_version_in_force_when_taken(self) -> None:
        from dosing.summary import vitals_rows

        _ready, record = open_record(self.therapist, self.prescriber, self.partner)
        earlier, _ = add_vitals(record, self.therapist, minutes_ago=20, systolic=130)
        revise(self.prescriber, record.prescription, max_systolic=125)
        later, _ = add_vitals(record, self.therapist, phase="recheck", minutes_ago=0, systolic=130)

        rows = {row.vitals.pk: row for row in vitals_rows(record)}

        self.assertNotIn("systolic", rows[earlier.pk].flags)
        self.assertIn("systolic", rows[later.pk].flags)

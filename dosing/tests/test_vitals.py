from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from dosing.models import VitalSigns
from dosing.services import DosingError
from dosing.tests.support import (
    IN_RANGE,
    add_vitals,
    ago,
    cleared,
    give_dose,
    local,
    open_record,
    post_data,
)
from dosing.vitals import flags, out_of_range, suggested_next
from pathways.testing import BaseTestCase

RX = SimpleNamespace(
    min_systolic=90,
    max_systolic=140,
    min_diastolic=50,
    max_diastolic=90,
    hr_min=50,
    hr_max=110,
    spo2_min=94,
    spo2_max=100,
)


def reading(**values: int) -> SimpleNamespace:
    return SimpleNamespace(**{**IN_RANGE, **values})


class RangeTests(BaseTestCase):
    def test_it_accepts_values_equal_to_each_limit(self) -> None:
        for values in (
            {"systolic": 140},
            {"diastolic": 90},
            {"heart_rate": 50},
            {"heart_rate": 110},
            {"spo2": 94},
        ):
            with self.subTest(values):
                self.assertEqual(out_of_range(reading(**values), RX), [])

    def test_it_flags_values_one_past_each_limit(self) -> None:
        cases = [
            (
                {"systolic": 141},
                "systolic",
                "Systolic BP 141 is above the prescriber's limit of 140 mmHg.",
            ),
            (
                {"diastolic": 91},
                "diastolic",
                "Diastolic BP 91 is above the prescriber's limit of 90 mmHg.",
            ),
            (
                {"heart_rate": 49},
                "heart_rate",
                "Heart rate 49 is below the prescriber's limit of 50/min.",
            ),
            (
                {"heart_rate": 111},
                "heart_rate",
                "Heart rate 111 is above the prescriber's limit of 110/min.",
            ),
            ({"spo2": 93}, "spo2", "SpO2 93% is below the prescriber's limit of 94%."),
        ]
        for values, field, message in cases:
            with self.subTest(values):
                self.assertEqual(out_of_range(reading(**values), RX), [message])
                self.assertEqual(list(flags(reading(**values), RX)), [field])

    def test_it_lists_every_value_out_of_range(self) -> None:
        messages = out_of_range(reading(systolic=180, diastolic=110, heart_rate=130, spo2=88), RX)

        self.assertEqual(len(messages), 4)


class SuggestionTests(BaseTestCase):
    def test_it_asks_for_a_baseline_first(self) -> None:
        self.assertEqual(suggested_next([], None).reason, "Take a baseline set before dosing.")

    def test_it_suggests_a_set_every_15_minutes(self) -> None:
        last = timezone.now()

        self.assertEqual(suggested_next([last], None).at, last + dt.timedelta(minutes=15))

    def test_it_suggests_the_40_minute_check_after_the_dose(self) -> None:
        dose = timezone.now()
        taken = [dose + dt.timedelta(minutes=m) for m in (15, 30)]

        suggestion = suggested_next(taken, dose)

        self.assertEqual(suggestion.at, dose + dt.timedelta(minutes=40))
        self.assertIn("40 minutes after the dose", suggestion.reason)

    def test_it_returns_to_every_15_minutes_once_the_40_minute_check_is_done(self) -> None:
        dose = timezone.now()
        taken = [dose + dt.timedelta(minutes=m) for m in (15, 30, 41)]

        self.assertEqual(suggested_next(taken, dose).at, dose + dt.timedelta(minutes=56))


class VitalsRecordTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        self.url = reverse("dosing:vitals", args=[self.record.pk])
        self.client.force_login(self.therapist)

    def _post(
        self, headers: dict[str, str] | None = None, follow: bool = False, **values: object
    ) -> Any:
        data = {**IN_RANGE, "phase": "baseline", "taken_at": local(ago(5)), **values}
        return self.client.post(
            self.url, post_data("vitals", **data), headers=headers or {}, follow=follow
        )

    def test_it_flags_an_out_of_range_value_on_the_page_at_once(self) -> None:
        response = self._post(headers={"HX-Request": "true"}, systolic=151)

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="flag"')
        self.assertContains(response, "Above the prescriber&#x27;s limit")
        self.assertContains(response, "Systolic BP 151 is above the prescriber")
        vitals = VitalSigns.objects.get()
        self.assertEqual(vitals.recorded_by, self.therapist)
        event = AuditEvent.objects.get(action="dosing.vitals_add")
        self.assertEqual(
            event.detail, {"vitals": vitals.pk, "phase": "baseline", "out_of_range": True}
        )

    def test_it_flags_a_low_spo2_in_the_table(self) -> None:
        self._post(spo2=91)

        response = self.client.get(reverse("dosing:record", args=[self.record.pk]))

        self.assertContains(response, 'data-flagged="true"')
        self.assertContains(response, "Below the prescriber&#x27;s limit")

    def test_it_does_not_flag_values_in_range(self) -> None:
        response = self._post(follow=True)

        self.assertNotContains(response, 'class="flag"')
        self.assertContains(response, "within the prescriber&#x27;s parameters")

    def test_it_keeps_typed_values_beside_field_errors(self) -> None:
        response = self._post(systolic="abc", heart_rate=400, notes="Calm, talkative.")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'aria-invalid="true"')
        self.assertContains(response, "Calm, talkative.")
        self.assertContains(response, 'value="400"')
        self.assertFalse(VitalSigns.objects.exists())

    def test_it_refuses_a_monitoring_set_before_the_dose(self) -> None:
        response = self._post(phase="monitoring")

        self.assertEqual(response.status_code, 200)
        self.assertFalse(VitalSigns.objects.exists())

    def test_it_refuses_a_set_in_the_future(self) -> None:
        with self.assertRaises(DosingError):
            add_vitals(self.record, self.therapist, minutes_ago=-60)

    def test_it_takes_monitoring_sets_only_after_the_dose(self) -> None:
        cleared(self.record, self.therapist)
        give_dose(self.record, self.therapist, self.admin)

        with self.assertRaises(DosingError):
            add_vitals(self.record, self.therapist, phase="recheck", minutes_ago=5)
        vitals, flagged = add_vitals(
            self.record, self.therapist, phase="monitoring", minutes_ago=5, sedation=True
        )

        self.assertEqual(vitals.phase, "monitoring")
        self.assertTrue(vitals.sedation)
        self.assertEqual(flagged, [])

    def test_it_shows_the_suggested_next_set(self) -> None:
        add_vitals(self.record, self.therapist, minutes_ago=10)

        response = self.client.get(reverse("dosing:record", args=[self.record.pk]))

        due = timezone.localtime(ago(10) + dt.timedelta(minutes=15))
        self.assertContains(response, f"Next set due: <strong>{due:%H:%M}</strong>")
        self.assertContains(response, "every 15 minutes")

"""Every bad input gets a message beside its field, keeps what was typed, and never a 500."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pathways.testing import make_prescription
from prescriptions.models import Prescription
from prescriptions.tests.helpers import RxTestCase, rx_data

TODAY = timezone.localdate()
YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()

# (field given the bad value, bad value, the field the error sits beside, part of the message)
BAD_INPUTS: list[tuple[str, str, str, str]] = [
    ("modality", "", "modality", "This field is required."),
    ("modality", "ketamine", "modality", "Select a valid choice."),
    ("dose_mg", "abc", "dose_mg", "Enter a number."),
    ("dose_mg", "100.25", "dose_mg", "no more than 1 decimal place"),
    ("dose_mg", "0", "dose_mg", "greater than or equal to 1"),
    ("dose_mg", "1500", "dose_mg", "less than or equal to 1000"),
    ("dose_mg", "801", "dose_mg", "801 mg is above the 800 mg that is refused for this route"),
    ("dose_mg", "30", "range_override_reason", "30 mg is outside the usual range"),
    ("dose_mg", "", "dose_mg", "This field is required."),
    ("booster_mg", "0", "booster_mg", "A booster dose, if given, must be at least 1 mg."),
    ("booster_mg", "-5", "booster_mg", "A booster dose, if given, must be at least 1 mg."),
    ("booster_mg", "lots", "booster_mg", "Enter a number."),
    ("booster_mg", "50", "booster_after_minutes", "Say how long after the dose a booster"),
    ("booster_after_minutes", "30", "booster_after_minutes", "Leave this empty when no booster"),
    ("sessions_authorised", "0", "sessions_authorised", "greater than or equal to 1"),
    ("sessions_authorised", "51", "sessions_authorised", "less than or equal to 50"),
    ("sessions_authorised", "2.5", "sessions_authorised", "Enter a whole number."),
    ("valid_from", "31/02/2026", "valid_from", "Enter a valid date."),
    ("valid_to", "2026-02-30", "valid_to", "Enter a valid date."),
    ("valid_to", YESTERDAY, "valid_to", "The last valid day is before the first."),
    # Intravenous is a route now, dosed by weight: without the weight it is refused.
    ("route", "intravenous", "weight_kg", "Intravenous ketamine is dosed by weight"),
    ("route", "rectal", "route", "Select a valid choice."),
    ("route", "", "route", "This field is required."),
    ("fasting_solids_hours", "", "fasting_solids_hours", "This field is required."),
    ("fasting_liquids_hours", "25", "fasting_liquids_hours", "less than or equal to 24"),
    ("fasting_liquids_hours", "6", "fasting_liquids_hours", "Clear liquids are usually allowed"),
    ("hold_0_hours", "", "hold_0_hours", "Enter how many hours to hold Benzodiazepines."),
    ("hold_0_hours", "169", "hold_0_hours", "less than or equal to 168"),
    ("hold_0_medication", "", "hold_0_medication", "Name the medication to hold."),
    # Each limit within its plausible range (prescriptions/ranges.py, LIMIT_BOUNDS).
    (
        "max_systolic",
        "181",
        "max_systolic",
        "Enter a limit from 100 to 180: 181 is not plausible.",
    ),
    ("max_systolic", "99", "max_systolic", "Enter a limit from 100 to 180: 99 is not plausible."),
    ("min_systolic", "121", "min_systolic", "Enter a limit from 70 to 120: 121 is not plausible."),
    (
        "max_diastolic",
        "111",
        "max_diastolic",
        "Enter a limit from 60 to 110: 111 is not plausible.",
    ),
    ("max_diastolic", "105", "max_diastolic", "must be below the systolic"),
    ("min_diastolic", "39", "min_diastolic", "Enter a limit from 40 to 80: 39 is not plausible."),
    ("hr_min", "39", "hr_min", "Enter a limit from 40 to 80: 39 is not plausible."),
    ("hr_min", "80", "hr_max", "The highest heart-rate limit must be above the lowest."),
    ("hr_max", "151", "hr_max", "Enter a limit from 80 to 150: 151 is not plausible."),
    ("spo2_min", "84", "spo2_min", "Enter a limit from 85 to 99: 84 is not plausible."),
    ("spo2_min", "101", "spo2_min", "less than or equal to 100"),
    ("spo2_min", "ninety", "spo2_min", "Enter a whole number."),
    ("spo2_max", "94", "spo2_max", "Enter a limit from 95 to 100: 94 is not plausible."),
    ("holds_instructions", "x" * 2001, "holds_instructions", "at most 2000 characters"),
    ("fasting_instructions", "y" * 2001, "fasting_instructions", "at most 2000 characters"),
]
# A rule between two fields needs the other one moved too.
ALSO: dict[tuple[str, str], dict[str, str]] = {
    ("max_diastolic", "105"): {"max_systolic": "105"},
    ("hr_min", "80"): {"hr_max": "80"},
}


def bad_data(field: str, value: str) -> dict[str, str]:
    data = rx_data(**{field: value, **ALSO.get((field, value), {})})
    if field == "fasting_instructions":
        data["holds_instructions"] = "No food for 4 hours before."
    return data


class ValidationTestCase(RxTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.prescriber)

    def assert_field_error(
        self, url: str, data: dict[str, str], field: str, error_field: str, message: str
    ) -> None:
        response = self.client.post(url, data)

        assert response.status_code == 200
        form = response.context["form"]
        errors = " ".join(form.errors.get(error_field, []))
        assert message in errors, (error_field, form.errors)
        self.assertContains(response, f'id="id_{error_field}_error"')
        self.assertContains(response, 'aria-invalid="true"')
        typed = data[field]
        if field.endswith("_instructions"):
            self.assertContains(response, f"{typed}</textarea>")
        elif typed and field not in ("route", "modality"):
            # (a select cannot show a choice it does not offer)
            self.assertContains(response, f'name="{field}" value="{typed}"')
        # The other answers are kept too.
        self.assertContains(response, "No food for 4 hours before.")

    def test_it_puts_each_error_beside_its_field_when_writing(self) -> None:
        url = f"/partner/prescriptions/new/{self.referral.pk}/"
        for field, value, error_field, message in BAD_INPUTS:
            with self.subTest(field=field, value=value[:20]):
                self.assert_field_error(url, bad_data(field, value), field, error_field, message)
        assert not Prescription.objects.exists()

    def test_it_puts_each_error_beside_its_field_when_revising(self) -> None:
        rx = make_prescription(self.referral, self.prescriber)
        url = f"/partner/prescriptions/{rx.pk}/revise/"
        for field, value, error_field, message in BAD_INPUTS:
            with self.subTest(field=field, value=value[:20]):
                self.assert_field_error(url, bad_data(field, value), field, error_field, message)
        assert Prescription.objects.count() == 1

    def test_it_refuses_an_end_date_already_past(self) -> None:
        url = f"/partner/prescriptions/new/{self.referral.pk}/"
        start = (TODAY - dt.timedelta(days=30)).isoformat()
        data = rx_data(valid_from=start, valid_to=YESTERDAY)

        self.assert_field_error(url, data, "valid_to", "valid_to", "already passed")

    def test_it_accepts_a_booster_larger_than_the_dose(self) -> None:
        url = f"/partner/prescriptions/new/{self.referral.pk}/"
        data = rx_data(dose_mg="50", booster_mg="75", booster_after_minutes="30")

        # Unusual (a booster is usually a fraction of the dose): accepted with a reason.
        asked = self.client.post(url, data)
        data["range_override_reason"] = "Low first dose to test tolerance; booster as planned."
        response = self.client.post(url, data)

        self.assertContains(asked, "is larger than the dose")
        assert "range_override_reason" in asked.context["form"].errors
        assert response.status_code == 302, response.context["form"].errors
        assert Prescription.objects.get().booster_mg == 75

    def test_it_accepts_the_edges_of_every_range(self) -> None:
        highs = rx_data(
            modality="ka_emdr",
            dose_mg="400",  # the top of the usual sublingual range: no reason needed
            booster_mg="1",
            booster_after_minutes="240",
            sessions_authorised="50",
            valid_to=TODAY.isoformat(),
            fasting_solids_hours="24",
            fasting_liquids_hours="24",
            hold_0_hours="168",
            min_systolic="120",
            max_systolic="180",
            min_diastolic="80",
            max_diastolic="110",
            hr_min="80",
            hr_max="150",
            spo2_min="99",
            spo2_max="100",
        )
        lows = rx_data(
            dose_mg="37.5",  # the bottom of the usual sublingual range
            booster_mg="1",
            booster_after_minutes="10",
            sessions_authorised="1",
            fasting_solids_hours="0",
            fasting_liquids_hours="0",
            hold_0_hours="1",
            min_systolic="70",
            max_systolic="100",
            min_diastolic="40",
            max_diastolic="60",
            hr_min="40",
            hr_max="80",
            spo2_min="85",
            spo2_max="95",
        )

        written = self.client.post(f"/partner/prescriptions/new/{self.referral.pk}/", highs)
        assert written.status_code == 302, written.context["form"].errors
        v1 = Prescription.objects.get()
        revised = self.client.post(f"/partner/prescriptions/{v1.pk}/revise/", lows)
        assert revised.status_code == 302, revised.context["form"].errors
        assert Prescription.objects.count() == 2

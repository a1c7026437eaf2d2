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
    ("dose_mg", "abc", "dose_mg", "Enter a number."),
    ("dose_mg", "100.25", "dose_mg", "no more than 1 decimal place"),
    ("dose_mg", "0", "dose_mg", "greater than or equal to 1"),
    ("dose_mg", "1500", "dose_mg", "less than or equal to 1000"),
    ("dose_mg", "", "dose_mg", "This field is required."),
    ("booster_mg", "0", "booster_mg", "A booster dose, if given, must be at least 1 mg."),
    ("booster_mg", "-5", "booster_mg", "A booster dose, if given, must be at least 1 mg."),
    ("booster_mg", "lots", "booster_mg", "Enter a number."),
    ("sessions_authorised", "0", "sessions_authorised", "greater than or equal to 1"),
    ("sessions_authorised", "51", "sessions_authorised", "less than or equal to 50"),
    ("sessions_authorised", "2.5", "sessions_authorised", "Enter a whole number."),
    ("valid_from", "31/02/2026", "valid_from", "Enter a valid date."),
    ("valid_to", "2026-02-30", "valid_to", "Enter a valid date."),
    ("valid_to", YESTERDAY, "valid_to", "The last valid day is before the first."),
    ("route", "intravenous", "route", "Select a valid choice."),
    ("route", "", "route", "This field is required."),
    ("max_systolic", "230", "max_systolic", "less than or equal to 220"),
    ("max_systolic", "70", "max_systolic", "greater than or equal to 80"),
    ("max_diastolic", "150", "max_diastolic", "less than or equal to 140"),
    ("max_diastolic", "140", "max_diastolic", "must be below the systolic"),
    ("hr_min", "20", "hr_min", "greater than or equal to 30"),
    ("hr_min", "110", "hr_max", "The highest heart rate must be above the lowest."),
    ("hr_max", "50", "hr_max", "The highest heart rate must be above the lowest."),
    ("hr_max", "250", "hr_max", "less than or equal to 200"),
    ("spo2_min", "79", "spo2_min", "greater than or equal to 80"),
    ("spo2_min", "101", "spo2_min", "less than or equal to 100"),
    ("spo2_min", "ninety", "spo2_min", "Enter a whole number."),
    ("holds_instructions", "x" * 2001, "holds_instructions", "at most 2000 characters"),
    ("fasting_instructions", "y" * 2001, "fasting_instructions", "at most 2000 characters"),
]


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
        elif typed and field != "route":  # a select cannot show a choice it does not offer
            self.assertContains(response, f'name="{field}" value="{typed}"')
        # The other answers are kept too.
        self.assertContains(response, "No food for 4 hours before.")

    def test_it_puts_each_error_beside_its_field_when_writing(self) -> None:
        url = f"/partner/prescriptions/new/{self.referral.pk}/"
        for field, value, error_field, message in BAD_INPUTS:
            with self.subTest(field=field, value=value[:20]):
                data = rx_data(**{field: value})
                if field == "fasting_instructions":
                    data["holds_instructions"] = "No food for 4 hours before."
                self.assert_field_error(url, data, field, error_field, message)
        assert not Prescription.objects.exists()

    def test_it_puts_each_error_beside_its_field_when_revising(self) -> None:
        rx = make_prescription(self.referral, self.prescriber)
        url = f"/partner/prescriptions/{rx.pk}/revise/"
        for field, value, error_field, message in BAD_INPUTS:
            with self.subTest(field=field, value=value[:20]):
                data = rx_data(**{field: value})
                if field == "fasting_instructions":
                    data["holds_instructions"] = "No food for 4 hours before."
                self.assert_field_error(url, data, field, error_field, message)
        assert Prescription.objects.count() == 1

    def test_it_refuses_an_end_date_already_past(self) -> None:
        url = f"/partner/prescriptions/new/{self.referral.pk}/"
        start = (TODAY - dt.timedelta(days=30)).isoformat()
        data = rx_data(valid_from=start, valid_to=YESTERDAY)

        self.assert_field_error(url, data, "valid_to", "valid_to", "already passed")

    def test_it_accepts_a_booster_larger_than_the_dose(self) -> None:
        url = f"/partner/prescriptions/new/{self.referral.pk}/"

        response = self.client.post(url, rx_data(dose_mg="50", booster_mg="75"))

        assert response.status_code == 302
        assert Prescription.objects.get().booster_mg == 75

    def test_it_accepts_the_edges_of_every_range(self) -> None:
        url = f"/partner/prescriptions/new/{self.referral.pk}/"
        data = rx_data(
            dose_mg="1000",
            booster_mg="1",
            sessions_authorised="50",
            valid_to=TODAY.isoformat(),
            max_systolic="220",
            max_diastolic="40",
            hr_min="30",
            hr_max="200",
            spo2_min="100",
        )

        response = self.client.post(url, data)

        assert response.status_code == 302, response.context["form"].errors

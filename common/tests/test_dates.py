"""The shared plausible ranges of common.dates (issue 10 §5)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.test import SimpleTestCase

from common import dates

TODAY = dt.date(2026, 12, 1)


class RangeTests(SimpleTestCase):
    def test_it_spans_1900_to_ten_years_ahead_by_default(self) -> None:
        rng = dates.plausible(TODAY)

        self.assertEqual(rng, dates.DateRange(dt.date(1900, 1, 1), dt.date(2036, 12, 1)))
        self.assertIn(dt.date(1900, 1, 1), rng)
        self.assertIn(dt.date(2036, 12, 1), rng)
        self.assertNotIn(dt.date(1899, 12, 31), rng)
        self.assertNotIn(dt.date(2036, 12, 2), rng)
        self.assertNotIn(dt.date(1, 1, 1), rng)
        self.assertNotIn(dt.date(9999, 12, 31), rng)

    def test_it_says_the_range_in_words(self) -> None:
        problem = dates.plausible(TODAY).problem(dt.date(1, 1, 1))

        self.assertEqual(problem, "Enter a date from 1 January 1900 to 1 December 2036.")
        self.assertIsNone(dates.plausible(TODAY).problem(TODAY))

    def test_it_judges_a_datetime_at_either_end_of_the_calendar_without_failing(self) -> None:
        rng = dates.plausible(TODAY)
        for at in (
            dt.datetime(1, 1, 1, tzinfo=dt.UTC),
            dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),
            dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        ):
            with self.subTest(at=at):
                self.assertNotIn(at, rng)
                self.assertIsNotNone(rng.problem(at))
        self.assertIn(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), rng)

    def test_it_moves_29_february_to_28_february(self) -> None:
        self.assertEqual(dates.add_years(dt.date(2024, 2, 29), 1), dt.date(2025, 2, 28))
        self.assertEqual(dates.add_years(dt.date(9999, 1, 1), 5), dt.date(9999, 1, 1))

    def test_the_domain_ranges_are_narrower(self) -> None:
        self.assertEqual(
            dates.appointment_days(TODAY),
            dates.DateRange(dt.date(2025, 12, 1), dt.date(2028, 12, 1)),
        )
        self.assertEqual(
            dates.prescription_days(TODAY),
            dates.DateRange(dt.date(2024, 12, 1), dt.date(2028, 12, 1)),
        )
        paper = dates.paper_measure_days(dt.date(2026, 6, 1), TODAY)
        self.assertEqual(paper, dates.DateRange(dt.date(2025, 6, 1), TODAY))
        self.assertEqual(dates.paper_measure_days(None, TODAY).earliest, dt.date(2000, 1, 1))

    def test_a_session_window_is_a_day_either_side(self) -> None:
        opened = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
        window = dates.session_window(opened)

        self.assertIn(opened - dt.timedelta(hours=23), window)
        self.assertNotIn(opened - dt.timedelta(days=2), window)
        self.assertNotIn(dt.datetime(1, 1, 1, tzinfo=dt.UTC), window)
        self.assertEqual(
            window.problem(opened + dt.timedelta(days=3), "The time taken"),
            "The time taken must be within a day of the session.",
        )


class FieldTests(SimpleTestCase):
    def test_a_bound_field_refuses_a_day_outside_the_range_and_shows_it(self) -> None:
        class DayForm(forms.Form):
            day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

            def __init__(self, *args: object, **kwargs: object) -> None:
                super().__init__(*args, **kwargs)  # type: ignore[arg-type]
                dates.bound_date(self.fields["day"])

        for value, ok in (("0001-01-01", False), ("9999-12-31", False), ("2026-05-04", True)):
            with self.subTest(value=value):
                form = DayForm({"day": value})
                self.assertEqual(form.is_valid(), ok)
        self.assertIn('min="1900-01-01"', str(DayForm()["day"]))

    def test_a_bound_datetime_field_refuses_9999_12_31_at_23_00(self) -> None:
        class WhenForm(forms.Form):
            at = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M"])

            def __init__(self, *args: object, **kwargs: object) -> None:
                super().__init__(*args, **kwargs)  # type: ignore[arg-type]
                dates.bound_datetime(self.fields["at"])

        self.assertFalse(WhenForm({"at": "9999-12-31T23:00"}).is_valid())
        self.assertFalse(WhenForm({"at": "0001-01-01T00:00"}).is_valid())
        self.assertTrue(WhenForm({"at": "2026-05-04T14:30"}).is_valid())

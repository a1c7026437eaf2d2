"""The plausible range of a date or time typed at the edges (issue 10 §5).

A date field or a date in a query string accepts whatever `datetime` can hold,
0001-01-01 to 9999-12-31. Neither end is a date in anyone's care, and both break
arithmetic further on (a week after 9999-12-31, a time zone applied to 0001-01-01,
a chart's axis). Every date and time a person types is checked here against the
range its domain allows, with one message, so that the form shows it beside the
field and the service refuses the same value when a caller skips the form.

`plausible()` is the default: 1900-01-01 to ten years ahead. The narrower ranges
below are operational or clinical choices of this practice, named with the reason
beside each; they are not settings (a person who needs another range changes the
constant and its reason together).

A range is computed when it is used (today moves); a form field gets it through
`bound_date` / `bound_datetime`, which add a validator and the matching `min`/`max`
attributes to the widget.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

# The default: nothing in a living client's care is dated before 1900 (dates of birth
# have their own range in clients/validation.py), and nothing is planned more than ten
# years ahead.
EARLIEST = dt.date(1900, 1, 1)
YEARS_AHEAD = 10

# Appointments: booked at most two years ahead (the practice's booking horizon), and
# entered or moved into the past only to correct the calendar, within a year.
APPOINTMENT_YEARS_BACK = 1
APPOINTMENT_YEARS_AHEAD = 2

# A paper questionnaire is dated the day the client filled it in: never in the future,
# and not long before the practice knew the client. Forms filled in for a referrer
# shortly before the record was opened are accepted for this many days before it;
# nothing before PAPER_EARLIEST (the instruments in use were published from 2001 on:
# PHQ-9 2001, GAD-7 2006, PCL-5 2013).
PAPER_DAYS_BEFORE_RECORD = 365
PAPER_EARLIEST = dt.date(2000, 1, 1)

# A prescription's validity: a prescription is written for the coming months (a
# controlled-substance authorisation rarely runs a year); two years either side of
# today leaves room for a revision of a running prescription and a long course.
PRESCRIPTION_YEARS_BACK = 2
PRESCRIPTION_YEARS_AHEAD = 2

# A time recorded in a dosing session (vitals, a dose, an adverse event) falls within
# the session: at most this long before its record opened (arrival and pre-dose
# checks) or after (a long session and its recovery).
SESSION_WINDOW = dt.timedelta(days=1)


def spell(day: dt.date) -> str:
    """The day in words, e.g. "1 January 1900": unambiguous in any locale."""
    return f"{day.day} {day:%B %Y}"


def add_years(day: dt.date, years: int) -> dt.date:
    """`day` moved by whole years; 29 February becomes 28 February in other years.
    Clamped to what `datetime.date` can hold."""
    year = min(max(day.year + years, dt.MINYEAR), dt.MAXYEAR)
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=year, day=28)


def day_of(value: dt.date | dt.datetime) -> dt.date:
    """The practice's calendar day of a date or an aware datetime. A datetime so near
    the ends of the calendar that the zone cannot be applied gives its own day
    (which is outside every range here anyway)."""
    if not isinstance(value, dt.datetime):
        return value
    if timezone.is_naive(value):
        return value.date()
    try:
        return timezone.localtime(value, timezone.get_default_timezone()).date()
    except (OverflowError, ValueError):
        return value.date()


@dataclass(frozen=True)
class DateRange:
    """The days a value may fall on, both ends included."""

    earliest: dt.date
    latest: dt.date

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, dt.date):
            return False
        return self.earliest <= day_of(value) <= self.latest

    def message(self, what: str = "a date") -> str:
        if self.earliest == self.latest:
            return f"Enter {what} of {spell(self.earliest)}."
        return f"Enter {what} from {spell(self.earliest)} to {spell(self.latest)}."

    def problem(self, value: dt.date | dt.datetime, what: str = "a date") -> str | None:
        """The message when `value` is outside the range, else None."""
        return None if value in self else self.message(what)


def _today(today: dt.date | None) -> dt.date:
    return today if today is not None else timezone.localdate()


def plausible(today: dt.date | None = None) -> DateRange:
    """The default for any date or time: 1900-01-01 to ten years ahead."""
    return DateRange(EARLIEST, add_years(_today(today), YEARS_AHEAD))


def appointment_days(today: dt.date | None = None) -> DateRange:
    today = _today(today)
    return DateRange(
        add_years(today, -APPOINTMENT_YEARS_BACK), add_years(today, APPOINTMENT_YEARS_AHEAD)
    )


def prescription_days(today: dt.date | None = None) -> DateRange:
    today = _today(today)
    return DateRange(
        add_years(today, -PRESCRIPTION_YEARS_BACK), add_years(today, PRESCRIPTION_YEARS_AHEAD)
    )


def paper_measure_days(
    record_opened: dt.date | dt.datetime | None = None, today: dt.date | None = None
) -> DateRange:
    """A paper form's day: up to today, from PAPER_DAYS_BEFORE_RECORD before the
    client's record was opened (never before PAPER_EARLIEST)."""
    earliest = PAPER_EARLIEST
    if record_opened is not None:
        opened = day_of(record_opened)
        earliest = max(earliest, opened - dt.timedelta(days=PAPER_DAYS_BEFORE_RECORD))
    return DateRange(earliest, _today(today))


@dataclass(frozen=True)
class TimeWindow:
    """The moments a time may fall at, both ends included (aware datetimes)."""

    earliest: dt.datetime
    latest: dt.datetime
    what: str = "the session"

    def __contains__(self, value: object) -> bool:
        return isinstance(value, dt.datetime) and self.earliest <= value <= self.latest

    def problem(self, value: dt.datetime, what: str = "The time") -> str | None:
        if value in self:
            return None
        return f"{what} must be within a day of {self.what}."


def session_window(opened_at: dt.datetime, closed_at: dt.datetime | None = None) -> TimeWindow:
    """SESSION_WINDOW either side of a session that opened at `opened_at` (and, if it
    has ended, closed at `closed_at`)."""
    return TimeWindow(opened_at - SESSION_WINDOW, (closed_at or opened_at) + SESSION_WINDOW)


# --- Form fields ----------------------------------------------------------------

Bounds = Callable[[], DateRange]


class InRange:
    """A field validator: the cleaned date or datetime is in `bounds()`."""

    def __init__(self, bounds: Bounds = plausible, what: str = "a date") -> None:
        self.bounds = bounds
        self.what = what

    def __call__(self, value: Any) -> None:
        if value is None or value == "":
            return
        problem = self.bounds().problem(value, self.what)
        if problem:
            raise ValidationError(problem, code="out_of_range")


def bound_date(field: forms.Field, bounds: Bounds = plausible, what: str = "a date") -> None:
    """Check a form's date field against `bounds()` and show the range on its widget.
    Call it on the form's own copy of the field (in the form's `__init__`)."""
    field.validators.append(InRange(bounds, what))
    rng = bounds()
    field.widget.attrs.update({"min": rng.earliest.isoformat(), "max": rng.latest.isoformat()})


def bound_datetime(field: forms.Field, bounds: Bounds = plausible, what: str = "a date") -> None:
    """As `bound_date`, for a date-and-time field (a `datetime-local` widget)."""
    field.validators.append(InRange(bounds, what))
    rng = bounds()
    field.widget.attrs.update(
        {"min": f"{rng.earliest.isoformat()}T00:00", "max": f"{rng.latest.isoformat()}T23:59"}
    )

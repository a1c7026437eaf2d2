"""Hypothesis strategies for what a person (or a bot) may type into a form: dates and
times across the whole calendar and beyond it, numbers of every spelling, and any
text. Shared by the `*/tests/test_property_input.py` files (issue 10 §5)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Field, Model
from hypothesis import strategies as st

from common.dates import DateRange, plausible


def view_examples() -> int:
    """Examples for the property tests that post to a view (each one a request):
    25 in `make test`, PATHWAYS_FUZZ_EXAMPLES (500 in `make fuzz`) otherwise. The
    form-level properties run 500 examples every time."""
    return int(os.environ.get("PATHWAYS_FUZZ_EXAMPLES", "25"))


# Values that broke pages before the ranges were checked, and other classics.
EDGE_DATES = [
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "1900-01-01",
    "2000-02-29",
    "2026-02-29",
    "2026-02-30",
    "10000-01-01",
    "0000-00-00",
    "-2026-01-01",
    "",
    " ",
    "today",
    "\x00",
]
EDGE_NUMBERS = ["", "0", "-0", "-1", "1e309", "NaN", "Infinity", "-Infinity", "9" * 40, "0.05"]

# Text without lone surrogates (a browser never sends them; UTF-8 cannot carry them).
any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60)
long_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=5000)


def iso(day: dt.date) -> str:
    """A day as a date input sends it (four-digit year, also before 1000)."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def near_today(days: int = 4000) -> st.SearchStrategy[dt.date]:
    today = dt.date.today()  # noqa: DTZ011 (a rough centre for generated dates)
    return st.dates(
        min_value=today - dt.timedelta(days=days), max_value=today + dt.timedelta(days=days)
    )


date_text: st.SearchStrategy[str] = st.one_of(
    st.dates().map(iso),
    near_today().map(iso),
    st.sampled_from(EDGE_DATES),
    st.dates().map(lambda d: f"{d.month}/{d.day}/{d.year}"),
    any_text,
)

datetime_text: st.SearchStrategy[str] = st.one_of(
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
    st.datetimes().map(lambda d: d.isoformat(sep=" ", timespec="minutes")),
    st.builds(
        lambda day, h, m: f"{iso(day)}T{h:02d}:{m:02d}",
        near_today(400),
        st.integers(0, 23),
        st.integers(0, 59),
    ),
    st.sampled_from([f"{d}T23:00" for d in EDGE_DATES] + ["2026-03-08T02:30"]),
    any_text,
)

time_text: st.SearchStrategy[str] = st.one_of(
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.sampled_from(["23:00", "00:00", "24:00", "25:61", "", "noon"]),
    any_text,
)

number_text: st.SearchStrategy[str] = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.integers(min_value=-20, max_value=300).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(EDGE_NUMBERS),
    any_text,
)


def dates_in(days: DateRange) -> st.SearchStrategy[str]:
    """Days in `days` (as a date input sends them), or anything `date_text` gives: so
    that a form accepts some examples and the oracle is exercised, not only refusals."""
    return st.one_of(
        st.dates(min_value=days.earliest, max_value=days.latest).map(iso),
        st.dates(min_value=days.earliest, max_value=days.latest).map(iso),
        date_text,
    )


valid_time = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))


def choice_text(values: list[str]) -> st.SearchStrategy[str]:
    """One of the offered values, or anything else."""
    return st.one_of(st.sampled_from(values), any_text) if values else any_text


def assert_within_bounds(
    model: type[Model], cleaned: Mapping[str, Any], days: DateRange | None = None
) -> None:
    """Every cleaned value of a field of `model` meets that field's min/max validators,
    and every date or time is in `days` (the plausible range unless given): what a
    form accepted is never garbage."""
    days = days or plausible()
    for name, value in cleaned.items():
        if value is None or value == "":
            continue
        if isinstance(value, dt.date):
            assert value in days, f"{name}={value!r} is outside {days}"
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not isinstance(field, Field):
            continue
        for validator in field.validators:
            if isinstance(validator, MinValueValidator | MaxValueValidator):
                validator(value)  # raises ValidationError: the test fails

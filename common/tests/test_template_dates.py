"""The project's `date` and `time` filters (common/template_dates.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.template import Context, Template, defaultfilters
from django.test import SimpleTestCase, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from common import template_dates


def render(text: str, **values: object) -> str:
    return Template(text).render(Context(values))


@override_settings(TIME_ZONE="America/New_York")
class TemplateDateTests(SimpleTestCase):
    def test_it_shows_the_practices_local_time_as_django_does(self) -> None:
        at = dt.datetime(2026, 11, 30, 19, 5, tzinfo=dt.UTC)

        assert render('{{ at|date:"Y-m-d H:i T" }}', at=at) == "2026-11-30 14:05 EST"
        assert render('{{ at|time:"H:i" }}', at=at) == "14:05"

    def test_it_shows_a_value_the_zone_cannot_hold_as_stored(self) -> None:
        # UTC midnight of year one is year zero in New York: Django's filter raises.
        at = dt.datetime(1, 1, 1, tzinfo=dt.UTC)

        assert render('{{ at|date:"Y-m-d" }}', at=at) == "0001-01-01"
        assert render('{{ at|time:"H:i" }}', at=at) == "00:00"

    def test_it_keeps_utc_after_the_utc_filter(self) -> None:
        at = dt.datetime(2026, 11, 30, 19, 5, tzinfo=dt.UTC)

        assert render('{% load tz %}{{ at|utc|date:"H:i" }}', at=at) == "19:05"

    def test_it_leaves_dates_and_empty_values_alone(self) -> None:
        assert render('{{ day|date:"Y-m-d" }}', day=dt.date(2026, 1, 5)) == "2026-01-05"
        assert render('{{ nothing|date:"Y-m-d" }}', nothing=None) == ""


# Django's format letters and some that are not, with the separators the fast path
# writes as they are (common.template_dates._SEPARATORS) and a few it does not.
FORMAT_TEXT = st.text(alphabet="YmdHisTjFDlNaP -:/.,\\", min_size=0, max_size=12)
PLAIN_FORMATS = st.sampled_from(
    [
        *("Y-m-d", "Y-m-d H:i", "H:i", "Y-m-d H:i:s", "d/m/Y", "H:i:s", "Y", "m.d", "i,s"),
        *("c", "cc", "c "),
        *("Y-m-d H:i T", "Y-m-d H:i:s T", "T", "H:i T"),
    ]
)
ZONES = st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=-5))])
# A zone with clock changes: the hour held twice in November (fold 0 and 1) and the
# hour that never happens in March, whose "T" Django writes as "".
NEW_YORK = ZoneInfo("America/New_York")
CHANGES = st.sampled_from(
    [dt.datetime(2026, 11, 1, 1, 30), dt.datetime(2026, 3, 8, 2, 30)]  # noqa: DTZ001
)
VALUES = st.one_of(
    st.builds(lambda d, z: d.replace(tzinfo=z), st.datetimes(), ZONES),
    st.datetimes(timezones=st.just(NEW_YORK), allow_imaginary=True),
    st.builds(
        lambda d, fold: d.replace(tzinfo=NEW_YORK, fold=fold), CHANGES, st.sampled_from([0, 1])
    ),
    st.dates(),
    st.times(),
    st.none(),
    st.just(""),
)


def outcome(f: Callable[[Any, str | None], str], value: object, arg: str | None) -> object:
    try:
        return f(value, arg)
    except Exception as exc:  # compared, not handled
        return type(exc)


@override_settings(TIME_ZONE="America/New_York")
class FastFormatTests(SimpleTestCase):
    """The fast path of the numeric formats writes what Django's filters write."""

    @given(value=VALUES, arg=st.one_of(PLAIN_FORMATS, FORMAT_TEXT, st.none()))
    @settings(max_examples=300, deadline=None)
    def test_it_writes_what_djangos_filters_write(self, value: object, arg: str | None) -> None:
        local = template_dates.shown(value)

        for ours, django in (
            (template_dates.date, defaultfilters.date),
            (template_dates.time, defaultfilters.time),
        ):
            # The same text, or the same error (a date with a time's letter raises).
            assert outcome(ours, value, arg) == outcome(django, local, arg)

    def test_it_names_the_zone_as_django_does_across_a_clock_change(self) -> None:
        # 05:30 and 06:30 UTC on 2026-11-01 are both 01:30 in New York (EDT, then EST):
        # Django writes no abbreviation for a time the zone holds twice.
        for utc, expected in (
            (dt.datetime(2026, 7, 1, 16, 0, tzinfo=dt.UTC), "2026-07-01 12:00 EDT"),
            (dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC), "2026-11-01 01:30 "),
            (dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC), "2026-11-01 01:30 "),
            (dt.datetime(2026, 11, 1, 7, 30, tzinfo=dt.UTC), "2026-11-01 02:30 EST"),
        ):
            local = template_dates.shown(utc)
            assert template_dates.date(utc, "Y-m-d H:i T") == expected
            assert defaultfilters.date(local, "Y-m-d H:i T") == expected
            assert template_dates._fast(local, "Y-m-d H:i T", "date") == expected

    def test_it_pads_the_year_and_each_number(self) -> None:
        at = dt.datetime(7, 3, 4, 5, 6, 9)  # noqa: DTZ001  (a naive value is formatted as it is)

        assert template_dates.date(at, "Y-m-d H:i:s") == "0007-03-04 05:06:09"
        assert template_dates.time(dt.time(1, 2, 3), "H:i:s") == "01:02:03"

    def test_it_leaves_a_format_that_is_not_text_to_djangos_filter(self) -> None:
        at = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)

        assert template_dates.date(at, 5) == defaultfilters.date(template_dates.shown(at), 5)  # type: ignore[arg-type]

"""The project's `date` and `time` filters (common/template_dates.py)."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.test import SimpleTestCase, override_settings


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

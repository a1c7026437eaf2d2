"""The `date` and `time` template filters, safe at the edges of the calendar.

Django's own filters turn an aware datetime into the practice's time zone before
formatting it, and that raises OverflowError when the result would fall outside the
years 1–9999: UTC midnight of 0001-01-01 is still year 0 in Virginia. New input is
bounded (common.dates), but a value stored before the bounds existed (a paper
questionnaire dated 0001-01-01, issue 10 §5) must not turn every page that shows it
into a 500. These filters replace Django's (settings.TEMPLATES "builtins"): the same
formats and the same conversion, except that a value the time zone cannot hold is
shown as stored, in UTC. `{% localtime off %}` is not honoured by them; no template
uses it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.conf import settings
from django.template import defaultfilters
from django.utils import timezone

register = template.Library()


def shown(value: Any) -> Any:
    """`value` in the practice's time zone, as Django's filters would show it, or as
    stored (UTC) when that zone cannot hold it."""
    # As django.utils.timezone.template_localtime: aware values only, and not one the
    # `utc` filter marked to stay in UTC.
    if not isinstance(value, dt.datetime) or not timezone.is_aware(value):
        return value
    if not settings.USE_TZ or not getattr(value, "convert_to_local_time", True):
        return value
    try:
        return timezone.localtime(value)
    except OverflowError:
        return value


# The numbers of the formats most pages use ("Y-m-d", "Y-m-d H:i", "H:i", and with the
# time zone's abbreviation, "Y-m-d H:i T"), written as Django's dateformat writes them
# (zero-padded: year 1 is "0001"). Django's own filter parses the format and looks each
# letter up for every value: about 60% of its time on a row (5% of the partner portal's
# home, issue 14; its "T" rows a tenth more). A format with any other letter (a month's
# name) goes to Django's filter, which knows them all, and so does a "T" of a naive
# value. common/tests/test_template_dates.py compares the two on any value.
_DATE_PARTS = {"Y": "{0.year:04d}", "m": "{0.month:02d}", "d": "{0.day:02d}"}
_TIME_PARTS = {"H": "{0.hour:02d}", "i": "{0.minute:02d}", "s": "{0.second:02d}"}
_ZONE = "{1}"
_SEPARATORS = frozenset(" -:/.,")


def _plain(arg: str | None, parts: dict[str, str]) -> str | None:
    """`arg` as a str.format template when it has only `parts` and separators."""
    if not arg or not all(c in parts or c in _SEPARATORS for c in arg):
        return None
    return "".join(parts.get(c, c) for c in arg)


_ALL_PARTS = {**_DATE_PARTS, **_TIME_PARTS, "T": _ZONE}
_plain_formats: dict[tuple[str | None, str, str], str | None] = {}

# The letters each filter writes of each kind of value, as Django's: `date` writes a
# date's Y, m, d and a datetime's six and its zone (a time goes to Django's, which
# writes nothing for Y); `time` writes the H, i, s of a time or a datetime, and a
# datetime's zone (a date goes to Django's).
_PARTS = {
    ("date", dt.datetime): _ALL_PARTS,
    ("date", dt.date): _DATE_PARTS,
    ("time", dt.datetime): {**_TIME_PARTS, "T": _ZONE},
    ("time", dt.time): _TIME_PARTS,
}


def _zone(value: dt.datetime) -> str | None:
    """Django's "T" of a datetime (django.utils.dateformat.TimeFormat): its zone's
    abbreviation then, "" for a time the zone holds twice or never (a clock change);
    None for a naive value, which Django gives the default zone (its filter, then)."""
    zone = value.tzinfo
    if zone is None or zone.utcoffset(value) is None:
        return None
    if zone.utcoffset(value.replace(fold=not value.fold)) != zone.utcoffset(value):
        return ""
    return str(zone.tzname(value))


def _fast(value: Any, arg: str | None, filter_name: str) -> str | None:
    """`value` in the format `arg` when both are plain, else None."""
    if arg == "c" and filter_name == "date" and type(value) in (dt.datetime, dt.date):
        # Django's "c" (ISO 8601) is the value's own isoformat: a list's <time datetime>.
        return str(value.isoformat())
    parts = _PARTS.get((filter_name, type(value)))
    if parts is None or not isinstance(arg, str):
        return None
    key = (arg, filter_name, type(value).__name__)
    template = _plain_formats.get(key) if key in _plain_formats else _plain(arg, parts)
    if len(_plain_formats) < 256:  # the formats written in templates: a few dozen
        _plain_formats[key] = template
    if template is None:
        return None
    if _ZONE not in template:
        return template.format(value)
    zone = _zone(value)
    return None if zone is None else template.format(value, zone)


@register.filter(is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    local = shown(value)
    if (fast := _fast(local, arg, "date")) is not None:
        return fast
    return defaultfilters.date(local, arg)


@register.filter(is_safe=False)
def time(value: Any, arg: str | None = None) -> str:
    local = shown(value)
    if (fast := _fast(local, arg, "time")) is not None:
        return fast
    return defaultfilters.time(local, arg)

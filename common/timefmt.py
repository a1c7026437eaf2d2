"""Dates and times as people read them: in the practice's time zone, never UTC.

Times are stored in UTC (DEVELOPERS.md); everything shown to a person (a page, an
e-mail, a check's detail, a chart) is turned into the practice's local time here,
with one spelling per kind of value, so that "14:05" on one page is "14:05" on the
next. The practice's zone is `settings.TIME_ZONE` (PRACTICE_TIME_ZONE), used
explicitly rather than the request's current zone: a person reads the practice's
clock whatever zone a request may have activated.

Values for machines (ISO timestamps in a hash, a feed's UTC times, a form widget's
value) are not formatted here.
"""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat, timezone


def local(at: dt.datetime) -> dt.datetime:
    """`at` as a datetime in the practice's time zone (for arithmetic on local days,
    or a format not given below)."""
    return timezone.localtime(at, timezone.get_default_timezone())


def local_day(at: dt.datetime | None, missing: str = "") -> str:
    """The practice's calendar day of `at`: "2026-11-30"; `missing` when there is no
    time (a date a record may lack, e.g. "an unrecorded date")."""
    if at is None:
        return missing
    return f"{local(at):%Y-%m-%d}"


def local_hm(at: dt.datetime) -> str:
    """The practice's 24-hour clock time: "14:05"."""
    return f"{local(at):%H:%M}"


def local_day_hm(at: dt.datetime) -> str:
    """Day and clock time: "2026-11-30 14:05"."""
    return f"{local(at):%Y-%m-%d %H:%M}"


def local_day_hm_zone(at: dt.datetime) -> str:
    """Day, clock time and the zone's abbreviation in force then: "2026-11-30 14:05 EST"
    (where the reader may not know which zone, or a clock change is near)."""
    moment = local(at)
    return f"{moment:%Y-%m-%d %H:%M} {moment.tzname()}"


def local_clock(at: dt.datetime) -> str:
    """The 12-hour clock of letters to clients: "2:05 PM" (no leading zero)."""
    return f"{local(at):%I:%M %p}".lstrip("0")


def local_long(at: dt.datetime) -> str:
    """In full, for clients: "Monday 30 November 2026, 2:05 PM EST"."""
    return dateformat.format(local(at), "l j F Y, g:i A T")

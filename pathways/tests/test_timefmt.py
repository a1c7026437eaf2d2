"""Dates and times as people read them (common/timefmt.py): in the practice's time
zone, across its clock changes."""

from __future__ import annotations

import datetime as dt

from django.test import SimpleTestCase, override_settings
from django.utils import timezone

from common.timefmt import (
    local,
    local_clock,
    local_day,
    local_day_hm,
    local_day_hm_zone,
    local_hm,
    local_long,
)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


# An afternoon in New York that is already the next day in UTC would show the
# wrong day if formatted in UTC.
EVENING = utc(2026, 12, 1, 3, 30)  # Mon 30 Nov 2026, 22:30 EST
AFTERNOON = utc(2026, 11, 30, 19, 5)  # Mon 30 Nov 2026, 14:05 EST


@override_settings(TIME_ZONE="America/New_York")
class LocalTimeTests(SimpleTestCase):
    def test_it_gives_the_practices_day_not_the_utc_day(self) -> None:
        self.assertEqual(local_day(EVENING), "2026-11-30")
        self.assertEqual(local_day_hm(EVENING), "2026-11-30 22:30")

    def test_it_gives_the_clock_time_in_the_practices_zone(self) -> None:
        self.assertEqual(local_hm(AFTERNOON), "14:05")
        self.assertEqual(local_day_hm(AFTERNOON), "2026-11-30 14:05")
        self.assertEqual(local_day_hm_zone(AFTERNOON), "2026-11-30 14:05 EST")

    def test_it_says_what_the_caller_asks_for_a_missing_day(self) -> None:
        self.assertEqual(local_day(None), "")
        self.assertEqual(local_day(None, "an unrecorded date"), "an unrecorded date")

    def test_it_follows_the_spring_clock_change(self) -> None:
        # 8 March 2026: 02:00 EST becomes 03:00 EDT; one UTC minute apart.
        self.assertEqual(local_day_hm_zone(utc(2026, 3, 8, 6, 59)), "2026-03-08 01:59 EST")
        self.assertEqual(local_day_hm_zone(utc(2026, 3, 8, 7, 0)), "2026-03-08 03:00 EDT")
        self.assertEqual(local_hm(utc(2026, 3, 8, 7, 0)), "03:00")

    def test_it_tells_apart_the_repeated_hour_of_the_autumn_clock_change(self) -> None:
        # 1 November 2026: 01:30 happens twice, first in EDT, then in EST.
        first, second = utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)
        self.assertEqual(local_hm(first), local_hm(second))
        self.assertEqual(local_day_hm_zone(first), "2026-11-01 01:30 EDT")
        self.assertEqual(local_day_hm_zone(second), "2026-11-01 01:30 EST")
        # A late evening just before the change, in EDT, is still the day before.
        self.assertEqual(local_day(utc(2026, 11, 1, 3, 59)), "2026-10-31")

    def test_it_gives_the_twelve_hour_clock_without_a_leading_zero(self) -> None:
        self.assertEqual(local_clock(AFTERNOON), "2:05 PM")
        self.assertEqual(local_clock(utc(2026, 11, 30, 17, 5)), "12:05 PM")
        self.assertEqual(local_clock(utc(2026, 12, 1, 5, 0)), "12:00 AM")
        self.assertEqual(local_clock(utc(2026, 11, 30, 15, 0)), "10:00 AM")

    def test_it_spells_a_time_out_for_clients(self) -> None:
        self.assertEqual(local_long(AFTERNOON), "Monday 30 November 2026, 2:05 PM EST")
        self.assertEqual(local_long(utc(2026, 7, 4, 16, 0)), "Saturday 4 July 2026, 12:00 PM EDT")

    def test_it_uses_the_practices_zone_whatever_zone_is_active(self) -> None:
        with timezone.override("Asia/Tokyo"):
            self.assertEqual(local_day_hm(AFTERNOON), "2026-11-30 14:05")
            self.assertEqual(local(AFTERNOON).utcoffset(), dt.timedelta(hours=-5))

    @override_settings(TIME_ZONE="Europe/Berlin")
    def test_it_follows_the_practice_time_zone_setting(self) -> None:
        self.assertEqual(local_day_hm_zone(AFTERNOON), "2026-11-30 20:05 CET")

"""Outcome-measure settings outside their valid range stop start-up with a clear
message (measures.settings_check.validate_settings, called by MeasuresConfig.ready)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from measures.settings_check import BOUNDS, validate_settings
from measures.tests.support import PCL5, PHQ9

GOOD = {
    "PCL5_CUT_POINT": 33,
    "OUTCOMES_PHQ9_DENOMINATOR_MIN": 10,
    "SAFETY_ALERT_ESCALATE_HOURS": 4,
    "MEASURE_LINK_DAYS": 7,
}


def settings_with(**changed: Any) -> SimpleNamespace:
    return SimpleNamespace(**{**GOOD, **changed})


def test_the_defaults_and_the_edges_of_each_range_are_accepted() -> None:
    validate_settings(django_settings)
    validate_settings(settings_with())
    for values in (
        {"PCL5_CUT_POINT": 1},
        {"PCL5_CUT_POINT": 80},
        {"OUTCOMES_PHQ9_DENOMINATOR_MIN": 0},
        {"OUTCOMES_PHQ9_DENOMINATOR_MIN": 27},
        {"SAFETY_ALERT_ESCALATE_HOURS": 1},
        {"MEASURE_LINK_DAYS": 1},
    ):
        validate_settings(settings_with(**values))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PCL5_CUT_POINT", 81, "PCL5_CUT_POINT is 81; it must be a whole number from 1 to 80"),
        ("PCL5_CUT_POINT", 0, "PCL5_CUT_POINT is 0; it must be a whole number from 1 to 80"),
        ("PCL5_CUT_POINT", -3, "PCL5_CUT_POINT is -3; it must be a whole number from 1 to 80"),
        (
            "OUTCOMES_PHQ9_DENOMINATOR_MIN",
            28,
            "OUTCOMES_PHQ9_DENOMINATOR_MIN is 28; it must be a whole number from 0 to 27",
        ),
        (
            "OUTCOMES_PHQ9_DENOMINATOR_MIN",
            -1,
            "OUTCOMES_PHQ9_DENOMINATOR_MIN is -1; it must be a whole number from 0 to 27",
        ),
        (
            "SAFETY_ALERT_ESCALATE_HOURS",
            0,
            "SAFETY_ALERT_ESCALATE_HOURS is 0; it must be a whole number of at least 1",
        ),
        (
            "MEASURE_LINK_DAYS",
            0,
            "MEASURE_LINK_DAYS is 0; it must be a whole number of at least 1",
        ),
        ("MEASURE_LINK_DAYS", -7, "MEASURE_LINK_DAYS is -7; it must be"),
        ("PCL5_CUT_POINT", "33", "PCL5_CUT_POINT is '33'; it must be a whole number"),
        ("MEASURE_LINK_DAYS", True, "MEASURE_LINK_DAYS is True; it must be a whole number"),
        ("SAFETY_ALERT_ESCALATE_HOURS", 2.5, "SAFETY_ALERT_ESCALATE_HOURS is 2.5"),
    ],
)
def test_a_value_outside_its_range_raises_naming_the_setting_value_and_range(
    name: str, value: Any, message: str
) -> None:
    with pytest.raises(ImproperlyConfigured) as raised:
        validate_settings(settings_with(**{name: value}))

    assert str(raised.value).startswith(message)


def test_a_missing_setting_raises() -> None:
    incomplete = SimpleNamespace(**{k: v for k, v in GOOD.items() if k != "MEASURE_LINK_DAYS"})

    with pytest.raises(ImproperlyConfigured, match="MEASURE_LINK_DAYS is None"):
        validate_settings(incomplete)


def test_the_ranges_match_the_instrument_definitions() -> None:
    # PCL-5 totals 0–80 (a cut-point of 0 would leave no band below it); PHQ-9 0–27.
    assert (BOUNDS["PCL5_CUT_POINT"].low, BOUNDS["PCL5_CUT_POINT"].high) == (
        PCL5["total"]["min"] + 1,
        PCL5["total"]["max"],
    )
    assert (
        BOUNDS["OUTCOMES_PHQ9_DENOMINATOR_MIN"].low,
        BOUNDS["OUTCOMES_PHQ9_DENOMINATOR_MIN"].high,
    ) == (PHQ9["total"]["min"], PHQ9["total"]["max"])


def test_ready_calls_the_check_with_the_settings() -> None:
    config = apps.get_app_config("measures")

    with mock.patch("measures.settings_check.validate_settings") as check:
        config.ready()

    check.assert_called_once_with(django_settings)


@override_settings(PCL5_CUT_POINT=90)
def test_ready_stops_on_a_bad_setting() -> None:
    with pytest.raises(ImproperlyConfigured, match="PCL5_CUT_POINT is 90"):
        apps.get_app_config("measures").ready()

"""Dosing thresholds outside their range stop start-up (issue 8: thresholds are settings)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from dosing.settings_check import BOUNDS, REQUIRED_CONDITIONS, validate_settings


def good() -> dict[str, object]:
    values: dict[str, object] = {name: getattr(settings, name) for name in BOUNDS}
    for name in REQUIRED_CONDITIONS:
        values[name] = getattr(settings, name)
    return values


def test_it_accepts_the_defaults() -> None:
    validate_settings(SimpleNamespace(**good()))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DOSING_MIN_OBSERVATION_MINUTES", 119),
        ("DOSING_MIN_OBSERVATION_MINUTES", 0),
        ("DOSING_BASELINE_MAX_AGE_MINUTES", 500),
        ("DOSING_BOOSTER_VITALS_MAX_AGE_MINUTES", 0),
        ("DOSING_PHQ9_MAX_AGE_HOURS", 0),
        ("EMDR_COMPLETE_SUD_AT_MOST", 11),
        ("EMDR_COMPLETE_VOC_AT_LEAST", 0),
    ],
)
def test_it_stops_start_up_on_a_value_out_of_range(name: str, value: int) -> None:
    values = {**good(), name: value}

    with pytest.raises(ImproperlyConfigured, match=name):
        validate_settings(SimpleNamespace(**values))


@override_settings(DOSING_MIN_OBSERVATION_MINUTES=60)
def test_ready_runs_the_check() -> None:
    with pytest.raises(ImproperlyConfigured, match="DOSING_MIN_OBSERVATION_MINUTES is 60"):
        apps.get_app_config("dosing").ready()


@override_settings(PRESCRIPTION_DOSE_RANGES={"sublingual": {"usual_mg": [400, 50]}})
def test_a_bad_dose_range_setting_stops_start_up() -> None:
    with pytest.raises(ImproperlyConfigured, match="PRESCRIPTION_DOSE_RANGES"):
        validate_settings(settings)


@pytest.mark.parametrize(
    ("name", "path"),
    [(name, path) for name, paths in REQUIRED_CONDITIONS.items() for path in paths],
)
def test_it_stops_start_up_when_a_safety_condition_is_dropped(name: str, path: str) -> None:
    # A practice may add gate conditions; dropping one would let a dose skip it.
    values = {**good(), name: [p for p in getattr(settings, name) if p != path]}

    with pytest.raises(ImproperlyConfigured, match=path):
        validate_settings(SimpleNamespace(**values))


def test_it_accepts_a_condition_the_practice_adds() -> None:
    extra = [*settings.PATHWAYS_GATE_CONDITIONS, "myapp.gate.extra_condition"]
    validate_settings(SimpleNamespace(**{**good(), "PATHWAYS_GATE_CONDITIONS": extra}))

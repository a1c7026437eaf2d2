"""The expected effect window by route (issue 12 §3): the data, its setting, the
start-up check, and the console bar's "expected peak in N minutes"."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from dosing import console
from dosing.effect_window import DEFAULT_WINDOWS, PLANNING_NOTE, window_for, windows
from dosing.settings_check import BOUNDS, REQUIRED_CONDITIONS, validate_settings
from dosing.tests.support import add_vitals, cleared, give_dose, open_record
from dosing.vitals import suggested_next
from pathways.env import env_json
from pathways.testing import BaseTestCase
from prescriptions.models import Route

T0 = dt.datetime(2026, 5, 4, 14, 0, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[2]

# The reference table (clinical-reference.md, "Ketamine pharmacokinetics"), in
# minutes after the dose: (earliest time to peak, typical peak, end of the effect).
REFERENCE = {
    "intravenous": (1, 2, 30),  # peak about 1–2 min; lasts 15–30 min after a bolus
    "intramuscular": (5, 10, 120),  # peak 5–15 min; lasts 0.5–2 h
    "intranasal": (14, 18, 60),  # peak 14–23 min; lasts 45–60 min
    "sublingual": (15, 45, 120),  # peak about 45 min (15–60); lasts 1–2 h
    "oral": (60, 60, None),  # peak about 1 h; lasts "longer": no figure
}


def test_it_has_a_window_for_every_route_an_administration_uses() -> None:
    assert set(DEFAULT_WINDOWS) == set(Route.values) == set(REFERENCE)


@pytest.mark.parametrize("route", sorted(REFERENCE))
def test_it_takes_each_window_from_the_reference(route: str) -> None:
    window = window_for(route)

    assert window is not None
    assert (window.onset, window.peak, window.offset) == REFERENCE[route]
    assert "Rolan 2013" in window.source
    assert "Chong 2006" in window.source
    assert "Zanos 2018" in window.source


@override_settings(EFFECT_WINDOWS={"sublingual": {"peak": 40, "offset": 90}})
def test_it_applies_the_setting_override() -> None:
    window = windows()["sublingual"]

    assert (window.onset, window.peak, window.offset) == (15, 40, 90)
    assert "EFFECT_WINDOWS" in window.source
    assert windows()["intranasal"] == DEFAULT_WINDOWS["intranasal"]


def good() -> SimpleNamespace:
    values = {name: getattr(settings, name) for name in (*BOUNDS, *REQUIRED_CONDITIONS)}
    return SimpleNamespace(**values)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"subcutaneous": {"peak": 10}}, "unknown route 'subcutaneous'"),
        ({"sublingual": {"peek": 10}}, "unknown keys"),
        ({"sublingual": {"peak": "45"}}, "must be whole minutes"),
        ({"sublingual": {"peak": 500}}, "0–480"),
        ({"sublingual": {"onset": 50}}, "onset ≤ peak ≤ offset"),
        ({"sublingual": 45}, "must be an object"),
    ],
)
def test_a_bad_override_stops_start_up(override: dict[str, object], message: str) -> None:
    with override_settings(EFFECT_WINDOWS=override), pytest.raises(ImproperlyConfigured) as err:
        validate_settings(good())

    assert "EFFECT_WINDOWS" in str(err.value)
    assert message in str(err.value)


def test_malformed_json_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EFFECT_WINDOWS", '{"sublingual": {"peak": 45')

    with pytest.raises(ImproperlyConfigured, match="EFFECT_WINDOWS must be a JSON object"):
        env_json("EFFECT_WINDOWS", {})


def test_malformed_json_stops_the_real_start_up() -> None:
    env = {**os.environ, "EFFECT_WINDOWS": "{not json"}
    run = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert run.returncode != 0
    assert "EFFECT_WINDOWS must be a JSON object" in run.stderr


class PeakOnTheBarTests(BaseTestCase):
    def bar(self, now: dt.datetime, peak_at: dt.datetime | None) -> console.Bar:
        return console.console_bar(
            now=now,
            dose_at=T0,
            suggestion=suggested_next([T0], T0),
            discharged=False,
            cleared=True,
            gate_failed=0,
            clearance_reasons=0,
            peak_at=peak_at,
        )

    def test_it_counts_down_to_the_expected_peak_at_a_fixed_clock(self) -> None:
        peak = T0 + dt.timedelta(minutes=45)

        bar = self.bar(T0 + dt.timedelta(minutes=12, seconds=20), peak)

        self.assertEqual(bar.minutes_to_peak, 32)
        self.assertEqual(bar.peak_text, "Expected peak in 32 minutes")
        self.assertEqual(bar.peak_at_iso, "2026-05-04T14:45:00+00:00")

    def test_it_says_when_the_peak_has_passed(self) -> None:
        bar = self.bar(T0 + dt.timedelta(minutes=52, seconds=30), T0 + dt.timedelta(minutes=45))

        self.assertEqual(bar.peak_text, "Expected peak passed 7 minutes ago")

    def test_the_page_shows_the_expected_peak_of_the_dose(self) -> None:
        _ready, record = open_record(self.therapist, self.prescriber, self.partner)
        cleared(record, self.therapist, minutes_ago=30)
        dose = give_dose(record, self.therapist, self.admin, minutes_ago=20)
        add_vitals(record, self.therapist, phase="monitoring", minutes_ago=5)
        dose.refresh_from_db()  # the stored time, as the page reads it
        window = window_for(dose.route)
        assert window is not None
        fixed = dose.given_at + dt.timedelta(minutes=20, seconds=10)
        expected = window.peak - 21  # whole minutes left at the fixed clock (24 min 50 s: 24)
        self.client.force_login(self.therapist)

        with mock.patch("dosing.queries.timezone.now", return_value=fixed):
            response = self.client.get(reverse("dosing:record", args=[record.pk]))

        html = response.content.decode()
        peak_at = window.peak_at(dose.given_at).isoformat(timespec="seconds")
        self.assertIn(f'data-peak-at="{peak_at}"', html)
        self.assertIn(f"<strong data-peak-text>Expected peak in {expected} minutes</strong>", html)
        self.assertIn(PLANNING_NOTE, html)

"""The session and re-authentication settings are checked at start-up."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.settings_check import validate_settings

GOOD = {
    "SESSION_IDLE_MINUTES": 15,
    "SESSION_WARNING_MINUTES": 2,
    "SESSION_RENEW_SECONDS": 30,
    "SESSION_ABSOLUTE_HOURS": 12,
    "REAUTH_MINUTES": 5,
}


def settings_with(**changes: Any) -> SimpleNamespace:
    return SimpleNamespace(**{**GOOD, **changes})


def test_it_accepts_the_defaults() -> None:
    validate_settings(settings_with())


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SESSION_IDLE_MINUTES", 0),
        ("SESSION_IDLE_MINUTES", 480),
        ("SESSION_ABSOLUTE_HOURS", 0),
        ("SESSION_ABSOLUTE_HOURS", 48),
        ("REAUTH_MINUTES", 0),
        ("SESSION_WARNING_MINUTES", 0),
        ("SESSION_RENEW_SECONDS", -1),
        ("SESSION_RENEW_SECONDS", 121),
    ],
)
def test_it_refuses_a_value_out_of_range(name: str, value: int) -> None:
    with pytest.raises(ImproperlyConfigured, match=name):
        validate_settings(settings_with(**{name: value}))


def test_it_refuses_a_warning_no_earlier_than_the_idle_limit() -> None:
    with pytest.raises(ImproperlyConfigured, match="SESSION_WARNING_MINUTES"):
        validate_settings(settings_with(SESSION_IDLE_MINUTES=5, SESSION_WARNING_MINUTES=5))


def test_it_refuses_a_renewal_wait_that_reaches_the_idle_warning() -> None:
    # 3 idle minutes, warned at 2 before: the warning comes 60 s after a request.
    short = {"SESSION_IDLE_MINUTES": 3, "SESSION_WARNING_MINUTES": 2}
    validate_settings(settings_with(**short, SESSION_RENEW_SECONDS=59))
    with pytest.raises(ImproperlyConfigured, match="SESSION_RENEW_SECONDS"):
        validate_settings(settings_with(**short, SESSION_RENEW_SECONDS=60))

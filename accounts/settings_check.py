"""The session and re-authentication settings, checked once at start-up
(`AccountsConfig.ready`).

- SESSION_IDLE_MINUTES: 2–60. HIPAA's automatic logoff (45 CFR 164.312(a)(2)(iii))
  names no figure; 15 minutes is the common choice for workstations holding PHI,
  and an hour the most a shared clinic computer should be left signed in.
- SESSION_WARNING_MINUTES: 1–30, and less than SESSION_IDLE_MINUTES (checked below).
- SESSION_RENEW_SECONDS: 0-120, and less than the time between the idle warning and
  the idle limit (checked below), so that the warning always comes before the end.
- SESSION_ABSOLUTE_HOURS: 1–24: one working day at most.
- REAUTH_MINUTES: 1–30.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from common.bounds import Bounds, check_bounds

BOUNDS: dict[str, Bounds] = {
    "SESSION_IDLE_MINUTES": Bounds(2, 60, "minutes without a request"),
    "SESSION_WARNING_MINUTES": Bounds(1, 30, "minutes before the idle limit"),
    "SESSION_RENEW_SECONDS": Bounds(0, 120, "seconds a renewal of the idle limit may wait"),
    "SESSION_ABSOLUTE_HOURS": Bounds(1, 24, "hours after sign-in"),
    "REAUTH_MINUTES": Bounds(1, 30, "minutes since the password was typed"),
}


def validate_settings(settings: Any) -> None:
    """Raise ImproperlyConfigured for the first setting outside its valid range."""
    check_bounds(settings, BOUNDS)
    if settings.SESSION_WARNING_MINUTES >= settings.SESSION_IDLE_MINUTES:
        raise ImproperlyConfigured(
            f"SESSION_WARNING_MINUTES ({settings.SESSION_WARNING_MINUTES}) must be less than "
            f"SESSION_IDLE_MINUTES ({settings.SESSION_IDLE_MINUTES})."
        )
    warning_at = (settings.SESSION_IDLE_MINUTES - settings.SESSION_WARNING_MINUTES) * 60
    if warning_at <= settings.SESSION_RENEW_SECONDS:
        raise ImproperlyConfigured(
            f"SESSION_RENEW_SECONDS ({settings.SESSION_RENEW_SECONDS}) must be less than the "
            f"{warning_at} seconds from a request to the idle warning."
        )

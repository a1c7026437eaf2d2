"""Vital signs against the prescriber's parameters, and when the next set is due.

The limits are the prescription's own (max_systolic, max_diastolic, hr_min,
hr_max, spo2_min): a value equal to a limit is within it. The timing follows the
Spravato label and KAP practice (../shared/clinical-reference.md, "Monitoring"):
BP before dosing, at about 40 min (the peak rise) and before discharge; many KAP
practices check every 15 min. Both intervals are settings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings


class Readings(Protocol):
    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int


class Limits(Protocol):
    min_systolic: int
    max_systolic: int
    min_diastolic: int
    max_diastolic: int
    hr_min: int
    hr_max: int
    spo2_min: int
    spo2_max: int


ABOVE = "Above the prescriber's limit"
BELOW = "Below the prescriber's limit"


@dataclass(frozen=True)
class Flag:
    field: str  # systolic, diastolic, heart_rate or spo2
    label: str  # "Above the prescriber's limit" / "Below …"
    message: str  # a plain sentence naming the value and the limit


def flags(vitals: Readings, rx: Limits) -> dict[str, Flag]:
    """Each out-of-range value, keyed by field name."""
    found: dict[str, Flag] = {}
    for name, what in (("systolic", "Systolic BP"), ("diastolic", "Diastolic BP")):
        value, low, high = (
            getattr(vitals, name),
            getattr(rx, f"min_{name}"),
            getattr(rx, f"max_{name}"),
        )
        if value > high:
            found[name] = Flag(
                name, ABOVE, f"{what} {value} is above the prescriber's limit of {high} mmHg."
            )
        elif value < low:
            found[name] = Flag(
                name, BELOW, f"{what} {value} is below the prescriber's limit of {low} mmHg."
            )
    if vitals.heart_rate < rx.hr_min:
        found["heart_rate"] = Flag(
            "heart_rate",
            BELOW,
            f"Heart rate {vitals.heart_rate} is below the prescriber's limit of {rx.hr_min}/min.",
        )
    elif vitals.heart_rate > rx.hr_max:
        found["heart_rate"] = Flag(
            "heart_rate",
            ABOVE,
            f"Heart rate {vitals.heart_rate} is above the prescriber's limit of {rx.hr_max}/min.",
        )
    if vitals.spo2 < rx.spo2_min:
        found["spo2"] = Flag(
            "spo2",
            BELOW,
            f"SpO2 {vitals.spo2}% is below the prescriber's limit of {rx.spo2_min}%.",
        )
    elif vitals.spo2 > rx.spo2_max:
        found["spo2"] = Flag(
            "spo2",
            ABOVE,
            f"SpO2 {vitals.spo2}% is above the prescriber's limit of {rx.spo2_max}%.",
        )
    return found


def out_of_range(vitals: Readings, rx: Limits) -> list[str]:
    """A plain message for each value outside the prescription's parameters; [] if none."""
    return [flag.message for flag in flags(vitals, rx).values()]


def interval() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "DOSING_VITALS_EVERY_MINUTES", 15))


def peak_check() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "DOSING_PEAK_BP_CHECK_MINUTES", 40))


# A set within this much of the 40-minute mark counts as the peak check.
PEAK_WINDOW = dt.timedelta(minutes=5)


def peak_check_done(taken: list[dt.datetime], dose_at: dt.datetime) -> bool:
    """Was a set taken at about 40 minutes after the dose (within PEAK_WINDOW)?"""
    peak = dose_at + peak_check()
    return any(abs(at - peak) <= PEAK_WINDOW for at in taken)


@dataclass(frozen=True)
class Suggestion:
    at: dt.datetime | None
    reason: str

    def overdue_minutes(self, now: dt.datetime) -> int:
        """Minutes past due (0 when not due yet): the record flags an overdue set."""
        if self.at is None or now <= self.at:
            return 0
        return int((now - self.at).total_seconds() // 60)


def suggested_next(
    taken: list[dt.datetime], dose_at: dt.datetime | None, discharged: bool = False
) -> Suggestion:
    """When the next set is due: every 15 min after the last set, and one at about
    40 min after the dose (whichever comes first)."""
    if discharged:
        return Suggestion(None, "The client has been discharged.")
    if not taken:
        return Suggestion(None, "Take a baseline set before dosing.")
    last = max(taken)
    every = Suggestion(last + interval(), f"every {interval().seconds // 60} minutes")
    if dose_at is None:
        return every
    peak = dose_at + peak_check()
    if (
        not peak_check_done(taken, dose_at)
        and last < peak + PEAK_WINDOW
        and peak <= (every.at or peak)
    ):
        minutes = peak_check().seconds // 60
        return Suggestion(peak, f"about {minutes} minutes after the dose, the peak BP rise")
    return every

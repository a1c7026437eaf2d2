"""The expected effect window of a ketamine dose, by route (issue 12 §3).

Data, not code: the session timeline draws it and the console's bar counts down to
its peak, both from `windows()`. Figures: ../shared/clinical-reference.md,
"Ketamine pharmacokinetics, for a session timeline" (Rolan 2013; Chong 2006;
Zanos 2018), in minutes after the dose:

- onset: the earliest time to peak the reference gives for the route (it gives no
  separate onset), so the band starts where a peak may already come;
- peak: the typical time to peak (the middle of a range when only a range is given);
- offset: the end of the "effect lasts" figure; None where the reference gives none
  (oral: "longer"), and then no end is drawn.

A practice may change any figure with the EFFECT_WINDOWS setting (same keys, e.g.
{"sublingual": {"peak": 40}}), checked at start-up (dosing/settings_check.py).
A planning aid from published averages, never a prediction for the person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PLANNING_NOTE = "A planning aid from published averages, not a prediction for this client."
# No figure may go beyond the longest observation the dosing settings allow.
MAX_MINUTES = 480


@dataclass(frozen=True)
class Window:
    route: str
    onset: int  # minutes after the dose
    peak: int
    offset: int | None
    source: str

    def band(self, dose_minute: float) -> tuple[float, float, float | None]:
        """(onset, peak, offset) on a timeline, for a dose at `dose_minute`."""
        end = dose_minute + self.offset if self.offset is not None else None
        return dose_minute + self.onset, dose_minute + self.peak, end

    def peak_at(self, given_at: dt.datetime) -> dt.datetime:
        return given_at + dt.timedelta(minutes=self.peak)


SOURCE = "Rolan 2013; Chong 2006; Zanos 2018"

# The keys are prescriptions.models.Route's values (an administration's route).
DEFAULT_WINDOWS: dict[str, Window] = {
    # Time to peak about 1–2 min; the effect lasts 15–30 min after a bolus.
    "intravenous": Window("intravenous", 1, 2, 30, SOURCE),
    # Time to peak 5–15 min; the effect lasts 0.5–2 h.
    "intramuscular": Window("intramuscular", 5, 10, 120, SOURCE),
    # Time to peak 14–23 min; the effect lasts 45–60 min.
    "intranasal": Window("intranasal", 14, 18, 60, SOURCE),
    # Time to peak about 45 min (range 15–60); the effect lasts 1–2 h.
    "sublingual": Window("sublingual", 15, 45, 120, SOURCE),
    # Time to peak about 1 h (no range given); the effect lasts "longer".
    "oral": Window("oral", 60, 60, None, SOURCE),
}

KEYS = ("onset", "peak", "offset")


def windows() -> dict[str, Window]:
    """The defaults with the practice's EFFECT_WINDOWS overrides applied; raises
    ImproperlyConfigured for an unknown route or key, or figures out of order."""
    merged = dict(DEFAULT_WINDOWS)
    overrides = getattr(settings, "EFFECT_WINDOWS", None) or {}
    if not isinstance(overrides, dict):
        raise ImproperlyConfigured("EFFECT_WINDOWS must be a JSON object by route.")
    for route, changes in overrides.items():
        if route not in merged:
            raise ImproperlyConfigured(
                f"EFFECT_WINDOWS names an unknown route {route!r}; "
                f"known: {', '.join(sorted(merged))}."
            )
        merged[route] = _override(merged[route], changes)
    return merged


def _override(base: Window, changes: Any) -> Window:
    name = f"EFFECT_WINDOWS[{base.route!r}]"
    if not isinstance(changes, dict):
        raise ImproperlyConfigured(f"{name} must be an object with {', '.join(KEYS)}.")
    unknown = set(changes) - set(KEYS)
    if unknown:
        raise ImproperlyConfigured(f"{name} has unknown keys: {sorted(unknown)}.")
    values: dict[str, Any] = {}
    for key, value in changes.items():
        if value is None and key == "offset":
            values[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ImproperlyConfigured(f"{name}[{key!r}] must be whole minutes, not {value!r}.")
        if not 0 <= value <= MAX_MINUTES:
            raise ImproperlyConfigured(f"{name}[{key!r}] must be 0–{MAX_MINUTES} minutes.")
        values[key] = value
    made = replace(base, **values, source=f"{base.source}, changed by EFFECT_WINDOWS")
    if not made.onset <= made.peak or (made.offset is not None and made.peak > made.offset):
        raise ImproperlyConfigured(f"{name}: onset ≤ peak ≤ offset, in minutes after the dose.")
    return made


def window_for(route: str) -> Window | None:
    """The route's window; None for a route without figures."""
    return windows().get(route)


def peak_words(minutes_to_peak: int) -> str:
    """ "Expected peak in N minutes", or "passed N minutes ago" once it is past."""
    if minutes_to_peak > 0:
        return f"Expected peak in {minutes_to_peak} minute{'s' if minutes_to_peak != 1 else ''}"
    ago = -minutes_to_peak
    if ago == 0:
        return "Expected peak now"
    return f"Expected peak passed {ago} minute{'s' if ago != 1 else ''} ago"

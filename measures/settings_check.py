"""The outcome-measure settings, checked once at start-up (`MeasuresConfig.ready`).

A cut-point or threshold outside its valid range would score, chart or count wrongly
(or fail on every request), so it stops start-up with `ImproperlyConfigured` naming
the setting, its value and the valid range.

- PCL5_CUT_POINT: a PCL-5 total that starts the "at or above" band, 1–80. The PCL-5
  total runs 0–80 (20 items scored 0–4; pcl5.json, National Center for PTSD); a
  cut-point of 0 would leave no band below it, which `measures.scoring.bands_for`
  refuses. The literature uses 31–33 (default 33), but any valid total is allowed.
- OUTCOMES_PHQ9_DENOMINATOR_MIN: a PHQ-9 total, 0–27 (9 items scored 0–3; phq9.json,
  Kroenke 2001). Default 10, as in CMS159 / NQF 0710.
- SAFETY_ALERT_ESCALATE_HOURS: at least 1.
- MEASURE_LINK_DAYS: at least 1.
"""

from __future__ import annotations

from typing import Any

from common.bounds import Bounds, check_bounds

# Setting name -> its valid range (sources in the module docstring).
BOUNDS: dict[str, Bounds] = {
    "PCL5_CUT_POINT": Bounds(1, 80, "a PCL-5 total; the literature uses 31–33"),
    "OUTCOMES_PHQ9_DENOMINATOR_MIN": Bounds(0, 27, "a PHQ-9 total; CMS159 uses 10"),
    "SAFETY_ALERT_ESCALATE_HOURS": Bounds(1, None, "hours"),
    "MEASURE_LINK_DAYS": Bounds(1, None, "days"),
}


def validate_settings(settings: Any) -> None:
    """Raise ImproperlyConfigured for the first setting outside its valid range."""
    check_bounds(settings, BOUNDS)

"""The dosing settings, checked once at start-up (`DosingConfig.ready`).

A dosing threshold outside its range would let a dose or a discharge through that
the practice did not mean to allow, so it stops start-up with ImproperlyConfigured.
Sources (../shared/clinical-reference.md, "Monitoring (Spravato)"): observation of
at least 2 hours; BP at about 40 minutes; vitals every 15 minutes in KAP practice.
The ranges below keep each setting within what those sources could mean: a
practice may be stricter (a longer observation, a fresher baseline), never looser
than the label's 2-hour observation.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from common.bounds import Bounds, check_bounds

BOUNDS: dict[str, Bounds] = {
    "DOSING_MIN_OBSERVATION_MINUTES": Bounds(120, 480, "minutes; the Spravato REMS asks 120"),
    "DOSING_VITALS_EVERY_MINUTES": Bounds(5, 30, "minutes; KAP practices use 15"),
    "DOSING_PEAK_BP_CHECK_MINUTES": Bounds(30, 60, "minutes; the label's peak is about 40"),
    "DOSING_BASELINE_MAX_AGE_MINUTES": Bounds(5, 120, "minutes"),
    "DOSING_BOOSTER_VITALS_MAX_AGE_MINUTES": Bounds(5, 30, "minutes"),
    "DOSING_PHQ9_MAX_AGE_HOURS": Bounds(1, 336, "hours; the PHQ-9 asks about two weeks"),
    "EMDR_COMPLETE_SUD_AT_MOST": Bounds(0, 10, "a SUD, 0–10"),
    "EMDR_COMPLETE_VOC_AT_LEAST": Bounds(1, 7, "a VOC, 1–7"),
}


# The gate and dose conditions are plug-in lists (common.plugins), so a practice may
# add its own; it may not drop one of these, which keep a dose safe (issues 3 and 8).
REQUIRED_CONDITIONS: dict[str, tuple[str, ...]] = {
    "PATHWAYS_GATE_CONDITIONS": (
        "treatment.gate.referral_condition",
        "treatment.gate.prescription_condition",
        "treatment.gate.consent_condition",
        "treatment.gate.release_condition",
        "treatment.gate.escort_condition",
        "measures.gate.safety_alerts_condition",
        "treatment.gate.preparation_condition",
    ),
    "PATHWAYS_DOSE_CONDITIONS": (
        "measures.gate.recent_phq9_condition",
        "dosing.rules.risk_check_condition",
    ),
}


def check_conditions(settings: Any) -> None:
    for name, required in REQUIRED_CONDITIONS.items():
        listed = list(getattr(settings, name, []))
        missing = [path for path in required if path not in listed]
        if missing:
            raise ImproperlyConfigured(
                f"{name} lacks {', '.join(missing)}: a dose would skip a safety "
                "condition. Add them back in pathways/settings.py."
            )


def validate_settings(settings: Any) -> None:
    """Raise ImproperlyConfigured for the first dosing setting outside its range,
    or a safety condition missing from the gate's lists."""
    check_bounds(settings, BOUNDS)
    check_conditions(settings)
    from prescriptions.ranges import ranges

    ranges()  # PRESCRIPTION_DOSE_RANGES: an unknown route or a bad range stops start-up
    from dosing.effect_window import windows

    windows()  # EFFECT_WINDOWS: an unknown route or figures out of order stop start-up

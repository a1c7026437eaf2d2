"""The rules a prescription's values must meet, for the form and the service alike.

The form shows these beside the fields; `prescriptions.services` runs them again
on every write, so that a crafted POST or a direct call meets them too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from common.dates import prescription_days
from prescriptions.queries import model_field
from prescriptions.ranges import dose_problems, limit_problems
from prescriptions.terms import PrescriptionTerms

HOLD_HOURS = (1, 168)  # from an hour to a week
HOLD_NAME_MAX = 80
TEXT_MAX = 2000
TEXT_FIELDS = ("range_override_reason", "holds_instructions", "fasting_instructions")
OVERRIDE_FIELD = "range_override_reason"


def terms_problems(
    terms: PrescriptionTerms, *, today: dt.date, sessions_used: int = 0
) -> dict[str, str]:
    """Field name -> message for every rule a write of `terms` breaks ({} when none).

    The rules of `prescription_problems`, and what the form checks field by field
    (each model field's range and choices, the text lengths, the dates, the
    sessions already used), so that a write that skips the form meets them too.
    """
    values = terms.as_fields()
    errors = prescription_problems(values)
    for name, value in values.items():
        if name == "holds" or name in errors:
            continue
        try:
            model_field(name).clean(value, None)
        except ValidationError as exc:
            errors[name] = " ".join(exc.messages)
    for name in TEXT_FIELDS:
        if name not in errors and len(values[name]) > TEXT_MAX:
            errors[name] = f"Keep this to {TEXT_MAX} characters or fewer."
    errors.update(
        {k: v for k, v in validity_problems(values, today=today).items() if k not in errors}
    )
    if "valid_to" not in errors and "valid_from" not in errors:
        if terms.valid_to < terms.valid_from:
            errors["valid_to"] = "The last valid day is before the first."
        elif terms.valid_to < today:
            errors["valid_to"] = "The last valid day has already passed."
    if "sessions_authorised" not in errors and terms.sessions_authorised < sessions_used:
        errors["sessions_authorised"] = (
            f"{sessions_used} dosing sessions have already used this prescription; "
            "authorise at least that many."
        )
    return errors


def validity_problems(data: dict[str, Any], *, today: dt.date) -> dict[str, str]:
    """Each validity day outside `common.dates.prescription_days` (a few years either
    side of today): 0001-01-01 or 9999-12-31 is a slip, never a prescription."""
    days = prescription_days(today)
    errors: dict[str, str] = {}
    for name in ("valid_from", "valid_to"):
        value = data.get(name)
        if isinstance(value, dt.date):
            problem = days.problem(value, "a day")
            if problem:
                errors[name] = problem
    return errors


def prescription_problems(data: dict[str, Any]) -> dict[str, str]:
    """Field name -> message for each rule the values break ({} when none)."""
    errors: dict[str, str] = {}
    route: str = data.get("route") or ""
    dose = _decimal(data.get("dose_mg"))
    booster = _decimal(data.get("booster_mg"))
    weight = _decimal(data.get("weight_kg"))
    per_kg = _decimal(data.get("dose_mg_per_kg"))
    reason = (data.get(OVERRIDE_FIELD) or "").strip()

    if not data.get("modality"):
        errors["modality"] = "Choose what the prescription authorises: KAP, KA-EMDR or both."
    if per_kg is not None and weight is None:
        errors["weight_kg"] = "A dose per kg needs the patient's weight."
    if per_kg is not None and weight is not None and dose is not None:
        expected = (per_kg * weight).quantize(Decimal("0.1"))
        if abs(expected - dose) > Decimal("1"):
            errors["dose_mg"] = (
                f"{per_kg} mg/kg for {weight} kg is {expected} mg, not {dose} mg: "
                "correct one of them."
            )
    unusual: list[str] = []
    if route and dose is not None:
        refused, odd = dose_problems(route, dose, weight)
        if refused:
            target = "weight_kg" if "weight" in refused[0] and "enter" in refused[0] else "dose_mg"
            errors.setdefault(target, " ".join(refused))
        unusual += odd
    if booster is not None:
        if data.get("booster_after_minutes") is None:
            errors["booster_after_minutes"] = "Say how long after the dose a booster may be given."
        if route and dose is not None:
            refused, _ = dose_problems(route, dose + booster, weight)
            if refused:
                errors.setdefault(
                    "booster_mg", "The dose and the booster together: " + " ".join(refused)
                )
            # A booster is usually a fraction of the first dose (clinical-reference.md).
            if booster > dose:
                unusual.append(f"The booster ({booster} mg) is larger than the dose ({dose} mg).")
    elif data.get("booster_after_minutes") is not None:
        errors["booster_after_minutes"] = "Leave this empty when no booster is authorised."
    if unusual and not reason and not (set(errors) & {"dose_mg", "booster_mg"}):
        errors[OVERRIDE_FIELD] = (
            " ".join(unusual) + " Write the clinical reason to prescribe it (an override)."
        )
    for name in ("fasting_solids_hours", "fasting_liquids_hours"):
        if data.get(name) is None:
            errors[name] = "Enter the hours (0 for none)."
    solids, liquids = data.get("fasting_solids_hours"), data.get("fasting_liquids_hours")
    if solids is not None and liquids is not None and liquids > solids:
        errors["fasting_liquids_hours"] = (
            "Clear liquids are usually allowed closer to dosing than food: check the hours."
        )
    holds_error = _holds_problem(data.get("holds") or [])
    if holds_error:
        errors["holds"] = holds_error
    errors.update({k: v for k, v in limit_problems(data).items() if k not in errors})
    return errors


def _decimal(value: Any) -> Decimal | None:
    """A service call may pass an int or a string; the rules compare decimals."""
    return None if value is None or value == "" else Decimal(str(value))


def _holds_problem(holds: list[Any]) -> str:
    low, high = HOLD_HOURS
    seen: set[str] = set()
    for hold in holds:
        if not isinstance(hold, dict):
            return "Each hold needs a medication and the hours."
        name = str(hold.get("medication") or "").strip()
        hours = hold.get("hours")
        if not name or not isinstance(hours, int) or isinstance(hours, bool):
            return "Each hold needs a medication and the hours."
        if len(name) > HOLD_NAME_MAX:
            return f"Name each medication in {HOLD_NAME_MAX} characters or fewer."
        if not low <= hours <= high:
            return f"Hold hours run from {low} to {high}: {name} has {hours}."
        if name.lower() in seen:
            return f"{name} is listed twice."
        seen.add(name.lower())
    return ""

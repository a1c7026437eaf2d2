"""Dose ranges by route, and the plausible range of each vital-sign limit.

Data, not code: the prescription form and service, and the dosing record, all
read their limits from here, so one place says what "usual" and "refused" mean.

Dose ranges: ../shared/clinical-reference.md, "Dose ranges by route", each
route with its source below. A dose outside the route's usual range needs the
prescriber's written reason (an override); a dose above the "refuse above"
limit is refused whatever the reason. The practice's prescriber can change the
defaults with the PRESCRIPTION_DOSE_RANGES setting (same keys), checked at
start-up. None of this decides a dose: it catches typing errors and asks for a
reason where the literature gives none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

D = Decimal


@dataclass(frozen=True)
class RouteRange:
    route: str
    # The usual range, in mg (fixed dose) and/or mg/kg (weight-based); None: not given.
    usual_mg: tuple[Decimal, Decimal] | None
    usual_mg_per_kg: tuple[Decimal, Decimal] | None
    # Refused above: per kg when the weight is known, else the fixed cap.
    refuse_above_mg: Decimal | None
    refuse_above_mg_per_kg: Decimal | None
    # Dosed by weight: the prescription must give the patient's weight.
    needs_weight: bool
    source: str


DEFAULT_RANGES: dict[str, RouteRange] = {
    # Lozenges 100–400 mg (Journey Clinical; Wolfson's published protocol); KA-EMDR
    # 37.5–75 mg (Topel & Ciccone 2025, Eur J Psychotraumatol), hence the lower end.
    "sublingual": RouteRange(
        "sublingual",
        (D("37.5"), D("400")),
        None,
        D("800"),
        None,
        False,
        "Journey Clinical and Wolfson's protocol (100–400 mg); Topel & Ciccone 2025 "
        "(KA-EMDR 37.5–75 mg)",
    ),
    # Andrade, J Clin Psychiatry, "Oral ketamine for depression: practical considerations".
    "oral": RouteRange(
        "oral",
        (D("25"), D("300")),
        (D("0.25"), D("7.0")),
        D("800"),
        D("7.0"),
        False,
        "Andrade, J Clin Psychiatry (25–300 mg, or 0.25–7.0 mg/kg)",
    ),
    # Krupitsky et al. 2002, J Subst Abuse Treat 23(4):273 (0.2 sub-psychedelic, 2.0 psychedelic).
    "intramuscular": RouteRange(
        "intramuscular",
        None,
        (D("0.2"), D("2.0")),
        D("200"),
        D("2.5"),
        True,
        "Krupitsky et al. 2002, J Subst Abuse Treat (0.2–2.0 mg/kg)",
    ),
    # Zarate 2006 (0.5 mg/kg over 40 min; up to 1.0 mg/kg studied).
    "intravenous": RouteRange(
        "intravenous",
        None,
        (D("0.0"), D("0.5")),
        None,
        D("1.0"),
        True,
        "Zarate 2006 and infusion-clinic practice (0.5 mg/kg over 40 min)",
    ),
    # Spravato (esketamine) label: 56 or 84 mg.
    "intranasal": RouteRange(
        "intranasal",
        (D("56"), D("84")),
        None,
        D("84"),
        None,
        False,
        "Spravato label and REMS (56 or 84 mg)",
    ),
}


def ranges() -> dict[str, RouteRange]:
    """The defaults, with the practice's PRESCRIPTION_DOSE_RANGES overrides applied."""
    merged = dict(DEFAULT_RANGES)
    for route, changes in (getattr(settings, "PRESCRIPTION_DOSE_RANGES", None) or {}).items():
        if route not in merged:
            raise ImproperlyConfigured(
                f"PRESCRIPTION_DOSE_RANGES names an unknown route {route!r}; "
                f"known: {', '.join(sorted(merged))}."
            )
        merged[route] = _override(merged[route], changes)
    return merged


def _override(base: RouteRange, changes: dict[str, Any]) -> RouteRange:
    allowed = {"usual_mg", "usual_mg_per_kg", "refuse_above_mg", "refuse_above_mg_per_kg"}
    unknown = set(changes) - allowed
    if unknown:
        raise ImproperlyConfigured(
            f"PRESCRIPTION_DOSE_RANGES[{base.route!r}] has unknown keys: {sorted(unknown)}."
        )
    values: dict[str, Any] = {}
    for key, value in changes.items():
        if key.startswith("usual"):
            low, high = (D(str(v)) for v in value)
            if not 0 <= low <= high:
                raise ImproperlyConfigured(
                    f"PRESCRIPTION_DOSE_RANGES[{base.route!r}][{key!r}] must be (low, high) "
                    f"with 0 <= low <= high; got {value!r}."
                )
            values[key] = (low, high)
        else:
            number = D(str(value))
            if number <= 0:
                raise ImproperlyConfigured(
                    f"PRESCRIPTION_DOSE_RANGES[{base.route!r}][{key!r}] must be above 0."
                )
            values[key] = number
    return replace(base, **values)


def range_for(route: str) -> RouteRange | None:
    return ranges().get(route)


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def dose_problems(
    route: str, dose_mg: Decimal, weight_kg: Decimal | None
) -> tuple[list[str], list[str]]:
    """(refusals, unusual): why the dose is refused, and why it needs a reason."""
    spec = range_for(route)
    if spec is None:
        return [], []
    refusals: list[str] = []
    unusual: list[str] = []
    if spec.needs_weight and weight_kg is None:
        refusals.append(f"{route.capitalize()} ketamine is dosed by weight: enter the weight.")
        return refusals, unusual
    if weight_kg is not None and spec.refuse_above_mg_per_kg is not None:
        per_kg = dose_mg / weight_kg
        if per_kg > spec.refuse_above_mg_per_kg:
            refusals.append(
                f"{_fmt(dose_mg)} mg is {per_kg:.2f} mg/kg, above the "
                f"{_fmt(spec.refuse_above_mg_per_kg)} mg/kg that is refused for this route "
                f"({spec.source})."
            )
    elif spec.refuse_above_mg is not None and dose_mg > spec.refuse_above_mg:
        refusals.append(
            f"{_fmt(dose_mg)} mg is above the {_fmt(spec.refuse_above_mg)} mg that is refused "
            f"for this route ({spec.source})."
        )
    if refusals:
        return refusals, unusual
    in_usual = False
    if spec.usual_mg is not None and spec.usual_mg[0] <= dose_mg <= spec.usual_mg[1]:
        in_usual = True
    if weight_kg is not None and spec.usual_mg_per_kg is not None:
        low, high = spec.usual_mg_per_kg
        if low <= dose_mg / weight_kg <= high:
            in_usual = True
    if not in_usual:
        unusual.append(f"{_fmt(dose_mg)} mg is outside the usual range ({spec.source}).")
    return refusals, unusual


# --- Vital-sign limits: the plausible range of each limit a prescriber sets ---------
# A limit outside these is a typing error, not a clinical choice. Sources: ACC/AHA
# 2017 blood-pressure guideline (stage 2 hypertension from 140/90, a hypertensive
# crisis above 180/120: no dosing limit above 180/110 is plausible; hypotension below
# 90/60); AHA resting heart rate 60–100/min; pulse oximetry: normal 95–100%, below 90%
# is hypoxaemia. "Many clinics do not dose above 140/90" (clinical-reference.md).
LIMIT_BOUNDS: dict[str, tuple[int, int]] = {
    "min_systolic": (70, 120),
    "max_systolic": (100, 180),
    "min_diastolic": (40, 80),
    "max_diastolic": (60, 110),
    "hr_min": (40, 80),
    "hr_max": (80, 150),
    "spo2_min": (85, 99),
    "spo2_max": (95, 100),
}


def limit_problems(values: dict[str, Any]) -> dict[str, str]:
    """Field name -> message, for each limit outside plausibility or inconsistent."""
    errors: dict[str, str] = {}
    for name, (low, high) in LIMIT_BOUNDS.items():
        value = values.get(name)
        if value is not None and not low <= value <= high:
            errors[name] = f"Enter a limit from {low} to {high}: {value} is not plausible."
    pairs = [
        ("min_systolic", "max_systolic", "systolic"),
        ("min_diastolic", "max_diastolic", "diastolic"),
        ("hr_min", "hr_max", "heart-rate"),
        ("spo2_min", "spo2_max", "SpO2"),
    ]
    for low_name, high_name, what in pairs:
        lowest, highest = values.get(low_name), values.get(high_name)
        if (
            lowest is not None
            and highest is not None
            and lowest >= highest
            and high_name not in errors
        ):
            errors[high_name] = f"The highest {what} limit must be above the lowest."
    systolic, diastolic = values.get("max_systolic"), values.get("max_diastolic")
    if (
        systolic is not None
        and diastolic is not None
        and diastolic >= systolic
        and "max_diastolic" not in errors
    ):
        errors["max_diastolic"] = "The diastolic limit must be below the systolic."
    return errors

"""What a prescriber writes: the terms of one prescription version, as a typed value.

The portal's form builds it from what was typed (`PrescriptionForm.terms()`); a
revision that changes a few values starts from the version's own terms
(`PrescriptionTerms.of(rx)`) and replaces them (`dataclasses.replace`). The
services check the terms against every rule (`prescriptions.validation`) before
they store them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from prescriptions.models import Prescription


@dataclass(frozen=True)
class Hold:
    """A medication the client holds for `hours` before dosing."""

    medication: str
    hours: int


@dataclass(frozen=True)
class PrescriptionTerms:
    # The field names are the model's (prescriptions.queries.EDITABLE_FIELDS).
    modality: str
    route: str
    dose_mg: Decimal
    sessions_authorised: int
    valid_from: dt.date
    valid_to: dt.date
    fasting_solids_hours: Decimal | None
    fasting_liquids_hours: Decimal | None
    min_systolic: int
    max_systolic: int
    min_diastolic: int
    max_diastolic: int
    hr_min: int
    hr_max: int
    spo2_min: int
    spo2_max: int
    weight_kg: Decimal | None = None
    dose_mg_per_kg: Decimal | None = None
    booster_mg: Decimal | None = None
    booster_after_minutes: int | None = None
    range_override_reason: str = ""
    holds: tuple[Hold, ...] = ()
    holds_instructions: str = ""
    fasting_instructions: str = ""

    @classmethod
    def of(cls, rx: Prescription) -> PrescriptionTerms:
        """The terms `rx` was written with."""
        values = {f.name: getattr(rx, f.name) for f in fields(cls) if f.name != "holds"}
        holds = tuple(Hold(str(h["medication"]), int(str(h["hours"]))) for h in rx.hold_list())
        return cls(**values, holds=holds)

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> PrescriptionTerms:
        """From a form's cleaned values (field name -> value, holds as dicts)."""
        names = {f.name for f in fields(cls)} - {"holds"}
        holds = tuple(
            Hold(str(h["medication"]), int(h["hours"])) for h in values.get("holds") or []
        )
        return cls(**{name: values[name] for name in names if name in values}, holds=holds)

    def as_fields(self) -> dict[str, Any]:
        """Model field name -> value, as `Prescription` stores them."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["holds"] = [{"medication": h.medication, "hours": h.hours} for h in self.holds]
        return values

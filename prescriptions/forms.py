from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils import timezone

from common.dates import prescription_days
from prescriptions.models import Prescription
from prescriptions.queries import EDITABLE_FIELDS, model_field
from prescriptions.ranges import LIMIT_BOUNDS
from prescriptions.terms import PrescriptionTerms
from prescriptions.validation import (
    HOLD_HOURS,
    HOLD_NAME_MAX,
    TEXT_MAX,
    prescription_problems,
    validity_problems,
)

HOLD_ROWS = 5
# Suggested rows, from the holds prescribers commonly give (clinical-reference.md,
# "Medication holds"); the hours are the prescriber's to fill in.
HOLD_SUGGESTIONS = [
    "Benzodiazepines",
    "ADHD stimulants",
    "Alcohol and cannabis",
    "Opioids",
    "Antihistamines",
]


def suggested_initial() -> dict[str, Any]:
    """Suggestions for a new prescription, only where a published source gives one.

    "Many clinics do not dose above a resting BP of 140/90"
    (../shared/clinical-reference.md, "KAP practice facts", "Monitoring (Spravato)").
    The prescriber may change it; every other parameter is theirs to fill in.
    The numbers can be set in settings; pathways/settings.py does not define them yet.
    """
    return {
        "max_systolic": getattr(settings, "PRESCRIPTION_SUGGESTED_MAX_SYSTOLIC", 140),
        "max_diastolic": getattr(settings, "PRESCRIPTION_SUGGESTED_MAX_DIASTOLIC", 90),
        **{f"hold_{i}_medication": name for i, name in enumerate(HOLD_SUGGESTIONS)},
    }


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text_widget() -> forms.Textarea:
    return forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX})


class PrescriptionForm(forms.ModelForm[Prescription]):
    """Write or revise a prescription. The medication is fixed: ketamine."""

    class Meta:
        model = Prescription
        fields = [name for name in EDITABLE_FIELDS if name != "holds"]
        labels = {
            "modality": "Authorised for",
            "route": "Route and formulation",
            "sessions_authorised": "Dosing sessions authorised",
            "valid_from": "Valid from",
            "valid_to": "Valid to (last day)",
        }
        help_texts = {
            "sessions_authorised": (
                "From 1 to 50. Counts across every version of this prescription."
            ),
            "booster_mg": "Leave empty for none. Usually a fraction of the dose (up to half).",
            "weight_kg": "Needed for intramuscular and intravenous doses (dosed by weight).",
            "dose_mg_per_kg": "With the weight, the dose in mg follows from it.",
            "range_override_reason": (
                "Needed only when the dose is outside the route's usual range, or the "
                "booster is larger than the dose."
            ),
        }
        widgets = {
            "valid_from": _date_widget(),
            "valid_to": _date_widget(),
            "holds_instructions": _text_widget(),
            "fasting_instructions": _text_widget(),
            "range_override_reason": _text_widget(),
        }

    def __init__(self, *args: Any, sessions_used: int = 0, **kwargs: Any) -> None:
        given_modality = "modality" in (kwargs.get("initial") or {})
        super().__init__(*args, **kwargs)
        self.sessions_used = sessions_used
        # A revision starts from the version's holds (passed as initial); an edit of a
        # stored row from its own. Without this a revision would drop every hold.
        given_holds = (kwargs.get("initial") or {}).get("holds")
        holds = (
            given_holds
            if given_holds is not None
            else (self.instance.hold_list() if self.instance.pk else None)
        )
        # Five rows, and always one spare beyond the holds already written.
        self.hold_count = max(HOLD_ROWS, len(holds or []) + 1)
        low, high = HOLD_HOURS
        for i in range(self.hold_count):
            self.fields[f"hold_{i}_medication"] = forms.CharField(
                label=f"Medication to hold ({i + 1})", required=False, max_length=HOLD_NAME_MAX
            )
            self.fields[f"hold_{i}_hours"] = forms.IntegerField(
                label=f"Hours before dosing ({i + 1})",
                required=False,
                min_value=low,
                max_value=high,
                widget=forms.NumberInput(attrs={"min": low, "max": high}),
            )
        if holds is not None and not self.is_bound:
            for i in range(self.hold_count):
                self.initial.pop(f"hold_{i}_medication", None)
            for i, hold in enumerate(holds):
                self.initial[f"hold_{i}_medication"] = hold["medication"]
                self.initial[f"hold_{i}_hours"] = hold["hours"]
        # The model's ranges, enforced by the form field too (and shown as min/max).
        for name, field in self.fields.items():
            if name.startswith("hold_") or not isinstance(
                field, forms.IntegerField | forms.DecimalField
            ):
                continue
            for validator in model_field(name).validators:
                if isinstance(validator, MinValueValidator):
                    field.validators.append(MinValueValidator(validator.limit_value))
                    field.widget.attrs["min"] = validator.limit_value
                elif isinstance(validator, MaxValueValidator):
                    field.validators.append(MaxValueValidator(validator.limit_value))
                    field.widget.attrs["max"] = validator.limit_value
        self.fields["booster_mg"].error_messages["min_value"] = (
            "A booster dose, if given, must be at least 1 mg."
        )
        route = self.fields["route"]
        route.choices = [("", "Choose a route"), *list(route.choices)[1:]]  # type: ignore[attr-defined]
        for name in ("holds_instructions", "fasting_instructions", "range_override_reason"):
            self.fields[name].validators.append(MaxLengthValidator(TEXT_MAX))
        # The dose in mg may follow from the weight and the dose per kg (see clean()).
        self.fields["dose_mg"].required = False
        for name in ("fasting_solids_hours", "fasting_liquids_hours"):
            self.fields[name].required = True
            self.fields[name].widget.attrs["step"] = "0.5"
        # No default on the form: the prescriber chooses what the prescription covers.
        modality: Any = self.fields["modality"]
        modality.choices = [("", "Choose"), *[c for c in modality.choices if c[0] != ""]]
        if not self.instance.pk and not given_modality:
            self.initial.pop("modality", None)
            modality.initial = None
        days = prescription_days()
        for name in ("valid_from", "valid_to"):
            self.fields[name].widget.attrs.update(
                {"min": days.earliest.isoformat(), "max": days.latest.isoformat()}
            )
        # The plausible range of each limit (prescriptions/ranges.py), shown as min/max.
        for name, (low_limit, high_limit) in LIMIT_BOUNDS.items():
            self.fields[name].widget.attrs.update({"min": low_limit, "max": high_limit})

    def hold_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"hold_{i}_medication"], self[f"hold_{i}_hours"]) for i in range(self.hold_count)
        ]

    def _clean_holds(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        holds = []
        for i in range(self.hold_count):
            name = (data.get(f"hold_{i}_medication") or "").strip()
            hours = data.get(f"hold_{i}_hours")
            if name and hours is None and f"hold_{i}_hours" not in self.errors:
                self.add_error(f"hold_{i}_hours", f"Enter how many hours to hold {name}.")
            elif hours is not None and not name:
                self.add_error(f"hold_{i}_medication", "Name the medication to hold.")
            elif name and hours is not None:
                holds.append({"medication": name, "hours": hours})
        return holds

    def terms(self) -> PrescriptionTerms:
        """The cleaned values, as the services take them (after `is_valid()`)."""
        return PrescriptionTerms.from_values(self.cleaned_data)

    def save(self, commit: bool = True) -> Prescription:
        self.instance.holds = self.cleaned_data.get("holds", [])
        saved: Prescription = super().save(commit=commit)
        return saved

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, message in validity_problems(data, today=timezone.localdate()).items():
            self.add_error(name, message)
            data.pop(name, None)
        start: dt.date | None = data.get("valid_from")
        end: dt.date | None = data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", "The last valid day is before the first.")
        elif end and end < timezone.localdate():
            self.add_error("valid_to", "The last valid day has already passed.")
        data["holds"] = self._clean_holds(data)
        weight, per_kg = data.get("weight_kg"), data.get("dose_mg_per_kg")
        if data.get("dose_mg") is None and "dose_mg" not in self.errors:
            if weight is not None and per_kg is not None:
                data["dose_mg"] = (weight * per_kg).quantize(Decimal("0.1"))
                self.instance.dose_mg = data["dose_mg"]
            else:
                self.add_error("dose_mg", "This field is required.")
        # The same rules the service enforces, each beside its field.
        for name, message in prescription_problems(data).items():
            target = name if name in self.fields else "hold_0_medication"
            if target not in self.errors:
                self.add_error(target, message)
        sessions = data.get("sessions_authorised")
        if sessions is not None and sessions < self.sessions_used:
            self.add_error(
                "sessions_authorised",
                f"{self.sessions_used} dosing sessions have already used this prescription; "
                "authorise at least that many.",
            )
        return data


class DiscontinueForm(forms.Form):
    reason = forms.CharField(
        label="Reason for discontinuing",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX}),
        help_text=(
            "The practice sees this at once. "
            "No dosing session can use the prescription afterwards."
        ),
        error_messages={"required": "Give the reason for discontinuing."},
    )

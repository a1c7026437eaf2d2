from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils import timezone

from pathways.forms import AccessibleErrorsMixin
from prescriptions.models import Prescription
from prescriptions.queries import EDITABLE_FIELDS, model_field

TEXT_MAX = 2000


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
    }


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text_widget() -> forms.Textarea:
    return forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX})


class PrescriptionForm(AccessibleErrorsMixin, forms.ModelForm):
    """Write or revise a prescription. The medication is fixed: ketamine."""

    class Meta:
        model = Prescription
        fields = EDITABLE_FIELDS
        labels = {
            "route": "Route and formulation",
            "sessions_authorised": "Dosing sessions authorised",
            "valid_from": "Valid from",
            "valid_to": "Valid to (last day)",
        }
        help_texts = {
            "sessions_authorised": (
                "From 1 to 50. Counts across every version of this prescription."
            ),
            "booster_mg": "Leave empty for none.",
        }
        widgets = {
            "valid_from": _date_widget(),
            "valid_to": _date_widget(),
            "holds_instructions": _text_widget(),
            "fasting_instructions": _text_widget(),
        }

    def __init__(self, *args: Any, sessions_used: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions_used = sessions_used
        # The model's ranges, enforced by the form field too (and shown as min/max).
        for name, field in self.fields.items():
            if not isinstance(field, forms.IntegerField | forms.DecimalField):
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
        for name in ("holds_instructions", "fasting_instructions"):
            self.fields[name].validators.append(MaxLengthValidator(TEXT_MAX))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("valid_from")
        end: dt.date | None = data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", "The last valid day is before the first.")
        elif end and end < timezone.localdate():
            self.add_error("valid_to", "The last valid day has already passed.")
        hr_min, hr_max = data.get("hr_min"), data.get("hr_max")
        if hr_min is not None and hr_max is not None and hr_min >= hr_max:
            self.add_error("hr_max", "The highest heart rate must be above the lowest.")
        systolic, diastolic = data.get("max_systolic"), data.get("max_diastolic")
        if systolic is not None and diastolic is not None and diastolic >= systolic:
            self.add_error("max_diastolic", "The diastolic limit must be below the systolic.")
        sessions = data.get("sessions_authorised")
        if sessions is not None and sessions < self.sessions_used:
            self.add_error(
                "sessions_authorised",
                f"{self.sessions_used} dosing sessions have already used this prescription; "
                "authorise at least that many.",
            )
        return data


class DiscontinueForm(AccessibleErrorsMixin, forms.Form):
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

"""Forms of the EMDR record. Ranges: VOC 1–7, SUD 0–10 (clinical-reference.md,
"EMDR session data"); a value out of range is an error beside its field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from bls.models import BlsType, EmdrRecord, Phase
from pathways.forms import AccessibleErrorsMixin

SUD_HELP = "0 (no disturbance) to 10 (the worst)."
VOC_HELP = "1 (completely false) to 7 (completely true)."


def sud_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=10,
        help_text=SUD_HELP,
        error_messages={
            "min_value": "SUD is from 0 to 10.",
            "max_value": "SUD is from 0 to 10.",
            "invalid": "Enter a whole number from 0 to 10.",
        },
    )


def voc_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=7,
        help_text=VOC_HELP,
        error_messages={
            "min_value": "VOC is from 1 to 7.",
            "max_value": "VOC is from 1 to 7.",
            "invalid": "Enter a whole number from 1 to 7.",
        },
    )


def _text(rows: int = 3, maxlength: int = 2000) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": maxlength})


class PhaseForm(forms.Form):
    phase = forms.TypedChoiceField(choices=Phase.choices, coerce=int)


class AssessmentForm(AccessibleErrorsMixin, forms.ModelForm):
    voc_start = voc_field("VOC at start (how true the positive cognition feels)")
    sud_start = sud_field("SUD at start")

    class Meta:
        model = EmdrRecord
        fields = [
            "target_memory",
            "image",
            "negative_cognition",
            "positive_cognition",
            "voc_start",
            "emotions",
            "sud_start",
            "body_location",
        ]
        labels = {
            "target_memory": "Target memory",
            "image": "Worst image",
            "negative_cognition": "Negative cognition",
            "positive_cognition": "Positive cognition",
            "emotions": "Emotions",
        }
        widgets = {"target_memory": _text(), "image": _text()}


class ClosingForm(AccessibleErrorsMixin, forms.ModelForm):
    installation_voc = voc_field("Installation VOC")
    sud_end = sud_field("SUD at end")
    voc_end = voc_field("VOC at end")
    # Radio buttons without the blank "---------" choice; still optional.
    closure = forms.ChoiceField(
        label="Closure",
        choices=EmdrRecord.Closure.choices,
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = EmdrRecord
        fields = ["installation_voc", "body_scan", "closure", "sud_end", "voc_end"]
        labels = {"body_scan": "Body scan"}
        widgets = {"body_scan": _text()}


class SetForm(AccessibleErrorsMixin, forms.Form):
    bls_type = forms.ChoiceField(label="BLS type", choices=BlsType.choices, initial=BlsType.EYES)
    # 1 Hz is the usual default; 0.8–1.2 Hz was studied (van Veen 2015).
    speed_hz = forms.DecimalField(
        label="Speed (Hz)",
        min_value=Decimal("0.1"),
        max_value=Decimal("5"),
        max_digits=3,
        decimal_places=1,
        initial=Decimal("1.0"),
        widget=forms.NumberInput(attrs={"step": "0.1"}),
    )
    # About 24 passes is a usual start.
    passes = forms.IntegerField(
        label="Passes", required=False, min_value=1, max_value=1000, initial=24
    )
    seconds = forms.IntegerField(label="Seconds", required=False, min_value=1, max_value=3600)
    client_report = forms.CharField(
        label="The client's report", required=False, max_length=2000, widget=_text(2)
    )
    sud = sud_field("SUD (if checked)")
    interweave = forms.CharField(
        label="Interweave (if any)", required=False, max_length=2000, widget=_text(2)
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("passes") is None
            and data.get("seconds") is None
            and "passes" not in self.errors
            and "seconds" not in self.errors
        ):
            self.add_error("passes", "Enter the number of passes or the seconds.")
        return data

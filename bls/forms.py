"""Forms of the EMDR record. Ranges: VOC 1–7, SUD 0–10 (clinical-reference.md,
"EMDR session data"); a value out of range is an error beside its field. The
services check the same rules (`bls.rules`); what they refuse is put beside the
field too (`ServiceErrorsMixin.refused`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from bls import rules
from bls.models import (
    SUD_MAX,
    SUD_MIN,
    SUD_RANGE_MESSAGE,
    VOC_MAX,
    VOC_MIN,
    VOC_RANGE_MESSAGE,
    BlsType,
    EmdrRecord,
    Phase,
)
from bls.services import PASSES_MAX, SECONDS_MAX, SPEED_HZ_MAX, SPEED_HZ_MIN, EmdrError

# A datetime-local input's value (the practice's time zone).
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
SUD_HELP = f"{SUD_MIN} (no disturbance) to {SUD_MAX} (the worst)."
VOC_HELP = f"{VOC_MIN} (completely false) to {VOC_MAX} (completely true)."


class ServiceErrorsMixin:
    """A form that can show what the service refused, beside the fields it names."""

    _refusal: dict[str, str] | None = None

    def refused(self, error: EmdrError) -> None:
        """Clean again with the service's errors added, so that those inputs are marked
        (aria-invalid, the error beside them) as the form's own errors are. What was
        typed stays."""
        self._refusal = error.errors or {"": str(error)}
        self.full_clean()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}  # type: ignore[misc]
        form: forms.BaseForm = self  # type: ignore[assignment]
        for name, message in (self._refusal or {}).items():
            form.add_error(name if name in form.fields else None, message)
        return data


def sud_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=SUD_MIN,
        max_value=SUD_MAX,
        help_text=SUD_HELP,
        error_messages={
            "min_value": SUD_RANGE_MESSAGE,
            "max_value": SUD_RANGE_MESSAGE,
            "invalid": rules.SUD_NOT_A_NUMBER,
        },
    )


def voc_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=VOC_MIN,
        max_value=VOC_MAX,
        help_text=VOC_HELP,
        error_messages={
            "min_value": VOC_RANGE_MESSAGE,
            "max_value": VOC_RANGE_MESSAGE,
            "invalid": rules.VOC_NOT_A_NUMBER,
        },
    )


def _text(rows: int = 3, maxlength: int = 2000) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": maxlength})


class PlannedEndForm(ServiceErrorsMixin, forms.Form):
    """When reprocessing is planned to end; empty clears the plan. The service holds
    it to within a day of the session."""

    planned_reprocessing_end = forms.DateTimeField(
        label="Planned end of reprocessing",
        required=False,
        input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
        help_text="The record flags a dose whose expected peak falls after it. "
        "Leave empty for no plan.",
        error_messages={"invalid": "Enter a date and time, e.g. 2026-05-04 14:30."},
    )


class PhaseForm(forms.Form):
    phase = forms.TypedChoiceField(choices=Phase.choices, coerce=int)


class AssessmentForm(ServiceErrorsMixin, forms.ModelForm[EmdrRecord]):
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


class ClosingForm(ServiceErrorsMixin, forms.ModelForm[EmdrRecord]):
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
    closure_reason = forms.CharField(
        label="Why the session is incomplete",
        required=False,
        max_length=2000,
        help_text="Required when the closure is Incomplete.",
        widget=_text(2),
    )

    class Meta:
        model = EmdrRecord
        fields = [
            "installation_voc",
            "body_scan",
            "sud_end",
            "voc_end",
            "closure",
            "closure_reason",
        ]
        labels = {"body_scan": "Body scan"}
        widgets = {"body_scan": _text()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["closure"].help_text = rules.closure_rule()  # thresholds are settings


class SetForm(ServiceErrorsMixin, forms.Form):
    bls_type = forms.ChoiceField(label="BLS type", choices=BlsType.choices, initial=BlsType.EYES)
    # 1 Hz is the usual default; 0.8–1.2 Hz was studied (van Veen 2015).
    speed_hz = forms.DecimalField(
        label="Speed (Hz)",
        min_value=SPEED_HZ_MIN,
        max_value=SPEED_HZ_MAX,
        max_digits=3,
        decimal_places=1,
        initial=Decimal("1.0"),
        widget=forms.NumberInput(attrs={"step": "0.1"}),
    )
    # About 24 passes is a usual start.
    passes = forms.IntegerField(
        label="Passes", required=False, min_value=1, max_value=PASSES_MAX, initial=24
    )
    seconds = forms.IntegerField(
        label="Seconds", required=False, min_value=1, max_value=SECONDS_MAX
    )
    client_report = forms.CharField(
        label="The client's report", required=False, max_length=2000, widget=_text(2)
    )
    sud = sud_field("SUD (if checked)")
    interweave = forms.CharField(
        label="Interweave (if any)", required=False, max_length=2000, widget=_text(2)
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("passes") is None
            and data.get("seconds") is None
            and "passes" not in self.errors
            and "seconds" not in self.errors
        ):
            self.add_error("passes", "Enter the number of passes or the seconds.")
        return data


class SetReportForm(ServiceErrorsMixin, forms.Form):
    """After a set the display ran (and logged): the client's report, SUD, interweave."""

    client_report = forms.CharField(
        label="The client's report", required=False, max_length=2000, widget=_text(2)
    )
    sud = sud_field("SUD (if checked)")
    interweave = forms.CharField(
        label="Interweave (if any)", required=False, max_length=2000, widget=_text(2)
    )

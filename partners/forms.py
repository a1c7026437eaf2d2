"""Forms for referring a client, and for each step of a referral."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from clients.models import Client
from common.dates import bound_datetime
from consents.queries import release_in_force
from partners.models import Partner, Step
from partners.prescreen import ANSWERS, PRESCREEN_ITEMS
from partners.services import REASON_MAX, TEXT_MAX

PRESCREEN_PREFIX = "prescreen_"
# How far from today an evaluation date may be: catches a mistyped year.
EVALUATION_WINDOW = timedelta(days=365)


def no_release_message(partner: Partner) -> str:
    return (
        f"No signed release of information to {partner.name} is on file. "
        "Send one from the client page first."
    )


def _textarea(max_length: int, rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": max_length})


class ReferralForm(forms.Form):
    partner = forms.ModelChoiceField(
        label="Medication-management partner",
        queryset=Partner.objects.filter(active=True),
        empty_label="Choose a partner",
        error_messages={
            "required": "Choose the partner to refer to.",
            "invalid_choice": "Choose a partner from the list.",
        },
    )
    reason = forms.CharField(
        label="Reason for referral",
        max_length=REASON_MAX,
        widget=_textarea(REASON_MAX, rows=4),
        help_text="Shared with the partner's prescribers.",
        error_messages={"required": "Say why you are referring the client."},
    )
    prescreen_notes = forms.CharField(
        label="Pre-screen notes",
        required=False,
        max_length=REASON_MAX,
        widget=_textarea(REASON_MAX),
        help_text="Anything the prescriber should know about the answers above. Optional.",
    )

    def __init__(self, client: Client, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        for key, label in PRESCREEN_ITEMS:
            self.fields[PRESCREEN_PREFIX + key] = forms.ChoiceField(
                label=label,
                choices=ANSWERS,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose no, yes or unknown."},
            )
        # Keep the pre-screen between the reason and its notes.
        order = ["partner", "reason", *(PRESCREEN_PREFIX + k for k, _ in PRESCREEN_ITEMS)]
        self.order_fields([*order, "prescreen_notes"])

    def prescreen_fields(self) -> list[forms.BoundField]:
        return [self[PRESCREEN_PREFIX + key] for key, _ in PRESCREEN_ITEMS]

    def prescreen(self) -> dict[str, str]:
        return {key: self.cleaned_data[PRESCREEN_PREFIX + key] for key, _ in PRESCREEN_ITEMS}

    def clean_partner(self) -> Partner:
        partner: Partner = self.cleaned_data["partner"]
        if release_in_force(self.client, partner.pk) is None:
            raise forms.ValidationError(no_release_message(partner))
        return partner


class AnswerForm(forms.Form):
    text = forms.CharField(
        label="Your answer to the prescriber",
        max_length=TEXT_MAX,
        widget=_textarea(TEXT_MAX, rows=4),
        error_messages={"required": "Write your answer."},
    )


class CloseForm(forms.Form):
    text = forms.CharField(
        label="Reason for closing",
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(TEXT_MAX, rows=2),
        help_text="Optional. Both sides see it.",
    )


class ScheduleForm(forms.Form):
    evaluation_at = forms.DateTimeField(
        label="Evaluation date and time",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "Enter the date and time of the evaluation.",
            "invalid": "Enter a date and time such as 2026-03-14 09:30.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["evaluation_at"].help_text = f"In the practice's time zone ({zone})."
        # The shared range first (its message for a day at the end of the calendar),
        # then the evaluation's own window below.
        bound_datetime(self.fields["evaluation_at"])

    def clean_evaluation_at(self) -> Any:
        # The field has already made the typed local time aware, in the practice's zone.
        value = self.cleaned_data["evaluation_at"]
        if abs(value - timezone.now()) > EVALUATION_WINDOW:
            raise forms.ValidationError("Enter a date within a year of today.")
        return value


RESULTS = [
    (Step.ELIGIBLE.value, "Eligible"),
    (Step.NOT_ELIGIBLE.value, "Not eligible"),
    (Step.NEEDS_INFO.value, "Needs more information"),
]


class EvaluateForm(forms.Form):
    result = forms.ChoiceField(
        label="Result of the evaluation",
        choices=RESULTS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the result.", "invalid_choice": "Choose the result."},
    )
    reason = forms.CharField(
        label="Reason, if not eligible",
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(TEXT_MAX),
    )
    question = forms.CharField(
        label="Question for the therapist, if you need more information",
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(TEXT_MAX),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        result = data.get("result")
        if result == Step.NOT_ELIGIBLE and not data.get("reason"):
            self.add_error("reason", "Give the reason the client is not eligible.")
        if result == Step.NEEDS_INFO and not data.get("question"):
            self.add_error("question", "Write the question for the therapist.")
        return data

    def text(self) -> str:
        result = self.cleaned_data["result"]
        if result == Step.NOT_ELIGIBLE:
            return str(self.cleaned_data["reason"])
        if result == Step.NEEDS_INFO:
            return str(self.cleaned_data["question"])
        return ""

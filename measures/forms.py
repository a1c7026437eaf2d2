"""Forms for measures: the answer form (client link and paper entry), sending, schedules.

Item wording and answer labels come from the instrument definition, exactly as
published (each JSON file names its source); nothing here rewrites them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils import timezone

from common.dates import paper_measure_days
from measures.alerts import services as alert_services
from measures.models import AlertAction, Instrument, MeasureSchedule

MISSING = "Answer this question before you submit."


def field_name(code: str, key: str | int) -> str:
    return f"{code}-{key}"


def instrument_choices() -> list[tuple[str, str]]:
    return [
        (i.code, f"{i.short_name}: {i.name}") for i in Instrument.objects.order_by("short_name")
    ]


class AnswerForm(forms.Form):
    """One radio group per item of each instrument, plus its unscored questions.

    Every field is optional at the form level, so a partial set can be saved as a
    draft; completeness is checked on submit (`mark_missing`), with the message
    beside each unanswered item.
    """

    def __init__(
        self,
        instruments: Sequence[Instrument],
        *args: Any,
        saved: Mapping[str, Mapping[str, int]] | None = None,
        **kwargs: Any,
    ) -> None:
        initial: dict[str, Any] = kwargs.pop("initial", None) or {}
        for code, answers in (saved or {}).items():
            for key, value in answers.items():
                initial[field_name(code, key)] = str(value)
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.instruments = list(instruments)
        self.total_items = sum(len(i.definition["items"]) for i in self.instruments)
        for instrument in self.instruments:
            definition = instrument.definition
            for item in definition["items"]:
                self.fields[field_name(instrument.code, item["number"])] = self._radio(
                    item["text"], definition["options"]
                )
            for extra in definition.get("unscored_items") or []:
                self.fields[field_name(instrument.code, extra["key"])] = self._radio(
                    extra["text"], extra["options"]
                )

    @staticmethod
    def _radio(label: str, options: Sequence[Mapping[str, Any]]) -> forms.TypedChoiceField:
        return forms.TypedChoiceField(
            label=label,
            choices=[(str(o["value"]), o["label"]) for o in options],
            coerce=int,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
        )

    def answers_by_code(self) -> dict[str, dict[str, int]]:
        """The answers given so far, as {code: {"1": 0, …, "difficulty": 1}}."""
        result: dict[str, dict[str, int]] = {}
        for instrument in self.instruments:
            prefix = f"{instrument.code}-"
            result[instrument.code] = {
                name.removeprefix(prefix): value
                for name, value in self.cleaned_data.items()
                if name.startswith(prefix) and value is not None
            }
        return result

    def mark_missing(self, missing: Mapping[str, Sequence[int]]) -> None:
        for code, numbers in missing.items():
            for number in numbers:
                self.add_error(field_name(code, number), MISSING)

    def answered_count(self) -> int:
        """How many scored items have an answer (bound data, else the saved draft)."""
        count = 0
        for instrument in self.instruments:
            for item in instrument.definition["items"]:
                name = field_name(instrument.code, item["number"])
                value = self[name].value()
                if value not in (None, ""):
                    count += 1
        return count

    def sections(self) -> list[dict[str, Any]]:
        """What the template shows: each instrument with its stem and numbered items."""
        sections: list[dict[str, Any]] = []
        position = 0
        for instrument in self.instruments:
            definition = instrument.definition
            items = []
            for item in definition["items"]:
                position += 1
                items.append(
                    {
                        "number": item["number"],
                        "position": position,
                        "field": self[field_name(instrument.code, item["number"])],
                    }
                )
            extras = [
                self[field_name(instrument.code, extra["key"])]
                for extra in definition.get("unscored_items") or []
            ]
            sections.append(
                {
                    "instrument": instrument,
                    "stem": definition["stem"],
                    "instructions": definition.get("instructions", ""),
                    "items": items,
                    "extras": extras,
                }
            )
        return sections


class PaperForm(AnswerForm):
    """Staff typing in a paper form: every item is needed, and the day it was answered."""

    answered_on = forms.DateField(
        label="Answered on",
        help_text="The date the client filled in the paper form.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self,
        instruments: Sequence[Instrument],
        *args: Any,
        record_opened: dt.datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(instruments, *args, **kwargs)
        self.record_opened = record_opened
        # Shown on the widget; clean_answered_on says which end was crossed.
        days = paper_measure_days(record_opened)
        self.fields["answered_on"].widget.attrs.update(
            {"min": days.earliest.isoformat(), "max": days.latest.isoformat()}
        )

    def clean_answered_on(self) -> Any:
        answered_on = self.cleaned_data["answered_on"]
        if answered_on > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        problem = paper_measure_days(self.record_opened).problem(answered_on)
        if problem:
            raise forms.ValidationError(problem, code="out_of_range")
        return answered_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for instrument in self.instruments:
            for item in instrument.definition["items"]:
                name = field_name(instrument.code, item["number"])
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, "Enter the answer from the paper form.")
        return cleaned


class SendForm(forms.Form):
    instruments = forms.MultipleChoiceField(
        label="Questionnaires",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one questionnaire."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instruments"].choices = instrument_choices()  # type: ignore[attr-defined]


class ScheduleForm(forms.ModelForm[MeasureSchedule]):
    instruments = forms.MultipleChoiceField(
        label="Questionnaires",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one questionnaire."},
    )

    class Meta:
        model = MeasureSchedule
        fields = ["instruments", "at_intake", "before_dosing", "at_integration", "monthly_after"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instruments"].choices = instrument_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        switches = ("at_intake", "before_dosing", "at_integration", "monthly_after")
        if not any(cleaned.get(name) for name in switches):
            raise forms.ValidationError("Turn on at least one of the times to send.")
        return cleaned


class AcknowledgeForm(forms.Form):
    """A clinician's acknowledgement of a safety alert: the action taken, and a note.

    The same rules as measures.alerts.services.alert_acknowledge, checked here so
    each message sits beside its field and what was typed is kept.
    """

    action = forms.ChoiceField(
        label="Action taken",
        choices=AlertAction.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": alert_services.CHOOSE_ACTION,
            "invalid_choice": alert_services.CHOOSE_ACTION,
        },
    )
    action_note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=alert_services.MAX_NOTE_CHARS,
        help_text=(
            f"At least {alert_services.MIN_NOTE_CHARS} characters: who followed up, how, and "
            "what was agreed; for “no action needed”, why. This is kept in the record."
        ),
        error_messages={"required": alert_services.NOTE_REQUIRED},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        note = cleaned.get("action_note")
        if note is not None:
            problem = alert_services.note_problem(cleaned.get("action") or "", note)
            if problem:
                self.add_error("action_note", problem)
        return cleaned

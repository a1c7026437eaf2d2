"""Forms of the dosing record. They check what a field can check; the rules that
need the record (clearance, the prescription's limits, phases) are enforced again
in dosing.services, so a crafted POST meets them too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from accounts.models import Role, User
from common.dates import InRange
from dosing.models import (
    AdverseEvent,
    DosingRecord,
    PrescriberContact,
    RiskCheckMethod,
    RiskCheckOutcome,
    VitalSigns,
)
from prescriptions.models import Prescription

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
RESCUE_MEDICATIONS = ["Ondansetron", "Clonidine", "Lorazepam"]  # clinical-reference.md


NOW_HINT = "Leave empty for now"


class NowIfEmptyField(forms.DateTimeField):
    """A time in the session: left empty, it is the moment the form is submitted
    (cleaned on the server, so a set recorded later never carries the time the page
    loaded); typed, it corrects that moment, and is bounded like any other time."""

    def clean(self, value: Any) -> dt.datetime:
        cleaned: dt.datetime | None = super().clean(value)
        return timezone.now() if cleaned is None else cleaned


def when_field(label: str) -> NowIfEmptyField:
    """A date and time in the practice's time zone (aware once cleaned); empty is now."""
    return NowIfEmptyField(
        label=label,
        required=False,
        help_text=f"{NOW_HINT}; type a time to correct it.",
        input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
        error_messages={"invalid": "Enter a date and time, e.g. 2026-05-04 14:30."},
        # The shared range (checked when the form is cleaned, so "today" is today);
        # the services hold each time to the session (common.dates.SESSION_WINDOW).
        validators=[InRange()],
    )


def staff_choices() -> Any:
    return User.objects.filter(
        is_active=True, role__in=(Role.ADMIN, Role.THERAPIST, Role.INTAKE)
    ).order_by("last_name", "first_name", "username")


HOLD_CHOICES = [("held", "Held as prescribed"), ("taken", "Taken within the hold")]


class PredoseForm(forms.ModelForm[DosingRecord]):
    """Fasting in hours and each of the prescription's holds, asked one by one: the
    server compares them with the prescription in force (dosing.rules)."""

    class Meta:
        model = DosingRecord
        fields = [
            "fasting_hours",
            "fasting_liquids_hours",
            "escort_name",
            "escort_phone",
            "intention",
        ]
        labels = {
            "fasting_hours": "Hours since the client last ate",
            "fasting_liquids_hours": "Hours since the client last drank (clear liquids)",
            "escort_name": "Escort's name",
            "escort_phone": "Escort's phone",
            "intention": "The client's intention for the session",
        }
        widgets = {
            "fasting_hours": forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "48"}),
            "fasting_liquids_hours": forms.NumberInput(
                attrs={"step": "0.5", "min": "0", "max": "48"}
            ),
            "intention": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        }

    def __init__(self, *args: Any, rx: Prescription | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holds = rx.hold_list() if rx is not None else []
        for name in ("fasting_hours", "fasting_liquids_hours"):
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = "Enter the hours (0 if none)."
        if rx is not None and rx.fasting_solids_hours is not None:
            self.fields[
                "fasting_hours"
            ].help_text = f"The prescription asks for {rx.fasting_solids_hours} h without food."
            self.fields[
                "fasting_liquids_hours"
            ].help_text = (
                f"The prescription asks for {rx.fasting_liquids_hours} h without clear liquids."
            )
        answers = self.instance.holds_answers or {}
        for i, hold in enumerate(self.holds):
            name = f"hold_{i}"
            self.fields[name] = forms.ChoiceField(
                label=f"{hold['medication']}: held for {hold['hours']} h?",
                choices=HOLD_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": f"Ask about {hold['medication']}."},
            )
            if not self.is_bound and hold["medication"] in answers:
                self.initial[name] = answers[hold["medication"]]

    def hold_fields(self) -> list[forms.BoundField]:
        return [self[f"hold_{i}"] for i in range(len(self.holds))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["holds_answers"] = {
            str(hold["medication"]): data[f"hold_{i}"]
            for i, hold in enumerate(self.holds)
            if data.get(f"hold_{i}")
        }
        phone = (data.get("escort_phone") or "").strip()
        if phone and not 7 <= sum(c.isdigit() for c in phone) <= 15:
            self.add_error("escort_phone", "Enter a phone number with area code.")
        return data


class VitalsForm(forms.ModelForm[VitalSigns]):
    taken_at = when_field("Time taken")

    class Meta:
        model = VitalSigns
        fields = [
            "phase",
            "taken_at",
            "systolic",
            "diastolic",
            "heart_rate",
            "spo2",
            "sedation",
            "dissociation",
            "notes",
        ]
        labels = {
            "phase": "When in the session",
            "systolic": "Systolic BP (mmHg)",
            "diastolic": "Diastolic BP (mmHg)",
            "heart_rate": "Heart rate (/min)",
            "spo2": "SpO2 (%)",
            "sedation": "Sedation observed",
            "dissociation": "Dissociation observed",
            "notes": "Observation notes",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 2, "maxlength": 2000})}

    def __init__(self, *args: Any, phases: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if phases is not None:
            field: Any = self.fields["phase"]
            field.choices = [(v, label) for v, label in VitalSigns.Phase.choices if v in phases]
            if phases and not self.is_bound:
                self.initial.setdefault("phase", phases[0])


class RiskCheckForm(forms.Form):
    """Today's suicide-risk check: the dose waits without it (issue 8 §3)."""

    method = forms.ChoiceField(
        label="How the risk was checked",
        choices=[("", "Choose"), *RiskCheckMethod.choices],
        error_messages={"required": "Choose how the risk was checked."},
    )
    outcome = forms.ChoiceField(
        label="What was found",
        choices=RiskCheckOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what was found."},
    )
    note = forms.CharField(
        label="Note (required when risk is found)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == RiskCheckOutcome.RISK and not data.get("note", "").strip():
            self.add_error("note", "Write down what was found and the plan.")
        return data


class PrescriberContactForm(forms.Form):
    topic = forms.ChoiceField(
        choices=PrescriberContact.Topic.choices,
        initial=PrescriberContact.Topic.VITALS,
        widget=forms.HiddenInput,
    )
    contacted_at = when_field("Time of the contact")
    prescriber_name = forms.CharField(label="Prescriber contacted", max_length=120)
    instruction = forms.CharField(
        label="What the prescriber said",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )
    proceed = forms.TypedChoiceField(
        label="Did the prescriber approve dosing?",
        choices=[("yes", "Yes, proceed with the dose"), ("no", "No, do not dose")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class AdministrationForm(forms.Form):
    """The dose or the booster. The route is the prescription's; the amount is capped."""

    dose_mg = forms.DecimalField(label="Dose (mg)", max_digits=6, decimal_places=1)
    given_at = when_field("Time given")
    self_administered = forms.BooleanField(
        label="Taken by the client (lozenge or troche), observed by staff",
        required=False,
    )
    given_by = forms.ModelChoiceField(
        label="Given by", queryset=User.objects.none(), required=False
    )
    witnessed_by = forms.ModelChoiceField(
        label="Witnessed (or observed) by", queryset=User.objects.none()
    )

    def __init__(self, *args: Any, limit: Decimal, label: str = "Dose", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = limit
        field: Any = self.fields["dose_mg"]
        field.label = f"{label} (mg)"
        field.help_text = (
            f"At most {limit} mg, as prescribed. A lower amount is recorded as given."
        )
        field.widget.attrs.update({"max": str(limit), "min": "0.1", "step": "0.1"})
        for name in ("given_by", "witnessed_by"):
            choice: Any = self.fields[name]
            choice.queryset = staff_choices()
        if not self.is_bound:
            self.initial.setdefault("dose_mg", limit)

    def clean_dose_mg(self) -> Decimal:
        dose: Decimal = self.cleaned_data["dose_mg"]
        if dose <= 0:
            raise forms.ValidationError("Enter an amount above zero.")
        if dose > self.limit:
            raise forms.ValidationError(
                f"The amount cannot exceed the prescription's {self.limit} mg."
            )
        return dose

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given, witness = data.get("given_by"), data.get("witnessed_by")
        if data.get("self_administered"):
            data["given_by"] = None
        elif given is None and "given_by" not in self.errors:
            self.add_error("given_by", "Say who gave the dose, or tick that the client took it.")
        elif given and witness and given == witness:
            self.add_error("witnessed_by", "The witness must be someone other than the giver.")
        return data


class AdverseEventForm(forms.ModelForm[AdverseEvent]):
    occurred_at = when_field("Time of the event")

    class Meta:
        model = AdverseEvent
        fields = [
            "type",
            "description",
            "severity",
            "serious",
            "occurred_at",
            "action_taken",
            "rescue_medication",
        ]
        labels = {
            "type": "Type of event",
            "description": "Description (for “Other”)",
            "severity": "Severity",
            "action_taken": "Action taken",
            "rescue_medication": "Rescue medication given, with dose (if any)",
        }
        widgets = {
            "action_taken": forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
            "rescue_medication": forms.TextInput(attrs={"list": "rescue-medications"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("type") == AdverseEvent.Type.OTHER and not data.get("description", "").strip():
            self.add_error("description", "Describe the event.")
        return data


class DischargeForm(forms.Form):
    # "Vitals within the parameters" is not ticked: the server judges it.
    alert_and_oriented = forms.BooleanField(label="Alert and oriented", required=False)
    walks_steadily = forms.BooleanField(label="Walks steadily", required=False)
    escort_present = forms.BooleanField(label="Escort present", required=False)
    told_no_driving = forms.BooleanField(
        label="Told not to drive until the next day, after sleep", required=False
    )
    exception_reason = forms.CharField(
        label="Reason for discharging with a criterion unmet (an early discharge)",
        help_text="A clinician's reason; the prescriber is told of an early discharge.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )
    discharged_at = when_field("Discharge time")


class NoteForm(forms.Form):
    # The D of DAP. The form metaclass moves fields off the class, so Form.data is untouched.
    data = forms.CharField(  # type: ignore[assignment]
        label="Data",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 10000}),
        help_text="What happened in the session: observations and the client's words.",
    )
    assessment = forms.CharField(
        label="Assessment",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 10000}),
    )
    plan = forms.CharField(
        label="Plan",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 10000}),
    )


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 5000}),
    )

"""Forms of the dosing record. They check what a field can check; the rules that
need the record (clearance, the prescription's limits, phases) are enforced again
in dosing.services, so a crafted POST meets them too."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from accounts.models import Role, User
from dosing.models import AdverseEvent, DosingRecord, VitalSigns
from pathways.forms import AccessibleErrorsMixin
from prescriptions.models import Prescription

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
RESCUE_MEDICATIONS = ["Ondansetron", "Clonidine", "Lorazepam"]  # clinical-reference.md


def when_field(label: str) -> forms.DateTimeField:
    """A date and time in the practice's time zone (aware once cleaned)."""
    return forms.DateTimeField(
        label=label,
        input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
        error_messages={"invalid": "Enter a date and time, e.g. 2026-05-04 14:30."},
    )


def now_local() -> str:
    return timezone.localtime().strftime(LOCAL_FORMAT)


def staff_choices() -> Any:
    return User.objects.filter(
        is_active=True, role__in=(Role.ADMIN, Role.THERAPIST, Role.INTAKE)
    ).order_by("last_name", "first_name", "username")


class PredoseForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = DosingRecord
        fields = [
            "fasting_confirmed",
            "fasting_hours",
            "holds_respected",
            "escort_name",
            "escort_phone",
            "intention",
        ]
        labels = {
            "fasting_confirmed": "Fasting confirmed",
            "fasting_hours": "Hours since the client last ate",
            "holds_respected": "Medication holds respected",
            "escort_name": "Escort's name",
            "escort_phone": "Escort's phone",
            "intention": "The client's intention for the session",
        }
        widgets = {
            "fasting_hours": forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "48"}),
            "intention": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        }

    def __init__(self, *args: Any, rx: Prescription | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rx is not None:
            if rx.fasting_instructions:
                self.fields[
                    "fasting_confirmed"
                ].help_text = f"Prescription: {rx.fasting_instructions}"
            if rx.holds_instructions:
                self.fields["holds_respected"].help_text = f"Prescription: {rx.holds_instructions}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("fasting_confirmed") and data.get("fasting_hours") is None:
            self.add_error("fasting_hours", "Enter how many hours the client has fasted.")
        phone = (data.get("escort_phone") or "").strip()
        if phone and not 7 <= sum(c.isdigit() for c in phone) <= 15:
            self.add_error("escort_phone", "Enter a phone number with area code.")
        return data


class VitalsForm(AccessibleErrorsMixin, forms.ModelForm):
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
        if not self.is_bound:
            self.initial.setdefault("taken_at", now_local())


class PrescriberContactForm(AccessibleErrorsMixin, forms.Form):
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


class AdministrationForm(AccessibleErrorsMixin, forms.Form):
    """The dose or the booster. The route is the prescription's; the amount is capped."""

    dose_mg = forms.DecimalField(label="Dose (mg)", max_digits=6, decimal_places=1)
    given_at = when_field("Time given")
    given_by = forms.ModelChoiceField(label="Given by", queryset=User.objects.none())
    witnessed_by = forms.ModelChoiceField(label="Witnessed by", queryset=User.objects.none())

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
            self.initial.setdefault("given_at", now_local())

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
        if given and witness and given == witness:
            self.add_error("witnessed_by", "The witness must be someone other than the giver.")
        return data


class AdverseEventForm(AccessibleErrorsMixin, forms.ModelForm):
    occurred_at = when_field("Time of the event")

    class Meta:
        model = AdverseEvent
        fields = [
            "type",
            "description",
            "severity",
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("occurred_at", now_local())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("type") == AdverseEvent.Type.OTHER and not data.get("description", "").strip():
            self.add_error("description", "Describe the event.")
        return data


class DischargeForm(AccessibleErrorsMixin, forms.Form):
    # "Vitals within the parameters" is not ticked: the server judges it.
    alert_and_oriented = forms.BooleanField(label="Alert and oriented", required=False)
    walks_steadily = forms.BooleanField(label="Walks steadily", required=False)
    escort_present = forms.BooleanField(label="Escort present", required=False)
    exception_reason = forms.CharField(
        label="Reason for discharging with a criterion unmet",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )
    discharged_at = when_field("Discharge time")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("discharged_at", now_local())


class NoteForm(AccessibleErrorsMixin, forms.Form):
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


class AddendumForm(AccessibleErrorsMixin, forms.Form):
    text = forms.CharField(
        label="Addendum",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 5000}),
    )

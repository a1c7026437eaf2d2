from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms

from accounts.models import User
from clients.models import (
    CLIENT_TRANSITIONS,
    Allergy,
    Client,
    ClientStatus,
    Diagnosis,
    ReportedMedication,
)
from clients.queries import active_therapists
from clients.validation import check_date_of_birth, check_phone, check_state

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ClientForm(forms.ModelForm[Client]):
    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "pronouns",
            "date_of_birth",
            "email",
            "phone",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "emergency_contact_name",
            "emergency_contact_relationship",
            "emergency_contact_phone",
            "escort_name",
            "escort_relationship",
            "escort_phone",
            "status",
            "assigned_therapist",
        ]
        widgets = {"date_of_birth": DATE_INPUT}
        labels = {"email": "E-mail"}

    def __init__(self, *args: Any, can_assign: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A foreign key's form field is a ModelChoiceField.
        therapist = cast("forms.ModelChoiceField[User]", self.fields["assigned_therapist"])
        therapist.queryset = active_therapists()
        if not can_assign:
            # Only the intake team and the admin move a client between therapists.
            therapist.disabled = True
        if self.instance.pk:
            # Offer only the statuses the record may move to (clients.CLIENT_TRANSITIONS);
            # the service checks the move again.
            status = cast("forms.TypedChoiceField", self.fields["status"])
            current = self.instance.status
            reachable = {current, *CLIENT_TRANSITIONS.get(current, ())}
            status.choices = [
                (value, label) for value, label in ClientStatus.choices if value in reachable
            ]

    def clean_date_of_birth(self) -> dt.date | None:
        return check_date_of_birth(self.cleaned_data["date_of_birth"])

    def clean_state(self) -> str:
        return check_state(self.cleaned_data["state"])

    def clean_phone(self) -> str:
        return check_phone(self.cleaned_data["phone"])

    def clean_emergency_contact_phone(self) -> str:
        return check_phone(self.cleaned_data["emergency_contact_phone"])

    def clean_escort_phone(self) -> str:
        return check_phone(self.cleaned_data["escort_phone"])


class DiagnosisForm(forms.ModelForm[Diagnosis]):
    class Meta:
        model = Diagnosis
        fields = ["code", "description"]
        help_texts = {"code": "e.g. F43.10"}

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        return code.strip().upper()


class MedicationForm(forms.ModelForm[ReportedMedication]):
    class Meta:
        model = ReportedMedication
        fields = ["name", "dose", "frequency"]
        labels = {"name": "Medication"}


class AllergyForm(forms.ModelForm[Allergy]):
    class Meta:
        model = Allergy
        fields = ["substance", "reaction", "severity"]


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Find a client",
        required=False,
        max_length=100,
        help_text="Name, date of birth (YYYY-MM-DD or MM/DD/YYYY), phone or e-mail.",
    )

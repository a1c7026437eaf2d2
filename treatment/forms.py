from __future__ import annotations

from typing import Any

from django import forms

from common.dates import bound_date
from treatment.models import TreatmentCourse, TreatmentSession
from treatment.services import PLAN_FIELDS, CoursePlan
from treatment.validation import escort_phone_problem


class CourseForm(forms.ModelForm[TreatmentCourse]):
    class Meta:
        model = TreatmentCourse
        fields = [
            "modality",
            "planned_preparation",
            "planned_dosing",
            "planned_integration",
            "goals",
            "status",
        ]
        labels = {
            "planned_preparation": "Preparation sessions planned",
            "planned_dosing": "Dosing sessions planned",
            "planned_integration": "Integration sessions planned",
            "goals": "Goals of the course",
        }
        widgets = {"goals": forms.Textarea(attrs={"rows": 4, "maxlength": 4000})}

    def plan(self) -> CoursePlan:
        """The cleaned values, as the services take them."""
        return CoursePlan(**{name: self.cleaned_data[name] for name in PLAN_FIELDS})


class SessionForm(forms.ModelForm[TreatmentSession]):
    class Meta:
        model = TreatmentSession
        fields = ["kind", "planned_date"]
        labels = {"kind": "Session type", "planned_date": "Planned date (optional)"}
        widgets = {"planned_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The default range: a course may be planned years out; 0001-01-01 is a slip.
        bound_date(self.fields["planned_date"])


class EscortForm(forms.Form):
    escort_name = forms.CharField(label="Escort's name", max_length=120)
    escort_phone = forms.CharField(label="Escort's phone", max_length=32)
    confirmed = forms.BooleanField(
        label="I have confirmed with the client that this adult will take them home today.",
        error_messages={"required": "Confirm that the escort is arranged for today."},
    )

    def clean_escort_phone(self) -> str:
        phone: str = self.cleaned_data["escort_phone"].strip()
        problem = escort_phone_problem(phone)
        if problem:
            raise forms.ValidationError(problem)
        return phone

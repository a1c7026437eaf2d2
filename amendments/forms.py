"""The forms of an amendment request. Each field name is unique across the request's
page (it carries several forms), so each message sits beside its own field."""

from __future__ import annotations

from typing import Any

from django import forms

from amendments.models import TEXT_MAX, AmendmentRequest, DenialBasis
from amendments.validation import link_problem, received_days
from common.dates import bound_date


def _area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": TEXT_MAX})


class ReceiveForm(forms.ModelForm[AmendmentRequest]):
    class Meta:
        model = AmendmentRequest
        fields = ["received_on", "concerns", "reference", "requested_change"]
        labels = {
            "received_on": "Received on",
            "concerns": "Part of the record it concerns",
            "reference": "Which entry (optional)",
            "requested_change": "What the client asks to change",
        }
        help_texts = {
            "reference": "E.g. “session note of 3 March”, “address”.",
            "received_on": "The practice has 60 days from this day to act.",
        }
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "requested_change": _area(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_date(self.fields["received_on"], received_days, "the day received")


class ExtendForm(forms.Form):
    extension_reason = forms.CharField(
        label="Reason for the extension (as written to the client)",
        max_length=TEXT_MAX,
        widget=_area(3),
    )


class AcceptForm(forms.Form):
    change_note = forms.CharField(
        label="What was changed in the record",
        max_length=TEXT_MAX,
        widget=_area(3),
        help_text="Make the change on the record's own page first.",
    )
    amendment_link = forms.CharField(
        label="Where the amended entry is (optional)",
        max_length=200,
        required=False,
        help_text="The path of its page, e.g. /staff/clients/12/.",
    )

    def clean_amendment_link(self) -> str:
        link: str = self.cleaned_data["amendment_link"].strip()
        problem = link_problem(link)
        if problem:
            raise forms.ValidationError(problem)
        return link


class DenyForm(forms.Form):
    denial_basis = forms.ChoiceField(
        label="Basis for the denial (45 CFR 164.526(a)(2))",
        choices=[("", "—"), *DenialBasis.choices],
    )
    denial_note = forms.CharField(
        label="Explanation to the client (optional)",
        max_length=TEXT_MAX,
        required=False,
        widget=_area(3),
    )


class DisagreementForm(forms.Form):
    disagreement = forms.CharField(
        label="The client's statement of disagreement", max_length=TEXT_MAX, widget=_area()
    )


class RebuttalForm(forms.Form):
    rebuttal = forms.CharField(
        label="The practice's rebuttal", max_length=TEXT_MAX, widget=_area()
    )

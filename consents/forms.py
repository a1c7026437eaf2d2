from __future__ import annotations

from typing import Any

from django import forms

from consents.models import ConsentKind
from partners.models import Partner


class SendForm(forms.Form):
    kind = forms.ChoiceField(
        label="Consent form",
        choices=[("", "Choose a form"), *ConsentKind.choices],
        error_messages={
            "required": "Choose the consent form to send.",
            "invalid_choice": "Choose a consent form from the list.",
        },
    )
    partner = forms.ModelChoiceField(
        label="Partner (release of information only)",
        queryset=Partner.objects.filter(active=True),
        required=False,
        empty_label="Not applicable",
        help_text="The medication-management partner the release is for.",
        error_messages={"invalid_choice": "Choose an active partner from the list."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, partner = data.get("kind"), data.get("partner")
        if kind == ConsentKind.ROI and partner is None and "partner" not in self.errors:
            self.add_error("partner", "Choose the partner this release of information is for.")
        elif kind and kind != ConsentKind.ROI and partner is not None:
            self.add_error(
                "partner",
                "Only a release of information names a partner. Choose “Not applicable”.",
            )
        return data


class SignForm(forms.Form):
    typed_name = forms.CharField(
        label="Your full name",
        max_length=160,
        help_text=(
            "Your first and last name, as the practice has them (not initials). "
            "Typing your name here is your signature."
        ),
        error_messages={
            "required": "Type your full name to sign.",
            "max_length": "Your name can be at most 160 characters.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    agreed = forms.BooleanField(
        label="I have read this document and I agree to it",
        error_messages={
            "required": "Tick the box to show that you have read and agree to this document."
        },
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why is this consent revoked?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
        help_text="For example: the client withdrew it in writing on a given date.",
        error_messages={
            "required": "Say why the consent is revoked.",
            "max_length": "Keep the reason to 300 characters or fewer.",
        },
    )

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from clients.validation import check_phone
from intake.models import AppointmentRequest, ContactMessage, ContactMethod, ContactTime
from intake.services import MessageDetails, RequestDetails
from website.models import Service

PHONE_HELP = "So we can call you back, e.g. (555) 010-0123."


def _clean_phone(value: str) -> str:
    return check_phone(value)


class PublicForm(forms.Form):
    """Spam guards shared by the public forms.

    `website` is a honeypot: hidden from people (and from screen readers), but
    bots fill it. `token` identifies one rendering of the form, so a double
    submit is stored once.
    """

    website = forms.CharField(required=False, label="Leave this field empty")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_token(self) -> uuid.UUID:
        # A missing or mangled token must not cost the person their answers:
        # treat the submit as a fresh one instead of showing an error.
        try:
            return uuid.UUID(str(self.cleaned_data.get("token")))
        except ValueError:
            return uuid.uuid4()


class AppointmentRequestForm(PublicForm, forms.ModelForm[AppointmentRequest]):
    preferred_times = forms.MultipleChoiceField(
        label="Good times to reach you",
        choices=ContactTime.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    service = forms.ModelChoiceField(
        label="Service you are interested in",
        queryset=Service.objects.published(),
        required=False,
        empty_label="I'm not sure yet",
    )
    consent_to_contact = forms.BooleanField(
        label="I agree that the practice may contact me about this request by the method I chose.",
        error_messages={"required": "We need your permission to contact you."},
    )
    not_emergency_ack = forms.BooleanField(
        label="I understand this form is not for emergencies. If I am in crisis I will call "
        "or text 988, or call 911.",
        error_messages={
            "required": "Please confirm you understand this form is not for emergencies."
        },
    )

    class Meta:
        model = AppointmentRequest
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "preferred_contact",
            "preferred_times",
            "service",
            "reason",
            "heard_about",
            "consent_to_contact",
            "not_emergency_ack",
        ]
        labels = {
            "email": "E-mail",
            "preferred_contact": "How should we contact you?",
            "reason": "In a few words, what would you like help with?",
            "heard_about": "How did you hear about us? (optional)",
        }
        help_texts = {
            "phone": PHONE_HELP,
            "reason": "A sentence or two is enough; please don't include anything urgent. "
            "Up to 1,000 characters.",
        }
        error_messages = {
            "reason": {"required": "Tell us briefly what you would like help with."},
            "first_name": {"required": "Enter your first name."},
            "last_name": {"required": "Enter your last name."},
            "email": {"required": "Enter your e-mail address."},
            "phone": {"required": "Enter a phone number we can reach you on."},
            "preferred_contact": {"required": "Choose how we should contact you."},
        }
        widgets = {
            "preferred_contact": forms.RadioSelect,
            "reason": forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        heard = self.fields["heard_about"]
        # A model field with choices gives a ChoiceField, whose choices are a list.
        heard.choices = [("", "Choose…"), *heard.choices[1:]]  # type: ignore[attr-defined]
        # Radio buttons with no blank "---------" choice, and none ticked until the person
        # picks one (a ticked blank radio was submitted and refused).
        contact = self.fields["preferred_contact"]
        contact.choices = list(ContactMethod.choices)  # type: ignore[attr-defined]
        for name in ("first_name", "last_name"):
            self.fields[name].widget.attrs["autocomplete"] = (
                "given-name" if name == "first_name" else "family-name"
            )
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def details(self) -> RequestDetails:
        """What the person typed, without the spam guards."""
        data = self.cleaned_data
        return RequestDetails(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data["phone"],
            preferred_contact=data["preferred_contact"],
            preferred_times=tuple(data["preferred_times"]),
            service=data["service"],
            reason=data["reason"],
            heard_about=data["heard_about"],
            consent_to_contact=data["consent_to_contact"],
            not_emergency_ack=data["not_emergency_ack"],
        )


class ContactForm(PublicForm, forms.ModelForm[ContactMessage]):
    class Meta:
        model = ContactMessage
        fields = ["name", "email", "phone", "message"]
        labels = {"name": "Your name", "email": "E-mail", "phone": "Phone (optional)"}
        help_texts = {
            "message": "General questions only: please don't share medical details here. "
            "Up to 2,000 characters."
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 5, "maxlength": 2000})}

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        return _clean_phone(phone) if phone.strip() else ""

    def details(self) -> MessageDetails:
        """What the person typed, without the spam guards."""
        data = self.cleaned_data
        return MessageDetails(
            name=data["name"], email=data["email"], phone=data["phone"], message=data["message"]
        )

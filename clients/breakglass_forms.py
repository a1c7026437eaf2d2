"""The emergency-access form: which client, and why.

The client is named exactly, never picked from a list (a list of every client would
itself disclose who the practice sees): the first name, last name and date of
birth, or the client number a colleague gave with the last name as a check on it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from clients.breakglass import REASON_MAX, BreakGlassError, check_reason
from clients.forms import DATE_INPUT
from clients.models import Client
from common.dates import bound_date

NO_MATCH = (
    "No client record matches exactly. Check the spelling and the date of birth, "
    "or ask a colleague for the client number."
)
SEVERAL = "More than one record matches: ask a colleague for the client number."
HOW = "Give the first name and the date of birth, or the client number a colleague gave you."


class BreakGlassForm(forms.Form):
    first_name = forms.CharField(max_length=80, required=False)
    last_name = forms.CharField(max_length=80)
    date_of_birth = forms.DateField(required=False, widget=DATE_INPUT)
    client_number = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Only if a colleague gave it to you; then the last name is enough.",
    )
    reason = forms.CharField(
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why you need this record now (at least 15 characters). The admins see it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_date(self.fields["date_of_birth"], what="a date of birth")

    def clean_reason(self) -> str:
        try:
            return check_reason(self.cleaned_data["reason"])
        except BreakGlassError as exc:
            raise ValidationError(str(exc)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        by_number = data.get("client_number") is not None
        by_name = bool(data.get("first_name", "").strip()) and data.get("date_of_birth")
        if not (by_number or by_name) and not self.has_error("date_of_birth"):
            self.add_error("first_name", HOW)
        return data


def find_client(data: dict[str, Any]) -> Client:
    """The one client the cleaned form names exactly (names ignore case and spaces at
    the ends), or ValidationError with the message for beside the last name."""
    last = data["last_name"].strip()
    qs = Client.objects.filter(last_name__iexact=last)
    if data.get("client_number") is not None:
        qs = qs.filter(pk=data["client_number"])
    else:
        first = data["first_name"].strip()
        qs = qs.filter(date_of_birth=data["date_of_birth"]).filter(
            Q(first_name__iexact=first) | Q(preferred_name__iexact=first)
        )
    found = list(qs[:2])
    if not found:
        raise ValidationError(NO_MATCH)
    if len(found) > 1:
        raise ValidationError(SEVERAL)
    return found[0]

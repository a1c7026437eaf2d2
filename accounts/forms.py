from __future__ import annotations

from typing import Any

from django import forms


class TokenForm(forms.Form):
    token = forms.CharField(
        label="6-digit code from your authenticator app",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError("Enter the 6 digits your authenticator app shows.")
        return token


class ReauthForm(forms.Form):
    """The password again, and the authenticator's code when the user has one."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    token = forms.CharField(
        label="6-digit code from your authenticator app",
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, needs_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_code = needs_code
        if needs_code:
            self.fields["token"].required = True
        else:
            del self.fields["token"]

    def clean_token(self) -> str:
        token: str = self.cleaned_data.get("token", "").replace(" ", "")
        if self.needs_code and (not token.isdigit() or len(token) != 6):
            raise forms.ValidationError("Enter the 6 digits your authenticator app shows.")
        return token

"""Signing in through the form (so that the password counts as just typed, as
accounts.reauth needs), and the Django admin's user-change POST data."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client
from django_otp.oath import TOTP

from accounts.models import Authenticator, User
from accounts.reauth import PASSWORD_AT, SECOND_FACTOR_AT
from accounts.tests.factories import PASSWORD


def code_for(device: Authenticator, step_offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + step_offset * device.step
    return f"{totp.token():06d}"


def sign_in(client: Client, user: User, device: Authenticator | None = None) -> None:
    """Sign in with the password (and the device's code) through the real pages."""
    response = client.post(
        "/staff/sign-in/", {"username": user.get_username(), "password": PASSWORD}
    )
    assert response.status_code == 302, response
    if device is not None:
        response = client.post("/staff/sign-in/verify/", {"token": code_for(device)})
        assert response.status_code == 302, response


def age_reauth(client: Client, seconds: float) -> None:
    """Make the session's password and code times `seconds` old."""
    session = client.session
    for key in (PASSWORD_AT, SECOND_FACTOR_AT):
        if key in session:
            session[key] = time.time() - seconds
    session.save()


def user_change_data(user: User, **changes: Any) -> dict[str, Any]:
    """What the admin's change form posts for `user`, with `changes`."""
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "credentials": user.credentials,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    for flag in ("is_active", "is_staff", "is_superuser", "is_clinician", "on_call"):
        if getattr(user, flag):
            data[flag] = "on"
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        elif value is True:
            data[name] = "on"
        else:
            data[name] = value
    return data

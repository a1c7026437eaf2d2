"""Two-factor state of a signed-in user, for `role_required` and the sign-in views."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django_otp import user_has_device

from accounts.models import Authenticator, User


def has_confirmed_device(user: User) -> bool:
    """django_otp's `user_has_device(user)` (a confirmed authenticator), answered
    without a query when this session was verified with one: OTPMiddleware has already
    read that device (`user.otp_device`) for the request. Every staff page asks twice
    (`role_required`), so this is two queries fewer on each (issue 14)."""
    device = getattr(user, "otp_device", None)
    if device is not None and device.user_id == user.pk and device.confirmed:
        return True
    return bool(user_has_device(user, confirmed=True))


def needs_verification(user: User) -> bool:
    """Signed in with a password, but the authenticator code is still owed."""
    # OTPMiddleware gives the signed-in user is_verified(); the stubs cannot know it.
    if user.is_verified():  # type: ignore[attr-defined]
        return False
    return has_confirmed_device(user)


def needs_setup(user: User) -> bool:
    return settings.REQUIRE_2FA and not has_confirmed_device(user)


def pending_device(user: User) -> Authenticator:
    """The unconfirmed authenticator being set up, made on first use."""
    device = Authenticator.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = Authenticator.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def qr_data_uri(text: str) -> str:
    # An <img> with a data: URI keeps the page within the CSP (no inline styles).
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret_for_display(device: Authenticator) -> str:
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))

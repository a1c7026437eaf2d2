"""Audited writes to a user's own account."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.actor import Actor
from audit.services import log_action


def otp_device_confirm(*, actor: Actor, device: TOTPDevice) -> None:
    """Confirm the authenticator the signed-in user has just proved with a code.
    Only their own device: someone else's is refused."""
    user = actor.staff
    if device.user_id != user.pk:
        raise PermissionError("That authenticator belongs to someone else.")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        log_action(actor, "auth.2fa_enrolled", user)

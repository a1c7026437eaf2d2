"""Confirming an authenticator: the service confirms only the signed-in user's own."""

from __future__ import annotations

import pytest

from accounts.actor import Actor
from accounts.models import Authenticator
from accounts.services import otp_device_confirm
from audit.models import AuditEvent
from pathways.testing import BaseTestCase


class OtpConfirmTestCase(BaseTestCase):
    def test_it_confirms_the_users_own_device_and_audits_it(self) -> None:
        device = Authenticator.objects.create(user=self.intake, name="app", confirmed=False)

        otp_device_confirm(actor=Actor.for_user(self.intake), device=device)

        device.refresh_from_db()
        assert device.confirmed
        event = AuditEvent.objects.get(action="auth.2fa_enrolled")
        assert event.actor == self.intake

    def test_it_refuses_someone_elses_device(self) -> None:
        device = Authenticator.objects.create(user=self.admin, name="app", confirmed=False)

        with pytest.raises(PermissionError):
            otp_device_confirm(actor=Actor.for_user(self.intake), device=device)

        device.refresh_from_db()
        assert not device.confirmed
        assert not AuditEvent.objects.exists()

"""accounts.Authenticator checks codes as django-otp's TOTPDevice did: within one step
either side, never the same step twice, following the app's clock drift, with a
back-off after a wrong code; and its set-up URI is the one authenticator apps scan."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from accounts.models import Authenticator
from accounts.tests.support import code_for
from pathways.testing import BaseTestCase

RFC_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, hex
RFC_KEY_B32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


class AuthenticatorTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.device = Authenticator.objects.create(user=self.intake, name="phone", key=RFC_KEY)

    def wait_out_the_back_off(self) -> None:
        Authenticator.objects.filter(pk=self.device.pk).update(
            throttling_failure_timestamp=timezone.now() - timedelta(hours=1)
        )
        self.device.refresh_from_db()

    def test_it_makes_a_new_160_bit_secret_for_each_authenticator(self) -> None:
        other = Authenticator.objects.create(user=self.admin, name="phone")
        another = Authenticator.objects.create(user=self.therapist, name="phone")

        assert len(other.bin_key) == 20
        assert other.key != another.key

    def test_it_accepts_a_code_a_step_early_and_follows_the_drift(self) -> None:
        assert self.device.verify_token(code_for(self.device, step_offset=1))

        self.device.refresh_from_db()
        assert self.device.drift == 1
        assert self.device.last_used_at is not None

    def test_it_refuses_a_code_two_steps_off(self) -> None:
        assert not self.device.verify_token(code_for(self.device, step_offset=2))
        self.wait_out_the_back_off()
        assert not self.device.verify_token(code_for(self.device, step_offset=-2))

    def test_it_never_accepts_a_step_twice(self) -> None:
        assert self.device.verify_token(code_for(self.device))

        # The code just used, and the one before it, are both spent.
        assert not self.device.verify_token(code_for(self.device))
        self.wait_out_the_back_off()
        assert not self.device.verify_token(code_for(self.device, step_offset=-1))

    def test_it_backs_off_after_a_wrong_code_then_accepts_the_right_one(self) -> None:
        wrong = f"{(int(code_for(self.device)) + 1) % 1_000_000:06d}"

        assert not self.device.verify_token(wrong)
        assert not self.device.verify_token("not a code")
        assert not self.device.verify_token(code_for(self.device))  # too soon

        self.device.refresh_from_db()
        assert self.device.throttling_failure_count == 1
        self.wait_out_the_back_off()
        assert self.device.verify_token(code_for(self.device))
        self.device.refresh_from_db()
        assert self.device.throttling_failure_count == 0

    def test_it_gives_the_app_the_secret_issuer_and_user_to_scan(self) -> None:
        issuer = quote(settings.OTP_TOTP_ISSUER.replace(":", ""))

        assert self.device.config_url == (
            f"otpauth://totp/{issuer}%3Aintake?secret={RFC_KEY_B32}"
            f"&algorithm=SHA1&digits=6&period=30&issuer={issuer}"
        )
        with override_settings(OTP_TOTP_ISSUER=""):
            assert self.device.config_url.startswith("otpauth://totp/intake?secret=")

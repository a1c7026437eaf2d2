"""The authenticators in the Django admin: seen and deleted (a reset), never their
secret key, never added or edited there."""

from __future__ import annotations

import base64

from django.conf import settings

from accounts.models import Authenticator
from accounts.tests.support import age_reauth, sign_in
from audit.models import AuditEvent
from pathways.testing import BaseTestCase

BASE = "/admin/accounts/authenticator/"


class AuthenticatorAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.device = Authenticator.objects.create(user=self.intake, name="phone", confirmed=True)
        sign_in(self.client, self.admin)

    def secrets(self) -> list[str]:
        return [self.device.key, base64.b32encode(self.device.bin_key).decode()]

    def test_it_lists_authenticators_without_their_key(self) -> None:
        response = self.client.get(BASE)

        self.assertContains(response, "intake")
        for secret in self.secrets():
            self.assertNotContains(response, secret)

    def test_it_shows_one_read_only_without_its_key_or_qr_code(self) -> None:
        response = self.client.get(f"{BASE}{self.device.pk}/change/")

        assert response.status_code == 200
        for secret in self.secrets():
            self.assertNotContains(response, secret)
        self.assertNotContains(response, 'name="key"')
        self.assertNotContains(response, "otpauth://")
        self.assertNotContains(response, "/config/")

    def test_it_refuses_a_filter_on_the_key_in_the_url(self) -> None:
        # Were it allowed, ?key__startswith= would tell the key one digit at a time.
        for prefix in (self.device.key[:2], "zz"):
            for lookup in ("key__startswith", "key"):
                with self.subTest(lookup=lookup, prefix=prefix):
                    response = self.client.get(BASE, {lookup: prefix})

                    assert response.status_code == 400
        assert self.client.get(BASE, {"confirmed__exact": "1"}).status_code == 200

    def test_it_refuses_to_add_or_edit_one(self) -> None:
        assert self.client.get(f"{BASE}add/").status_code == 403
        response = self.client.post(
            f"{BASE}{self.device.pk}/change/", {"name": "mine now", "key": "00" * 20}
        )

        assert response.status_code == 403
        self.device.refresh_from_db()
        assert self.device.name == "phone"

    def test_it_refuses_the_qr_code_view(self) -> None:
        # django-otp's own admin serves the key as a QR code at <pk>/config/.
        response = self.client.get(f"{BASE}{self.device.pk}/config/")

        assert response.status_code in (302, 404)
        for secret in self.secrets():
            self.assertNotContains(response, secret, status_code=response.status_code)

    def test_it_resets_one_and_audits_it(self) -> None:
        response = self.client.post(f"{BASE}{self.device.pk}/delete/", {"post": "yes"})

        assert response.status_code == 302
        assert not Authenticator.objects.exists()
        event = AuditEvent.objects.get(action="auth.2fa_reset")
        assert event.actor == self.admin
        assert event.object_id == str(self.intake.pk)

    def test_it_asks_to_re_authenticate_before_a_reset(self) -> None:
        age_reauth(self.client, settings.REAUTH_MINUTES * 60 + 1)

        response = self.client.post(f"{BASE}{self.device.pk}/delete/", {"post": "yes"})

        assert response.status_code == 403
        assert Authenticator.objects.exists()

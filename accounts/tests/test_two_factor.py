from __future__ import annotations

from django.test import override_settings

from accounts.models import Authenticator
from accounts.tests.support import code_for
from audit.models import AuditEvent
from pathways.testing import PASSWORD, BaseTestCase


class TwoFactorTestCase(BaseTestCase):
    def sign_in(self, username: str = "intake") -> None:
        r = self.client.post("/staff/sign-in/", {"username": username, "password": PASSWORD})
        self.assertEqual(r.status_code, 302)

    def add_device(self) -> Authenticator:
        return Authenticator.objects.create(user=self.intake, name="phone", confirmed=True)

    def test_it_asks_for_the_code_after_the_password(self) -> None:
        self.add_device()
        r = self.client.post(
            "/staff/sign-in/",
            {"username": "intake", "password": PASSWORD, "next": "/staff/requests/"},
        )
        self.assertRedirects(
            r, "/staff/sign-in/verify/?next=%2Fstaff%2Frequests%2F", fetch_redirect_response=False
        )

    def test_it_keeps_staff_pages_closed_until_the_code_is_given(self) -> None:
        self.add_device()
        self.sign_in()
        r = self.client.get("/staff/requests/")
        self.assertEqual(r.status_code, 302)
        self.assertTrue(r["Location"].startswith("/staff/sign-in/verify/"))

    def test_it_opens_staff_pages_after_a_good_code(self) -> None:
        device = self.add_device()
        self.sign_in()
        r = self.client.post(
            "/staff/sign-in/verify/", {"token": code_for(device), "next": "/staff/requests/"}
        )
        self.assertRedirects(r, "/staff/requests/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/staff/requests/").status_code, 200)
        self.assertTrue(AuditEvent.objects.filter(action="auth.2fa_verified").exists())

    def test_it_rejects_a_wrong_code_with_a_message(self) -> None:
        device = self.add_device()
        self.sign_in()
        wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
        r = self.client.post("/staff/sign-in/verify/", {"token": wrong})
        self.assertContains(r, "did not match")
        self.assertEqual(self.client.get("/staff/requests/").status_code, 302)
        self.assertTrue(AuditEvent.objects.filter(action="auth.2fa_failed").exists())

    def test_it_explains_a_malformed_code(self) -> None:
        self.add_device()
        self.sign_in()
        r = self.client.post("/staff/sign-in/verify/", {"token": "12ab"})
        self.assertContains(r, "Enter the 6 digits")

    def test_it_ignores_an_offsite_next_url(self) -> None:
        device = self.add_device()
        self.sign_in()
        r = self.client.post(
            "/staff/sign-in/verify/", {"token": code_for(device), "next": "https://evil.example/"}
        )
        self.assertRedirects(r, "/staff/", fetch_redirect_response=False)

    def test_it_sets_up_an_authenticator(self) -> None:
        # Setting up an authenticator needs a recent password (accounts.reauth).
        self.sign_in()
        r = self.client.get("/staff/two-factor/")
        self.assertContains(r, "data:image/svg+xml;base64,")
        self.assertEqual(r["Cache-Control"].count("no-store"), 1)
        device = Authenticator.objects.get(user=self.intake, confirmed=False)

        r = self.client.post("/staff/two-factor/", {"token": code_for(device)})
        self.assertRedirects(r, "/staff/", fetch_redirect_response=False)
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        self.assertTrue(AuditEvent.objects.filter(action="auth.2fa_enrolled").exists())

    def test_it_does_not_confirm_an_authenticator_on_a_wrong_code(self) -> None:
        self.sign_in()
        self.client.get("/staff/two-factor/")
        device = Authenticator.objects.get(user=self.intake)
        wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
        r = self.client.post("/staff/two-factor/", {"token": wrong})
        self.assertContains(r, "did not match")
        device.refresh_from_db()
        self.assertFalse(device.confirmed)

    @override_settings(REQUIRE_2FA=True)
    def test_it_sends_users_without_an_authenticator_to_set_one_up(self) -> None:
        self.sign_in()
        r = self.client.get("/staff/requests/")
        self.assertTrue(r["Location"].startswith("/staff/two-factor/"))

    @override_settings(REQUIRE_2FA=True)
    def test_it_closes_the_django_admin_until_two_factor_is_set_up(self) -> None:
        self.client.force_login(self.admin)
        r = self.client.get("/admin/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/admin/login/", r["Location"])

    def test_it_lets_an_admin_without_2fa_in_when_not_required(self) -> None:
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_it_keeps_other_roles_out_of_the_django_admin(self) -> None:
        self.intake.is_staff = True
        self.intake.save()
        self.client.force_login(self.intake)
        self.assertEqual(self.client.get("/admin/").status_code, 302)

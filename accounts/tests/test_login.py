from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import SESSION_KEY

from audit.models import AuditEvent
from pathways.testing import PASSWORD, BaseTestCase

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

WRONG = "not the password at all"


class LoginTestCase(BaseTestCase):
    def sign_in(self, password: str = PASSWORD, remote_addr: str = "127.0.0.1") -> TestResponse:
        # 127.0.0.1 is the test client's own default address.
        data = {"username": "intake", "password": password}
        return self.client.post("/staff/sign-in/", data, REMOTE_ADDR=remote_addr)

    def signed_in_user_id(self) -> str | None:
        return self.client.session.get(SESSION_KEY)

    def test_it_shows_the_form(self) -> None:
        response = self.client.get("/staff/sign-in/")

        self.assertContains(response, "Staff sign-in")
        self.assertContains(response, 'name="password"')

    def test_it_signs_in_and_goes_to_staff_home(self) -> None:
        response = self.sign_in()

        self.assertRedirects(response, "/staff/", fetch_redirect_response=False)
        assert self.signed_in_user_id() == str(self.intake.pk)

    def test_it_follows_a_safe_next_url(self) -> None:
        response = self.client.post(
            "/staff/sign-in/?next=/staff/requests/",
            {"username": "intake", "password": PASSWORD},
        )

        self.assertRedirects(response, "/staff/requests/", fetch_redirect_response=False)

    def test_it_ignores_an_offsite_next_url(self) -> None:
        response = self.client.post(
            "/staff/sign-in/?next=https://evil.example/",
            {"username": "intake", "password": PASSWORD},
        )

        self.assertRedirects(response, "/staff/", fetch_redirect_response=False)

    def test_it_writes_an_audit_entry(self) -> None:
        self.sign_in(remote_addr="198.51.100.20")

        event = AuditEvent.objects.get(action="auth.login")
        assert event.actor == self.intake
        assert event.actor_username == "intake"
        assert event.object_type == "accounts.user"
        assert event.object_id == str(self.intake.pk)
        assert event.ip == "198.51.100.20"

    def test_it_rejects_a_wrong_password(self) -> None:
        response = self.sign_in(WRONG)

        assert response.status_code == 200
        self.assertContains(response, "correct username and password")
        assert self.signed_in_user_id() is None
        assert not AuditEvent.objects.filter(action="auth.login").exists()

    def test_it_locks_out_after_the_failure_limit(self) -> None:
        limit = settings.AXES_FAILURE_LIMIT
        for _ in range(limit - 1):
            assert self.sign_in(WRONG).status_code == 200

        response = self.sign_in(WRONG)

        self.assertContains(response, "Sign-in is locked", status_code=429)
        # Now even the right password is refused.
        response = self.sign_in()
        assert response.status_code == 429
        assert self.signed_in_user_id() is None
        assert not AuditEvent.objects.filter(action="auth.login").exists()

    def test_it_does_not_lock_out_before_the_limit(self) -> None:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.sign_in(WRONG)

        response = self.sign_in()

        assert response.status_code == 302
        assert self.signed_in_user_id() == str(self.intake.pk)

    def test_it_locks_the_username_from_every_address(self) -> None:
        # A guesser spreading their tries over many addresses is still stopped.
        for n in range(settings.AXES_FAILURE_LIMIT):
            self.sign_in(WRONG, remote_addr=f"203.0.113.{n + 1}")

        response = self.sign_in(remote_addr="198.51.100.77")

        assert response.status_code == 429
        assert self.signed_in_user_id() is None

    def test_it_locks_an_address_trying_one_password_on_many_usernames(self) -> None:
        # Password spraying: one common password, a different username each time.
        for n in range(settings.AXES_FAILURE_LIMIT):
            data = {"username": f"guess{n}", "password": "Summer2026!"}
            self.client.post("/staff/sign-in/", data, REMOTE_ADDR="203.0.113.9")

        response = self.sign_in(remote_addr="203.0.113.9")

        assert response.status_code == 429
        assert self.signed_in_user_id() is None

    def test_it_lets_another_user_in_from_another_address(self) -> None:
        for n in range(settings.AXES_FAILURE_LIMIT):
            data = {"username": f"guess{n}", "password": "Summer2026!"}
            self.client.post("/staff/sign-in/", data, REMOTE_ADDR="203.0.113.9")

        response = self.sign_in(remote_addr="198.51.100.20")

        assert response.status_code == 302
        assert self.signed_in_user_id() == str(self.intake.pk)

    def test_it_sends_a_signed_in_user_home(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get("/staff/sign-in/")

        self.assertRedirects(response, "/staff/", fetch_redirect_response=False)


class LogoutTestCase(BaseTestCase):
    def test_it_refuses_get(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get("/staff/sign-out/")

        assert response.status_code == 405
        assert self.client.get("/staff/").status_code == 200

    def test_it_signs_out_on_post(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post("/staff/sign-out/")

        self.assertRedirects(response, "/staff/sign-in/", fetch_redirect_response=False)
        assert SESSION_KEY not in self.client.session
        response = self.client.get("/staff/")
        assert response["Location"] == "/staff/sign-in/?next=/staff/"

    def test_it_writes_an_audit_entry(self) -> None:
        self.client.force_login(self.intake)

        self.client.post("/staff/sign-out/")

        event = AuditEvent.objects.get(action="auth.logout")
        assert event.actor == self.intake
        assert event.ip == "127.0.0.1"

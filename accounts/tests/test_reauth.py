"""Re-authentication before sensitive actions (accounts.reauth): the user admin,
setting up or replacing an authenticator."""

from __future__ import annotations

from django.conf import settings
from django.test import override_settings

from accounts.models import Authenticator, Role, User
from accounts.tests.support import age_reauth, code_for, sign_in, user_change_data
from audit.models import AuditEvent
from pathways.testing import PASSWORD, BaseTestCase

REAUTH = "/staff/sign-in/confirm/"


class AdminUserChangeReauthTestCase(BaseTestCase):
    def change_url(self, user: User) -> str:
        return f"/admin/accounts/user/{user.pk}/change/"

    def test_it_opens_the_user_admin_right_after_signing_in(self) -> None:
        sign_in(self.client, self.admin)

        assert self.client.get(self.change_url(self.intake)).status_code == 200

    def test_it_sends_a_stale_get_to_confirm_with_a_next(self) -> None:
        sign_in(self.client, self.admin)
        age_reauth(self.client, settings.REAUTH_MINUTES * 60 + 1)
        url = self.change_url(self.intake)

        response = self.client.get(url)

        assert response.status_code == 302
        assert (
            response["Location"]
            == f"{REAUTH}?next=%2Fadmin%2Faccounts%2Fuser%2F{self.intake.pk}%2Fchange%2F"
        )

    def test_it_asks_after_force_login_which_typed_no_password(self) -> None:
        self.client.force_login(self.admin)

        response = self.client.get(self.change_url(self.intake))

        assert response["Location"].startswith(REAUTH)

    def test_it_refuses_a_stale_post_and_changes_nothing(self) -> None:
        sign_in(self.client, self.admin)
        age_reauth(self.client, settings.REAUTH_MINUTES * 60 + 1)
        url = self.change_url(self.intake)

        response = self.client.post(
            url,
            user_change_data(self.intake, role=Role.ADMIN),
            HTTP_REFERER=f"http://testserver{url}",
        )

        self.assertContains(response, "Nothing was changed", status_code=403)
        self.assertContains(
            response, f"{REAUTH}?next=http%3A%2F%2Ftestserver%2Fadmin", status_code=403
        )
        self.intake.refresh_from_db()
        assert self.intake.role == Role.INTAKE

    def test_it_does_not_send_a_post_back_to_another_site(self) -> None:
        sign_in(self.client, self.admin)
        age_reauth(self.client, settings.REAUTH_MINUTES * 60 + 1)
        url = self.change_url(self.intake)

        response = self.client.post(url, {}, HTTP_REFERER="https://evil.example/")

        self.assertNotContains(response, "evil.example", status_code=403)

    @override_settings(REAUTH_MINUTES=1)
    def test_it_follows_the_setting(self) -> None:
        sign_in(self.client, self.admin)
        age_reauth(self.client, 61)

        assert self.client.get(self.change_url(self.intake))["Location"].startswith(REAUTH)

    def test_it_guards_adding_a_user_and_setting_a_password(self) -> None:
        self.client.force_login(self.admin)
        for url in (
            "/admin/accounts/user/add/",
            f"/admin/accounts/user/{self.intake.pk}/password/",
            f"/admin/accounts/user/{self.intake.pk}/delete/",
        ):
            with self.subTest(url=url):
                assert self.client.get(url)["Location"].startswith(REAUTH)


class ReauthPageTestCase(BaseTestCase):
    def test_it_accepts_the_password_and_goes_back(self) -> None:
        self.client.force_login(self.admin)
        target = f"/admin/accounts/user/{self.intake.pk}/change/"

        response = self.client.post(REAUTH, {"password": PASSWORD, "next": target})

        self.assertRedirects(response, target, fetch_redirect_response=False)
        assert self.client.get(target).status_code == 200
        assert AuditEvent.objects.filter(action="auth.reauth", actor=self.admin).exists()

    def test_it_ignores_an_offsite_next(self) -> None:
        self.client.force_login(self.admin)

        response = self.client.post(
            REAUTH, {"password": PASSWORD, "next": "https://evil.example/"}
        )

        self.assertRedirects(response, "/staff/", fetch_redirect_response=False)

    def test_it_refuses_a_wrong_password_and_audits_it(self) -> None:
        self.client.force_login(self.admin)

        response = self.client.post(REAUTH, {"password": "not it at all", "next": "/staff/"})

        self.assertContains(response, "That password is not right.")
        event = AuditEvent.objects.get(action="auth.reauth_failed")
        assert event.actor == self.admin
        assert event.detail == {"factor": "password"}
        assert not AuditEvent.objects.filter(action="auth.login_failed").exists()
        assert "not it at all" not in str(list(AuditEvent.objects.values()))

    def test_it_counts_wrong_passwords_toward_the_lock_out(self) -> None:
        self.client.force_login(self.admin)
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.client.post(REAUTH, {"password": "not it at all"})

        response = self.client.post(REAUTH, {"password": PASSWORD})

        assert response.status_code == 429

    def test_it_needs_the_code_too_when_there_is_an_authenticator(self) -> None:
        device = Authenticator.objects.create(user=self.admin, name="phone", confirmed=True)
        sign_in(self.client, self.admin, device)
        age_reauth(self.client, settings.REAUTH_MINUTES * 60 + 1)
        wrong = f"{(int(code_for(device, 1)) + 1) % 1_000_000:06d}"

        response = self.client.post(REAUTH, {"password": PASSWORD, "token": wrong})

        self.assertContains(response, "That code did not match")
        assert AuditEvent.objects.get(action="auth.reauth_failed").detail == {"factor": "otp"}
        url = f"/admin/accounts/user/{self.intake.pk}/change/"
        assert self.client.get(url)["Location"].startswith(REAUTH)

    def test_it_accepts_the_password_and_the_code(self) -> None:
        device = Authenticator.objects.create(user=self.admin, name="phone", confirmed=True)
        sign_in(self.client, self.admin, device)
        age_reauth(self.client, settings.REAUTH_MINUTES * 60 + 1)

        response = self.client.post(
            REAUTH, {"password": PASSWORD, "token": code_for(device, 1), "next": "/staff/"}
        )
        assert response.status_code == 302
        url = f"/admin/accounts/user/{self.intake.pk}/change/"
        assert self.client.get(url).status_code == 200

    def test_it_counts_a_password_without_the_code_as_not_enough(self) -> None:
        device = Authenticator.objects.create(user=self.admin, name="phone", confirmed=True)
        sign_in(self.client, self.admin, device)
        session = self.client.session
        del session["pathways_second_factor_at"]
        session.save()

        response = self.client.get(f"/admin/accounts/user/{self.intake.pk}/change/")

        assert response["Location"].startswith(REAUTH)

    def test_it_refuses_a_user_without_a_role(self) -> None:
        nobody = User.objects.create_user("nobody", password=PASSWORD)
        self.client.force_login(nobody)

        assert self.client.get(REAUTH).status_code == 403

    def test_it_sends_an_anonymous_visitor_to_sign_in(self) -> None:
        response = self.client.get(REAUTH)

        assert response["Location"].startswith("/staff/sign-in/?next=")


class AuthenticatorReauthTestCase(BaseTestCase):
    def test_it_asks_again_before_replacing_an_authenticator(self) -> None:
        device = Authenticator.objects.create(user=self.intake, name="phone", confirmed=True)
        sign_in(self.client, self.intake, device)
        age_reauth(self.client, settings.REAUTH_MINUTES * 60 + 1)

        response = self.client.get("/staff/two-factor/")

        assert response["Location"] == f"{REAUTH}?next=%2Fstaff%2Ftwo-factor%2F"
        assert not Authenticator.objects.filter(confirmed=False).exists()

    def test_it_asks_before_setting_up_a_first_authenticator_and_makes_no_secret(self) -> None:
        # force_login types no password: the setup page (which shows a new secret) waits.
        self.client.force_login(self.intake)

        response = self.client.get("/staff/two-factor/")

        assert response["Location"] == f"{REAUTH}?next=%2Fstaff%2Ftwo-factor%2F"
        assert not Authenticator.objects.exists()

    def test_it_refuses_a_post_of_a_code_without_a_fresh_re_authentication(self) -> None:
        pending = Authenticator.objects.create(user=self.intake, name="app", confirmed=False)
        self.client.force_login(self.intake)

        response = self.client.post("/staff/two-factor/", {"token": code_for(pending)})

        self.assertContains(response, "Nothing was changed", status_code=403)
        pending.refresh_from_db()
        assert not pending.confirmed
        assert not AuditEvent.objects.filter(action="auth.2fa_enrolled").exists()

    def test_it_replaces_the_old_authenticator_once_the_new_one_is_confirmed(self) -> None:
        old = Authenticator.objects.create(user=self.intake, name="old phone", confirmed=True)
        sign_in(self.client, self.intake, old)
        self.client.get("/staff/two-factor/")
        new = Authenticator.objects.get(user=self.intake, confirmed=False)

        response = self.client.post("/staff/two-factor/", {"token": code_for(new)})

        assert response.status_code == 302
        assert list(Authenticator.objects.filter(user=self.intake)) == [new]
        event = AuditEvent.objects.get(action="auth.2fa_enrolled")
        assert event.detail == {"replaced": 1}

    def test_it_refuses_a_stale_post_of_a_new_code(self) -> None:
        old = Authenticator.objects.create(user=self.intake, name="old phone", confirmed=True)
        sign_in(self.client, self.intake, old)
        self.client.get("/staff/two-factor/")
        new = Authenticator.objects.get(user=self.intake, confirmed=False)
        age_reauth(self.client, settings.REAUTH_MINUTES * 60 + 1)

        response = self.client.post("/staff/two-factor/", {"token": code_for(new)})

        assert response.status_code == 403
        new.refresh_from_db()
        assert not new.confirmed
        assert Authenticator.objects.filter(pk=old.pk).exists()

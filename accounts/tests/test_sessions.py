"""Session limits: idle timeout, absolute lifetime, sign out everywhere, and a change
of role or a deactivation taking effect on the next request."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import Role
from accounts.session_store import screen_idle_seconds
from accounts.signals import SIGNED_IN_AT
from accounts.tests.support import sign_in
from audit.models import AuditEvent
from pathways.testing import BaseTestCase

SIGN_IN = "/staff/sign-in/?next=/staff/"


def set_signed_in_at(client: Client, when: float | None) -> None:
    session = client.session
    if when is None:
        del session[SIGNED_IN_AT]
    else:
        session[SIGNED_IN_AT] = when
    session.save()


class IdleTimeoutTestCase(BaseTestCase):
    def test_it_ends_a_session_after_fifteen_idle_minutes_by_default(self) -> None:
        assert settings.SESSION_IDLE_MINUTES == 15
        assert settings.SESSION_COOKIE_AGE == 15 * 60
        assert settings.SESSION_SAVE_EVERY_REQUEST

    def test_it_renews_the_idle_limit_on_each_request(self) -> None:
        self.client.force_login(self.intake)
        Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))

        self.client.get("/staff/")

        left = Session.objects.get().expire_date - timezone.now()
        assert left > timedelta(minutes=14)

    def test_it_signs_out_a_session_past_its_idle_limit(self) -> None:
        self.client.force_login(self.intake)
        Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

        assert self.client.get("/staff/")["Location"] == SIGN_IN

    def test_it_keeps_the_session_alive_on_stay_signed_in(self) -> None:
        self.client.force_login(self.intake)
        Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))

        response = self.client.post("/staff/account/keep-alive/", HTTP_ACCEPT="application/json")

        assert response.json() == {"idle_seconds": screen_idle_seconds()}
        left = Session.objects.get().expire_date - timezone.now()
        assert left > timedelta(minutes=14)

    def test_it_goes_back_to_the_page_without_the_script(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post("/staff/account/keep-alive/", {"next": "/staff/requests/"})

        self.assertRedirects(response, "/staff/requests/", fetch_redirect_response=False)

    def test_it_shows_the_idle_warning_to_a_signed_in_user(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get("/staff/")

        self.assertContains(response, 'id="idle-warning"')
        # 15 minutes, less the 30 seconds a renewal may wait (accounts.session_store).
        self.assertContains(response, 'data-idle-seconds="870"')
        self.assertContains(response, 'data-warning-seconds="120"')
        self.assertContains(response, 'action="/staff/account/keep-alive/"')
        self.assertContains(response, 'src="/static/js/idle-timeout.js"')

    def test_it_shows_no_idle_warning_on_the_public_site(self) -> None:
        response = self.client.get("/")

        self.assertNotContains(response, "idle-warning")
        self.assertNotContains(response, "idle-timeout.js")


class AbsoluteLifetimeTestCase(BaseTestCase):
    def test_it_keeps_a_session_younger_than_the_limit(self) -> None:
        self.client.force_login(self.intake)
        set_signed_in_at(self.client, time.time() - settings.SESSION_ABSOLUTE_HOURS * 3600 + 60)

        assert self.client.get("/staff/").status_code == 200

    def test_it_ends_a_session_twelve_hours_after_sign_in_however_active(self) -> None:
        assert settings.SESSION_ABSOLUTE_HOURS == 12
        self.client.force_login(self.intake)
        set_signed_in_at(self.client, time.time() - 12 * 3600 - 1)

        response = self.client.get("/staff/")

        assert response["Location"] == SIGN_IN
        assert SESSION_KEY not in self.client.session
        event = AuditEvent.objects.get(action="auth.session_expired")
        assert event.actor == self.intake

    @override_settings(SESSION_ABSOLUTE_HOURS=1)
    def test_it_follows_the_setting(self) -> None:
        self.client.force_login(self.intake)
        set_signed_in_at(self.client, time.time() - 3601)

        assert self.client.get("/staff/")["Location"] == SIGN_IN

    def test_it_ends_a_session_that_does_not_say_when_it_began(self) -> None:
        self.client.force_login(self.intake)
        set_signed_in_at(self.client, None)

        assert self.client.get("/staff/")["Location"] == SIGN_IN

    def test_it_stamps_the_sign_in_time(self) -> None:
        before = time.time()

        sign_in(self.client, self.intake)

        assert before <= self.client.session[SIGNED_IN_AT] <= time.time()


class SignOutEverywhereTestCase(BaseTestCase):
    def test_it_ends_every_session_of_the_user(self) -> None:
        here, elsewhere, someone_else = Client(), Client(), Client()
        here.force_login(self.intake)
        elsewhere.force_login(self.intake)
        someone_else.force_login(self.therapist)

        response = here.post("/staff/account/sign-out-everywhere/")

        assert response.status_code == 302
        assert here.get("/staff/")["Location"] == SIGN_IN
        assert elsewhere.get("/staff/")["Location"] == SIGN_IN
        assert someone_else.get("/staff/").status_code == 200
        event = AuditEvent.objects.get(action="auth.sign_out_everywhere")
        assert event.actor == self.intake

    def test_it_lets_the_user_sign_in_again(self) -> None:
        self.client.force_login(self.intake)
        self.client.post("/staff/account/sign-out-everywhere/")

        sign_in(self.client, self.intake)

        assert self.client.get("/staff/").status_code == 200

    def test_it_offers_it_on_the_account_page(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get("/staff/account/")

        self.assertContains(response, 'action="/staff/account/sign-out-everywhere/"')
        self.assertContains(response, "Sign out everywhere")

    def test_it_refuses_a_get(self) -> None:
        self.client.force_login(self.intake)

        assert self.client.get("/staff/account/sign-out-everywhere/").status_code == 405
        assert self.client.get("/staff/").status_code == 200


class PrivilegeChangeTestCase(BaseTestCase):
    def test_it_ends_the_session_when_the_role_changes(self) -> None:
        self.client.force_login(self.therapist)
        self.therapist.role = Role.INTAKE
        self.therapist.save()

        assert self.client.get("/staff/")["Location"] == SIGN_IN
        assert SESSION_KEY not in self.client.session

    def test_it_ends_the_session_when_admin_rights_change(self) -> None:
        self.client.force_login(self.admin)
        self.admin.is_superuser = False
        self.admin.save()

        assert self.client.get("/staff/")["Location"] == SIGN_IN

    def test_it_keeps_the_session_when_a_harmless_field_changes(self) -> None:
        self.client.force_login(self.therapist)
        self.therapist.first_name = "Theodora"
        self.therapist.save()

        assert self.client.get("/staff/").status_code == 200

    def test_it_signs_out_a_deactivated_user_for_good(self) -> None:
        self.client.force_login(self.intake)
        self.intake.is_active = False
        self.intake.save()

        assert self.client.get("/staff/")["Location"] == SIGN_IN
        assert SESSION_KEY not in self.client.session
        # Reactivating the account does not bring the old session back.
        self.intake.is_active = True
        self.intake.save()
        assert self.client.get("/staff/")["Location"] == SIGN_IN

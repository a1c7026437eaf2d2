"""The partner read API's tokens: issued by the admin to a prescriber of a partner,
stored only as a hash, shown once, revoked; audited (interop.tokens, interop.admin)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

from accounts.actor import Actor
from accounts.models import Role
from audit.models import AuditEvent
from common.tokens import token_hash
from interop.models import ApiToken
from interop.tokens import ApiTokenError, api_token_issue, api_token_revoke, default_days
from pathways.testing import BaseTestCase, make_user, reauthenticate


class TokenServiceTestCase(BaseTestCase):
    def test_it_stores_the_token_only_as_its_hash(self) -> None:
        token, plaintext = api_token_issue(
            actor=Actor.for_user(self.admin), prescriber=self.prescriber, days=30
        )

        stored = ApiToken.objects.filter(pk=token.pk).values().get()
        self.assertEqual(stored["token_hash"], token_hash(plaintext))
        self.assertNotIn(plaintext, [str(value) for value in stored.values()])
        self.assertGreaterEqual(len(plaintext), 40)
        self.assertNotIn(plaintext, str(list(AuditEvent.objects.values())))

    def test_it_expires_after_the_days_asked_and_ninety_by_default(self) -> None:
        asked, _ = api_token_issue(
            actor=Actor.for_user(self.admin), prescriber=self.prescriber, days=7
        )
        default, _ = api_token_issue(actor=Actor.for_user(self.admin), prescriber=self.prescriber)

        self.assertEqual((asked.expires_at - asked.created_at).days, 7)
        self.assertEqual((default.expires_at - default.created_at).days, 90)
        self.assertEqual(asked.state(), "active")
        self.assertEqual(asked.state(asked.expires_at + dt.timedelta(seconds=1)), "expired")

    def test_it_refuses_a_setting_out_of_its_range(self) -> None:
        for days in (0, 366, "90"):
            with (
                self.subTest(days=days),
                override_settings(FHIR_TOKEN_DAYS=days),
                self.assertRaises(ImproperlyConfigured),
            ):
                default_days()

    def test_it_refuses_what_is_not_an_admin_issuing_to_a_prescriber(self) -> None:
        cases = [
            (self.therapist, self.prescriber, 30),
            (self.admin, self.therapist, 30),
            (self.admin, make_user("lone", Role.PRESCRIBER), 30),
            (self.admin, self.prescriber, 0),
            (self.admin, self.prescriber, 366),
        ]
        for by, prescriber, days in cases:
            with (
                self.subTest(by=by.username, to=prescriber.username, days=days),
                self.assertRaises(ApiTokenError),
            ):
                api_token_issue(actor=Actor.for_user(by), prescriber=prescriber, days=days)
        self.assertFalse(ApiToken.objects.exists())

    def test_it_revokes_once_and_audits_issue_and_revoke(self) -> None:
        token, _ = api_token_issue(
            actor=Actor.for_user(self.admin), prescriber=self.prescriber, days=30
        )

        revoked = api_token_revoke(actor=Actor.for_user(self.admin), token=token)

        self.assertIsNotNone(revoked.revoked_at)
        self.assertEqual(revoked.revoked_by, self.admin)
        self.assertEqual(revoked.state(), "revoked")
        with self.assertRaises(ApiTokenError):
            api_token_revoke(actor=Actor.for_user(self.admin), token=revoked)
        actions = list(
            AuditEvent.objects.filter(object_id=str(token.pk))
            .order_by("pk")
            .values_list("action", flat=True)
        )
        self.assertEqual(actions, ["fhir.token_issue", "fhir.token_revoke"])


class TokenAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.admin)
        reauthenticate(self.client)

    def test_it_shows_the_token_once_on_the_page_that_issues_it(self) -> None:
        response = self.client.post(
            reverse("admin:interop_apitoken_add"), {"prescriber": self.prescriber.pk, "days": 30}
        )

        self.assertEqual(response.status_code, 200)
        token = ApiToken.objects.get()
        plaintext = response.context["plaintext"]
        self.assertEqual(token.token_hash, token_hash(plaintext))
        self.assertContains(response, plaintext)
        self.assertIn("no-store", response["Cache-Control"])
        # Never again: not on the token's page, nor in the list.
        for url in (
            reverse("admin:interop_apitoken_changelist"),
            reverse("admin:interop_apitoken_change", args=[token.pk]),
        ):
            self.assertNotContains(self.client.get(url), plaintext)

    def test_it_offers_only_prescribers_of_a_partner(self) -> None:
        response = self.client.post(
            reverse("admin:interop_apitoken_add"), {"prescriber": self.therapist.pk, "days": 30}
        )

        self.assertEqual(response.status_code, 200)
        self.assertFalse(ApiToken.objects.exists())
        self.assertTrue(response.context["adminform"].form.errors["prescriber"])

    def test_it_asks_for_a_recent_password_before_issuing(self) -> None:
        browser = Client()
        browser.force_login(self.admin)  # a fresh session: no re-authentication

        response = browser.post(
            reverse("admin:interop_apitoken_add"), {"prescriber": self.prescriber.pk, "days": 30}
        )

        # accounts.reauth answers a POST with its own page and carries nothing out.
        self.assertNotIn("plaintext", response.context or {})
        self.assertFalse(ApiToken.objects.exists())

    def test_it_revokes_the_selected_tokens(self) -> None:
        token, _ = api_token_issue(
            actor=Actor.for_user(self.admin), prescriber=self.prescriber, days=30
        )

        response = self.client.post(
            reverse("admin:interop_apitoken_changelist"),
            {"action": "revoke_tokens", "_selected_action": [token.pk]},
        )

        self.assertEqual(response.status_code, 302)
        token.refresh_from_db()
        self.assertEqual(token.state(), "revoked")
        self.assertEqual(token.revoked_by, self.admin)

    def test_it_is_for_the_admin_role_only(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("admin:interop_apitoken_add"))

        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])


def test_it_stops_start_up_with_a_token_lifetime_out_of_range() -> None:
    from pathways.testing.settings_import import assert_refused, import_settings

    code = "import django; django.setup()"
    env = {"DJANGO_SETTINGS_MODULE": "pathways.settings"}
    assert_refused(import_settings(code, FHIR_TOKEN_DAYS="0", **env), "FHIR_TOKEN_DAYS")
    assert_refused(import_settings(code, FHIR_TOKEN_DAYS="366", **env), "FHIR_TOKEN_DAYS")
    assert import_settings(code, FHIR_TOKEN_DAYS="30", **env).returncode == 0

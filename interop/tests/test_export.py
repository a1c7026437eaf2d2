"""The "FHIR export" on the client chart: a POST for the admin and the client's
assigned therapist (after a recent re-authentication), answered with the Bundle as a
JSON file that is not cached, and audited as a disclosure; everyone else is refused
without learning anything about the client."""

from __future__ import annotations

import json

from django.test import Client as Browser
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from clients.models import Client
from interop.views import EXPORT_ACTION
from pathways.testing import (
    BaseTestCase,
    make_client,
    make_grant,
    name_for_break_glass,
    reauthenticate,
)


class ExportTestCase(BaseTestCase):
    client_record: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.client_record = make_client(
            first_name="Fox", last_name="Mulder", assigned_therapist=cls.therapist
        )

    def url(self, client: Client | None = None) -> str:
        return reverse("interop:client_export", args=[(client or self.client_record).pk])

    def browser_as(self, user: User, *, fresh: bool = True) -> Browser:
        browser = Browser()
        browser.force_login(user)
        if fresh:
            reauthenticate(browser)
        return browser

    def exports(self) -> int:
        return AuditEvent.objects.filter(action=EXPORT_ACTION).count()

    def test_it_downloads_the_bundle_for_the_assigned_therapist(self) -> None:
        response = self.browser_as(self.therapist).post(self.url())

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/fhir+json")
        self.assertTrue(response["Content-Disposition"].startswith("attachment; filename="))
        self.assertNotIn("Mulder", response["Content-Disposition"])
        self.assertIn("no-store", response["Cache-Control"])
        bundle = json.loads(response.content)
        self.assertEqual((bundle["resourceType"], bundle["type"]), ("Bundle", "collection"))
        patient = bundle["entry"][0]["resource"]
        self.assertEqual(patient["name"][0]["family"], "Mulder")

    def test_it_audits_the_export_as_a_disclosure(self) -> None:
        self.browser_as(self.admin).post(self.url())

        entry = AuditEvent.objects.get(action=EXPORT_ACTION)
        self.assertEqual(entry.client_id, self.client_record.pk)
        self.assertEqual(entry.actor, self.admin)
        self.assertEqual(entry.detail["disclosure"], "fhir_export")
        self.assertEqual(entry.detail["resources"]["Patient"], 1)
        self.assertNotIn("Mulder", json.dumps(entry.detail))

    def test_it_answers_404_to_another_therapist(self) -> None:
        response = self.browser_as(self.therapist2).post(self.url())

        self.assertEqual(response.status_code, 404)
        self.assertNotIn(b"Mulder", response.content)
        self.assertEqual(self.exports(), 0)

    def test_it_answers_404_to_a_therapist_with_emergency_access(self) -> None:
        # Break-glass access is for care in the moment, not for taking the record away.
        on_call = name_for_break_glass(self.therapist2)
        make_grant(on_call, self.client_record)

        response = self.browser_as(on_call).post(self.url())

        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.exports(), 0)

    def test_it_refuses_intake_and_the_prescriber(self) -> None:
        for user in (self.intake, self.prescriber):
            with self.subTest(role=user.role):
                response = self.browser_as(user).post(self.url())

                self.assertEqual(response.status_code, 403)
                self.assertNotIn(b"Mulder", response.content)
        self.assertEqual(self.exports(), 0)

    def test_it_sends_an_anonymous_visitor_to_sign_in(self) -> None:
        response = Browser().post(self.url())

        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/staff/sign-in/"))

    def test_it_refuses_a_get(self) -> None:
        response = self.browser_as(self.therapist).get(self.url())

        self.assertEqual(response.status_code, 405)
        self.assertEqual(self.exports(), 0)

    def test_it_asks_for_a_fresh_re_authentication_first(self) -> None:
        response = self.browser_as(self.therapist, fresh=False).post(self.url())

        self.assertContains(response, "Confirm it is you first", status_code=403)
        self.assertNotIn(b"Mulder", response.content)
        self.assertEqual(self.exports(), 0)

    def test_it_needs_the_csrf_token(self) -> None:
        browser = Browser(enforce_csrf_checks=True)
        browser.force_login(self.therapist)
        reauthenticate(browser)

        response = browser.post(self.url())

        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.exports(), 0)

    def test_it_shows_the_button_on_the_chart_to_those_who_may_export(self) -> None:
        chart = reverse("clients:detail", args=[self.client_record.pk])
        for user, shown in ((self.therapist, True), (self.admin, True), (self.intake, False)):
            with self.subTest(role=user.role):
                page = self.browser_as(user).get(chart)

                self.assertEqual(page.status_code, 200)
                self.assertEqual("Download FHIR export" in page.content.decode(), shown)

"""Sending a questionnaire link: the e-mail holds no PHI, the link expires, is audited."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from typing import TYPE_CHECKING

from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from clients.models import Client
from common.tokens import token_hash
from measures.models import MeasureLink, Reason
from pathways.testing import BaseTestCase, make_client

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

LINK = re.compile(r"https?://\S+/measures/([A-Za-z0-9_-]{43})/")
NO_PHI = ["Bob", "Client", "PHQ", "GAD", "Patient Health", "Anxiety", "depress", "anxiety"]


def load_instruments() -> None:
    call_command("load_instruments", stdout=StringIO())


class SendTests(BaseTestCase):
    client_obj: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.client_obj = make_client(assigned_therapist=cls.therapist)

    def _send(self, codes: list[str], user: User | None = None) -> TestResponse:
        self.client.force_login(user or self.therapist)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse("measures:send", args=[self.client_obj.pk]), {"instruments": codes}
            )

    def test_it_sends_a_link_by_email_without_phi(self) -> None:
        response = self._send(["phq9", "gad7"])

        self.assertRedirects(response, reverse("measures:client", args=[self.client_obj.pk]))
        [email] = mail.outbox
        self.assertEqual(email.to, ["bob@example.com"])
        text = str(email.subject) + str(email.body)
        for word in NO_PHI:
            self.assertNotIn(word, text)
        self.assertIn("A short questionnaire from", email.body)
        self.assertIn("It expires on", email.body)
        match = LINK.search(str(email.body))
        assert match, email.body
        link = MeasureLink.objects.get()
        self.assertEqual(link.token_hash, token_hash(match.group(1)))
        self.assertEqual(link.instruments, ["phq9", "gad7"])
        self.assertEqual(link.reason, Reason.MANUAL)
        self.assertEqual(link.created_by, self.therapist)

    def test_it_expires_after_seven_days_by_default(self) -> None:
        self._send(["phq9"])

        link = MeasureLink.objects.get()
        self.assertAlmostEqual(
            link.expires_at, timezone.now() + timedelta(days=7), delta=timedelta(minutes=1)
        )

    @override_settings(MEASURE_LINK_DAYS=3)
    def test_it_expires_after_the_configured_days(self) -> None:
        self._send(["phq9"])

        link = MeasureLink.objects.get()
        self.assertAlmostEqual(
            link.expires_at, timezone.now() + timedelta(days=3), delta=timedelta(minutes=1)
        )

    def test_it_lets_intake_send(self) -> None:
        response = self._send(["gad7"], user=self.intake)

        self.assertEqual(response.status_code, 302)
        self.assertEqual(MeasureLink.objects.count(), 1)

    def test_it_shows_the_link_once_when_the_client_has_no_email(self) -> None:
        self.client_obj.email = ""
        self.client_obj.save()

        response = self._send(["phq9"])

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "shown only this once")
        match = LINK.search(response.content.decode())
        assert match
        self.assertEqual(MeasureLink.objects.get().token_hash, token_hash(match.group(1)))
        self.assertEqual(mail.outbox, [])
        self.assertIn("no-store", response["Cache-Control"])

    def test_it_refuses_a_send_without_a_questionnaire(self) -> None:
        response = self._send([])

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Choose at least one questionnaire.")
        self.assertFalse(MeasureLink.objects.exists())

    def test_it_refuses_an_unknown_questionnaire(self) -> None:
        response = self._send(["beck"])

        self.assertEqual(response.status_code, 200)
        self.assertFalse(MeasureLink.objects.exists())

    def test_it_audits_the_send_with_ids_only(self) -> None:
        self._send(["phq9"])

        event = AuditEvent.objects.get(action="measure.send")
        self.assertEqual(event.client_id, self.client_obj.pk)
        self.assertEqual(event.actor, self.therapist)
        self.assertEqual(event.detail["instruments"], ["phq9"])
        self.assertTrue(event.detail["emailed"])
        self.assertNotIn("token", str(event.detail))

    def test_it_does_not_send_for_another_therapists_client(self) -> None:
        response = self._send(["phq9"], user=self.therapist2)

        self.assertEqual(response.status_code, 404)
        self.assertFalse(MeasureLink.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_it_lists_the_instruments_on_the_form(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("measures:send", args=[self.client_obj.pk]))

        self.assertContains(response, "PHQ-9")
        self.assertContains(response, "GAD-7")
        self.assertContains(response, "PCL-5")

"""A paper PHQ-9 with item 9 above 0 and another item blank (issue 8 §5: a suicide-risk
answer is never missed, also in paper entry)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core import mail
from django.utils import timezone

from measures.models import MeasureLink, Response, SafetyAlert
from measures.tests.test_send import load_instruments
from pathways.testing import BaseTestCase, make_client
from treatment.gate import dosing_readiness
from treatment.tests.support import make_ready

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


class PaperPartialTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()

    def setUp(self) -> None:
        self.client_obj = make_client(assigned_therapist=self.therapist)
        self.client.force_login(self.therapist)
        self.url = f"/staff/measures/client/{self.client_obj.pk}/paper/phq9/"

    def post(self, item9: str, blank: int | None = 3) -> TestResponse:
        data = {"answered_on": timezone.localdate().isoformat()}
        for n in range(1, 10):
            data[f"phq9-{n}"] = "0"
        data["phq9-9"] = item9
        if blank is not None:
            data[f"phq9-{blank}"] = ""
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, data, follow=True)

    def test_it_raises_the_alert_from_an_incomplete_paper_form_and_says_so(self) -> None:
        response = self.post("3")

        alert = SafetyAlert.objects.get()
        self.assertEqual((alert.item, alert.value), (9, 3))
        self.assertFalse(Response.objects.exists())
        self.assertContains(response, "A safety alert was raised")
        self.assertContains(response, "Enter the answer from the paper form.")
        self.assertTrue(mail.outbox)
        link = MeasureLink.objects.get()
        self.assertEqual(link.draft["phq9"]["9"], 3)
        self.assertIsNotNone(link.cancelled_at)

    def test_it_blocks_the_dosing_gate(self) -> None:
        ready = make_ready(self.therapist, self.prescriber, self.partner, client=self.client_obj)

        self.post("2")

        checks, _ = dosing_readiness(ready.session)
        self.assertFalse(next(c for c in checks if c.key == "safety").ok)

    def test_it_alerts_once_over_a_repeat_and_the_complete_form(self) -> None:
        self.post("3")
        self.post("3")
        mail.outbox.clear()

        self.post("3", blank=None)

        self.assertEqual(SafetyAlert.objects.count(), 1)
        self.assertEqual(SafetyAlert.objects.get().response, Response.objects.get())
        self.assertEqual(mail.outbox, [])

    def test_an_incomplete_form_without_a_safety_answer_keeps_nothing(self) -> None:
        self.post("0")

        self.assertFalse(MeasureLink.objects.exists())
        self.assertFalse(SafetyAlert.objects.exists())

    def test_the_alert_page_opens_for_a_paper_draft_alert(self) -> None:
        self.post("3")
        alert = SafetyAlert.objects.get()

        page = self.client.get(f"/staff/measures/alerts/{alert.pk}/")

        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Nearly every day (3)")
        self.assertContains(page, "typed in from a paper form not yet complete")

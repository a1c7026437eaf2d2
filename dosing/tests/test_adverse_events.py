from __future__ import annotations

from typing import Any

from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from dosing.models import AdverseEvent
from dosing.tests.support import ago, local, open_record, post_data
from pathways.testing import BaseTestCase, make_prescriber

SERIOUS_BODY = (
    "A severe or serious adverse event was recorded in a session for one of your referred "
    "clients. Sign in to see it."
)


class AdverseEventTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        self.url = reverse("dosing:adverse_event", args=[self.record.pk])
        self.client.force_login(self.therapist)
        mail.outbox.clear()

    def _post(self, **fields: Any) -> Any:
        data = {
            "type": "elevated_bp",
            "severity": "moderate",
            "occurred_at": local(ago(3)),
            "action_taken": "Clonidine 0.1 mg given; BP rechecked at 15 minutes.",
            "rescue_medication": "Clonidine 0.1 mg",
            **fields,
        }
        return self.client.post(self.url, post_data("ae", **data), follow=True)

    def test_it_records_the_event_with_severity_action_and_rescue_medication(self) -> None:
        response = self._post()

        event = AdverseEvent.objects.get()
        self.assertEqual(event.type, "elevated_bp")
        self.assertEqual(event.severity, "moderate")
        self.assertEqual(event.rescue_medication, "Clonidine 0.1 mg")
        self.assertEqual(event.recorded_by, self.therapist)
        self.assertContains(response, "Elevated blood pressure")
        self.assertContains(response, "Clonidine 0.1 mg")
        self.assertEqual(mail.outbox, [])

    def test_it_notifies_the_prescribers_of_a_serious_event_without_phi(self) -> None:
        colleague = make_prescriber("colleague", self.partner)

        with self.captureOnCommitCallbacks(execute=True):
            # Seriousness is its own question: a moderate event can be serious.
            response = self._post(serious="on", type="sedation", action_taken="Called 911.")

        self.assertContains(response, "the prescriber has been notified")
        recipients = sorted(address for m in mail.outbox for address in m.to)
        self.assertEqual(
            recipients, sorted([self.prescriber.email, colleague.email, self.partner.email])
        )
        self.assertNotIn(self.prescriber2.email, recipients)
        link = reverse("portal_dosing:summary", args=[self.record.pk])
        client = self.ready.client
        for message in mail.outbox:
            self.assertIn(SERIOUS_BODY, message.body)
            self.assertIn(link, message.body)
            text = f"{message.subject}{message.body}"
            for phi in (client.first_name, client.last_name, "911", "sedation", "Sedation"):
                self.assertNotIn(phi, text)
        self.assertTrue(AdverseEvent.objects.get().serious)
        event = AuditEvent.objects.get(action="dosing.adverse_event")
        self.assertEqual(event.detail["notified"], 3)
        self.assertNotIn("911", str(event.detail))

    def test_it_asks_what_an_other_event_was(self) -> None:
        response = self._post(type="other", description="")

        self.assertContains(response, "Describe the event.")
        self.assertContains(response, "Clonidine 0.1 mg given; BP rechecked")
        self.assertFalse(AdverseEvent.objects.exists())

    def test_it_refuses_an_event_in_the_future(self) -> None:
        response = self._post(occurred_at=local(ago(-120)))

        self.assertContains(response, "cannot be in the future")
        self.assertFalse(AdverseEvent.objects.exists())

    def test_it_answers_404_to_another_therapist(self) -> None:
        self.client.force_login(self.therapist2)

        response = self._post()

        self.assertEqual(response.status_code, 404)
        self.assertFalse(AdverseEvent.objects.exists())

"""The client's answering page: the secret link, drafts, completeness, submit, crisis."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from unittest import mock

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from clients.models import Client
from measures import services
from measures.models import MeasureLink, Response, SafetyAlert, Source
from measures.scoring import score
from measures.tests.support import GAD7, PHQ9, SYSTEM, answers
from measures.tests.test_send import load_instruments
from pathways.testing import BaseTestCase, make_client


def post_data(values: dict[str, dict[Any, int]], action: str = "submit") -> dict[str, str]:
    data = {action: "1"}
    for code, items in values.items():
        for key, value in items.items():
            data[f"{code}-{key}"] = str(value)
    return data


class AnswerTests(BaseTestCase):
    client_obj: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.client_obj = make_client(
            first_name="Marisol", last_name="Vantongeren", assigned_therapist=cls.therapist
        )

    def setUp(self) -> None:
        self.link, self.token = services.link_send(
            actor=SYSTEM, client=self.client_obj, codes=["phq9", "gad7"]
        )
        self.url = reverse("measure_answer:answer", args=[self.token])

    def test_it_shows_each_item_with_its_published_wording_and_the_progress(self) -> None:
        response = self.client.get(self.url)

        self.assertEqual(response.status_code, 200)
        for definition in (PHQ9, GAD7):
            self.assertContains(response, definition["stem"])
            for item in definition["items"]:
                self.assertContains(response, item["text"])
            for option in definition["options"]:
                self.assertContains(response, option["label"])
        self.assertContains(response, PHQ9["unscored_items"][0]["text"])
        self.assertContains(response, "Question 1 of 16")
        self.assertContains(response, "Question 16 of 16")
        self.assertContains(response, "0 of 16 questions answered")
        self.assertContains(response, '<progress id="progress" max="16" value="0">')
        self.assertContains(response, 'type="radio" name="phq9-1" value="0"')
        self.assertNotContains(response, "Marisol")
        self.assertIn("no-store", response["Cache-Control"])

    def test_it_logs_the_opening_as_the_client(self) -> None:
        self.client.get(self.url)

        event = AuditEvent.objects.get(action="measure.open")
        self.assertIsNone(event.actor)
        self.assertEqual(event.client_id, self.client_obj.pk)

    def test_it_answers_an_unknown_token_with_404(self) -> None:
        response = self.client.get(reverse("measure_answer:answer", args=["x" * 43]))

        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "This link is not valid", status_code=404)
        self.assertNotContains(response, PHQ9["stem"], status_code=404)

    def test_it_says_a_used_link_was_used_and_shows_nothing_else(self) -> None:
        self.client.post(self.url, post_data({"phq9": answers(PHQ9), "gad7": answers(GAD7)}))

        for response in (self.client.get(self.url), self.client.post(self.url, {"save": "1"})):
            self.assertEqual(response.status_code, 410)
            content = response.content.decode()
            self.assertIn("This link has already been used", content)
            self.assertNotIn(PHQ9["stem"], content)
            self.assertNotIn(PHQ9["items"][0]["text"], content)
            self.assertNotIn("Marisol", content)
            self.assertNotIn("<form", content)
            self.assertIn("no-store", response["Cache-Control"])

    def test_it_says_an_expired_link_expired_and_shows_nothing_else(self) -> None:
        later = timezone.now() + timedelta(days=7, minutes=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            response = self.client.get(self.url)

        self.assertEqual(response.status_code, 410)
        self.assertContains(response, "This link has expired", status_code=410)
        self.assertNotContains(response, PHQ9["stem"], status_code=410)
        self.assertNotContains(response, "<form", status_code=410)

    @override_settings(MEASURE_LINK_DAYS=2)
    def test_it_expires_after_the_configured_days(self) -> None:
        _, token = services.link_send(actor=SYSTEM, client=self.client_obj, codes=["gad7"])
        url = reverse("measure_answer:answer", args=[token])
        now = timezone.now()

        with mock.patch("django.utils.timezone.now", return_value=now + timedelta(days=1)):
            self.assertEqual(self.client.get(url).status_code, 200)
        with mock.patch(
            "django.utils.timezone.now", return_value=now + timedelta(days=2, hours=1)
        ):
            self.assertEqual(self.client.get(url).status_code, 410)

    def test_it_says_a_cancelled_link_was_cancelled(self) -> None:
        MeasureLink.objects.filter(pk=self.link.pk).update(cancelled_at=timezone.now())

        response = self.client.get(self.url)

        self.assertEqual(response.status_code, 410)
        self.assertNotContains(response, PHQ9["stem"], status_code=410)

    def test_it_saves_a_draft_and_restores_it(self) -> None:
        data = post_data({"phq9": {1: 2, 2: 1, "difficulty": 1}, "gad7": {3: 3}}, action="save")

        response = self.client.post(self.url, data)

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Your answers are saved")
        self.link.refresh_from_db()
        self.assertEqual(
            self.link.draft, {"phq9": {"1": 2, "2": 1, "difficulty": 1}, "gad7": {"3": 3}}
        )
        self.assertIsNone(self.link.used_at)
        self.assertFalse(Response.objects.exists())

        again = self.client.get(self.url)

        content = again.content.decode()
        self.assertRegex(content, r'name="phq9-1" value="2"[^>]*checked')
        self.assertRegex(content, r'name="phq9-2" value="1"[^>]*checked')
        self.assertRegex(content, r'name="phq9-difficulty" value="1"[^>]*checked')
        self.assertRegex(content, r'name="gad7-3" value="3"[^>]*checked')
        self.assertNotRegex(content, r'name="phq9-3" value="\d"[^>]*checked')
        self.assertContains(again, "3 of 16 questions answered")

    def test_it_refuses_an_incomplete_submit_with_a_message_beside_each_missing_item(
        self,
    ) -> None:
        phq = answers(PHQ9, 1)
        del phq[4]
        gad = answers(GAD7, 2)
        del gad[7]

        response = self.client.post(self.url, post_data({"phq9": phq, "gad7": gad}))

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "2 questions still need an answer")
        content = response.content.decode()
        for name in ("phq9-4", "gad7-7"):
            group = re.search(
                rf'<fieldset class="group has-error" id="id_{name}_group".*?</fieldset>',
                content,
                re.S,
            )
            assert group, name
            self.assertIn("Answer this question before you submit.", group.group(0))
        self.assertEqual(content.count("Answer this question before you submit."), 2)
        # What was given is kept, on the page and in the draft.
        self.assertRegex(content, r'name="phq9-1" value="1"[^>]*checked')
        self.link.refresh_from_db()
        self.assertIsNone(self.link.used_at)
        self.assertEqual(self.link.draft["gad7"]["1"], 2)
        self.assertFalse(Response.objects.exists())

    def test_it_stores_one_scored_response_per_instrument_on_a_complete_submit(self) -> None:
        phq = answers(PHQ9, 1, q9=0, q2=3)
        gad = answers(GAD7, 2, q1=0)

        response = self.client.post(
            self.url, post_data({"phq9": {**phq, "difficulty": 2}, "gad7": gad})
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Thank you, your answers have been sent")
        stored = {r.instrument.code: r for r in Response.objects.select_related("instrument")}
        self.assertEqual(set(stored), {"phq9", "gad7"})
        for code, definition, given in (("phq9", PHQ9, phq), ("gad7", GAD7, gad)):
            expected = score(definition, given)
            self.assertEqual(stored[code].total, expected.total)
            self.assertEqual(stored[code].band_key, expected.band_key)
            self.assertEqual(stored[code].band_label, expected.band_label)
            self.assertEqual(stored[code].source, Source.LINK)
            self.assertEqual(stored[code].link, self.link)
            self.assertEqual(stored[code].definition_version, definition["version"])
            self.assertEqual(stored[code].answers, {str(k): v for k, v in given.items()})
            self.assertIsNone(stored[code].entered_by)
        self.assertEqual(stored["phq9"].unscored, {"difficulty": 2})
        # No score is shown to the client.
        self.assertNotContains(response, str(stored["phq9"].total) + " ")
        self.assertNotContains(response, stored["phq9"].band_label)
        self.link.refresh_from_db()
        self.assertIsNotNone(self.link.used_at)
        self.assertEqual(self.link.draft, {})
        record = AuditEvent.objects.filter(action="measure.record")
        self.assertEqual(record.count(), 2)
        self.assertTrue(all(e.actor is None for e in record))

    def test_it_stores_nothing_twice_when_submitted_again(self) -> None:
        data = post_data({"phq9": answers(PHQ9), "gad7": answers(GAD7)})
        self.client.post(self.url, data)

        again = self.client.post(self.url, data)

        self.assertEqual(again.status_code, 410)
        self.assertEqual(Response.objects.count(), 2)

    def test_it_refuses_an_answer_that_is_not_an_option(self) -> None:
        data = post_data({"phq9": answers(PHQ9, q1=7), "gad7": answers(GAD7)})

        response = self.client.post(self.url, data)

        self.assertEqual(response.status_code, 200)
        self.assertFalse(Response.objects.exists())
        self.assertContains(response, 'id="id_phq9-1_error"')

    def test_it_shows_crisis_resources_first_when_an_alert_is_raised(self) -> None:
        data = post_data({"phq9": answers(PHQ9, q9=1), "gad7": answers(GAD7)})

        response = self.client.post(self.url, data)

        self.assertEqual(
            SafetyAlert.objects.get().response, Response.objects.get(instrument__code="phq9")
        )
        main = response.content.decode().split("<main", 1)[1]
        self.assertIn("988", main)
        self.assertIn("911", main)
        self.assertLess(main.index("tel:988"), main.index("<h1"))
        self.assertLess(main.index("tel:911"), main.index("<h1"))

    def test_it_shows_no_crisis_block_without_an_alert(self) -> None:
        data = post_data({"phq9": answers(PHQ9), "gad7": answers(GAD7)})
        with mock.patch.object(services, "_raise_alerts", return_value=[]):
            response = self.client.post(self.url, data)

        main = response.content.decode().split("<main", 1)[1]
        self.assertNotIn("tel:988", main)

    def test_it_calls_raise_alerts_for_each_stored_response(self) -> None:
        data = post_data({"phq9": answers(PHQ9), "gad7": answers(GAD7)})
        with mock.patch.object(services, "_raise_alerts", return_value=[]) as raised:
            self.client.post(self.url, data)

        self.assertEqual(raised.call_count, 2)
        self.assertEqual(
            {call.kwargs["response"].instrument.code for call in raised.call_args_list},
            {"phq9", "gad7"},
        )

    def test_it_credits_the_client_not_a_staff_session_on_the_same_device(self) -> None:
        self.client.force_login(self.therapist)  # a tablet in the office

        self.client.get(self.url)
        self.client.post(self.url, post_data({"phq9": answers(PHQ9), "gad7": answers(GAD7)}))

        events = AuditEvent.objects.filter(
            action__in=["measure.open", "measure.draft", "measure.record", "measure.submit"]
        )
        self.assertEqual(
            sorted({e.action for e in events}),
            ["measure.draft", "measure.open", "measure.record", "measure.submit"],
        )
        for event in events:
            self.assertIsNone(event.actor)
            self.assertEqual(event.detail["staff_session"], self.therapist.pk)
        stored = Response.objects.filter(link=self.link).values("entered_by").first()
        assert stored is not None
        self.assertIsNone(stored["entered_by"])

    def test_it_puts_nothing_but_the_token_in_the_url(self) -> None:
        self.assertEqual(self.url, f"/measures/{self.token}/")
        response = self.client.post(self.url, post_data({"phq9": {1: 1}}, action="save"))

        self.assertEqual(response.status_code, 200)  # no redirect to a URL with state

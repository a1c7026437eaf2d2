"""The client's questionnaire as a form a phone can use: a large labelled control per
answer, the script that adds one question at a time and live progress, and an error
summary that lists and links each unanswered question and takes focus."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from clients.models import Client
from measures import services
from measures.models import SafetyAlert
from measures.tests.support import GAD7, PHQ9, SYSTEM, answers
from pathways.testing import BaseTestCase, make_client


def post_data(values: dict[str, dict[int, int]], action: str = "submit") -> dict[str, str]:
    data = {action: "1"}
    for code, items in values.items():
        for key, value in items.items():
            data[f"{code}-{key}"] = str(value)
    return data


class AnswerFormTests(BaseTestCase):
    client_obj: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        call_command("load_instruments", stdout=StringIO())
        cls.client_obj = make_client(assigned_therapist=cls.therapist)

    def setUp(self) -> None:
        self.link, token = services.link_send(
            actor=SYSTEM, client=self.client_obj, codes=["phq9", "gad7"]
        )
        self.url = reverse("measure_answer:answer", args=[token])

    def test_it_draws_each_answer_as_a_large_label_around_a_real_radio(self) -> None:
        content = self.client.get(self.url).content.decode()

        label = re.search(r'<label class="choice" for="id_phq9-1_0">(.*?)</label>', content, re.S)
        assert label
        assert 'type="radio" name="phq9-1" value="0"' in label.group(1)
        assert '<span class="choice-text">Not at all</span>' in label.group(1)
        assert 'class="choice-check" aria-hidden="true"' in label.group(1)

    def test_it_loads_the_script_and_marks_the_steps(self) -> None:
        response = self.client.get(self.url)

        self.assertContains(response, 'src="/static/js/measure-form.js" defer')
        self.assertContains(response, 'data-label="Question 3 of 16"')
        self.assertContains(response, "data-scored", count=16)
        self.assertContains(response, "One question at a time")
        # Without the script: every question on the page, no mode choice, no Back/Next.
        self.assertContains(response, 'id="measure-mode" role="group"')
        self.assertRegex(response.content.decode(), r'id="measure-mode"[^>]*hidden')
        self.assertRegex(response.content.decode(), r'id="step-nav" hidden')
        self.assertContains(response, '<span id="progress-count">0 of 16 questions answered')
        self.assertNotContains(response, 'id="error-summary"')

    def test_it_lists_and_links_each_unanswered_question_and_takes_focus(self) -> None:
        phq = answers(PHQ9, 1)
        del phq[4]
        gad = answers(GAD7, 2)
        del gad[7]

        response = self.client.post(self.url, post_data({"phq9": phq, "gad7": gad}))

        content = response.content.decode()
        summary = re.search(r'<div class="error-summary"[^>]*>.*?</div>', content, re.S)
        assert summary, content
        opening = summary.group(0).split(">", 1)[0]
        assert 'tabindex="-1"' in opening
        assert "autofocus" in opening
        links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(0))
        # In page order: PHQ-9 (questions 1–9), then GAD-7 (10–16).
        phq9_item4 = PHQ9["items"][3]["text"]
        gad7_item7 = GAD7["items"][6]["text"]
        assert links == [
            ("id_phq9-4_0", f"Question 4 of 16: {phq9_item4}"),
            ("id_gad7-7_0", f"Question 16 of 16: {gad7_item7}"),
        ]
        for anchor, _ in links:
            assert f'id="{anchor}"' in content
        # The answers given are kept.
        self.assertRegex(content, r'name="phq9-1" value="1"[^>]*checked')

    def test_a_refused_submit_still_raises_the_item_9_alert(self) -> None:
        phq = answers(PHQ9, 0, q9=2)
        del phq[4]

        response = self.client.post(self.url, post_data({"phq9": phq}))

        self.assertContains(response, 'id="error-summary"')
        self.assertContains(response, 'id="crisis-resources"')
        alert = SafetyAlert.objects.get()
        assert (alert.item, alert.value) == (9, 2)

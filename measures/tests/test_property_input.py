"""Property tests of the measures forms (issue 10 §5): the client's answer form (on
the secure link) and staff's paper entry. Whatever is typed, cleaning never raises;
whatever is accepted is an answer the instrument offers, and a paper form's day is in
`common.dates.paper_measure_days`. A few posts go through the views too: never a
5xx, and nothing stored outside those bounds."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from clients.models import Client
from common.dates import paper_measure_days
from common.tests.support import any_text, dates_in, view_examples
from measures import services
from measures.forms import AnswerForm, PaperForm
from measures.models import Instrument, Response
from measures.tests.factories import load_instruments
from measures.tests.support import SYSTEM
from pathways.testing import BaseTestCase, make_client

FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VIEWS = settings(
    max_examples=view_examples(), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def item_values(draw: st.DrawFn, instrument: Instrument) -> dict[str, str]:
    """A value for every item and unscored question: half the time all offered ones
    (so that whole forms are accepted and the oracle runs), else any mixture."""
    definition = instrument.definition
    honest = draw(st.booleans())

    def value(offered: list[str]) -> str:
        if honest:
            return draw(st.sampled_from(offered))
        return draw(st.one_of(st.sampled_from(offered), any_text))

    offered = [str(o["value"]) for o in definition["options"]]
    fields = {
        f"{instrument.code}-{item['number']}": value(offered) for item in definition["items"]
    }
    for extra in definition.get("unscored_items") or []:
        extra_offered = [str(o["value"]) for o in extra["options"]]
        fields[f"{instrument.code}-{extra['key']}"] = value(extra_offered)
    return fields


def assert_offered(case: BaseTestCase, instrument: Instrument, cleaned: dict[str, Any]) -> None:
    definition = instrument.definition
    offered = {o["value"] for o in definition["options"]}
    for item in definition["items"]:
        value = cleaned.get(f"{instrument.code}-{item['number']}")
        if value is not None:
            case.assertIn(value, offered)


class MeasureFormProperties(HypothesisTestCase, BaseTestCase):
    record: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.record = make_client(assigned_therapist=cls.therapist)

    @FAST
    @given(data=st.data())
    def test_the_answer_form_accepts_only_offered_answers(self, data: st.DataObject) -> None:
        instrument = Instrument.objects.get(code=data.draw(st.sampled_from(["phq9", "gad7"])))
        posted = data.draw(item_values(instrument))
        form = AnswerForm([instrument], posted)
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            assert_offered(self, instrument, form.cleaned_data)
            form.answers_by_code()

    @FAST
    @given(data=st.data())
    def test_the_paper_form_accepts_only_days_in_range(self, data: st.DataObject) -> None:
        instrument = Instrument.objects.get(code="phq9")
        answered_on = data.draw(dates_in(paper_measure_days(self.record.created_at)))
        posted = {**data.draw(item_values(instrument)), "answered_on": answered_on}
        form = PaperForm([instrument], posted, record_opened=self.record.created_at)
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            assert_offered(self, instrument, form.cleaned_data)
            days = paper_measure_days(self.record.created_at)
            self.assertIn(form.cleaned_data["answered_on"], days)

    def test_it_keeps_a_flagged_partial_paper_form_with_its_difficulty_answer(self) -> None:
        # Found by the property below: the audit detail turned every key into a number.
        self.client.force_login(self.therapist)
        posted = {"phq9-9": "3", "phq9-difficulty": "1", "answered_on": "2026-01-01"}

        response = self.client.post(
            reverse("measures:paper", args=[self.record.pk, "phq9"]), posted
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "A safety alert was raised")

    @VIEWS
    @given(data=st.data())
    def test_paper_posts_never_fail_nor_store_a_day_out_of_range(
        self, data: st.DataObject
    ) -> None:
        self.client.force_login(self.therapist)
        answered_on = data.draw(dates_in(paper_measure_days(self.record.created_at)))
        instrument = Instrument.objects.get(code="phq9")
        posted = {**data.draw(item_values(instrument)), "answered_on": answered_on}

        response = self.client.post(
            reverse("measures:paper", args=[self.record.pk, "phq9"]), posted
        )

        self.assertIn(response.status_code, (200, 302))
        days = paper_measure_days(self.record.created_at)
        for stored in Response.objects.filter(client=self.record):
            self.assertIn(stored.answered_at, days)

    @VIEWS
    @given(data=st.data(), action=st.sampled_from(["submit", "save"]))
    def test_link_posts_never_fail_nor_store_an_answer_not_offered(
        self, data: st.DataObject, action: str
    ) -> None:
        _, token = services.link_send(actor=SYSTEM, client=self.record, codes=["phq9"])
        instrument = Instrument.objects.get(code="phq9")
        posted = {**data.draw(item_values(instrument)), action: "1"}

        response = self.client.post(reverse("measure_answer:answer", args=[token]), posted)

        self.assertLess(response.status_code, 500)
        offered = {o["value"] for o in instrument.definition["options"]}
        for stored in Response.objects.filter(client=self.record):
            self.assertLessEqual(set(stored.answers.values()), offered)

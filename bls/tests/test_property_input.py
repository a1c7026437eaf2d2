"""Property tests of the EMDR record's forms (issue 10 §5): the assessment, a set and
the closing. Whatever is typed, cleaning never raises, and whatever is accepted is
within the published ranges (SUD 0–10, VOC 1–7) and the set's limits. A few set
posts go through the view too: never a 5xx, nothing stored out of range."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from bls.forms import AssessmentForm, ClosingForm, SetForm
from bls.models import SUD_MAX, SUD_MIN, VOC_MAX, VOC_MIN, BlsType, DesensitisationSet, EmdrRecord
from bls.services import PASSES_MAX, SECONDS_MAX, SPEED_HZ_MAX, SPEED_HZ_MIN
from bls.tests.support import Emdr, make_emdr_session
from common.tests.support import any_text, choice_text, long_text, number_text, view_examples
from pathways.testing import BaseTestCase

FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VIEWS = settings(
    max_examples=view_examples(), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
score = st.one_of(st.integers(min_value=-2, max_value=12).map(str), number_text)


def assert_scores(case: BaseTestCase, cleaned: dict[str, Any]) -> None:
    for name, value in cleaned.items():
        if value is None:
            continue
        if name.startswith("sud"):
            case.assertTrue(SUD_MIN <= value <= SUD_MAX, (name, value))
        elif name.startswith("voc") or name == "installation_voc":
            case.assertTrue(VOC_MIN <= value <= VOC_MAX, (name, value))


def assert_set(
    case: BaseTestCase, speed: Decimal, passes: int | None, seconds: int | None
) -> None:
    case.assertTrue(SPEED_HZ_MIN <= speed <= SPEED_HZ_MAX)
    case.assertTrue(passes is not None or seconds is not None)
    case.assertTrue(passes is None or 1 <= passes <= PASSES_MAX)
    case.assertTrue(seconds is None or 1 <= seconds <= SECONDS_MAX)


set_data = st.fixed_dictionaries(
    {
        "bls_type": choice_text(list(BlsType.values)),
        "speed_hz": st.one_of(st.decimals("0", "6", places=1).map(str), number_text),
        "passes": st.one_of(st.just(""), st.integers(0, 1100).map(str), number_text),
        "seconds": st.one_of(st.just(""), number_text),
        "client_report": long_text,
        "sud": st.one_of(st.just(""), score),
        "interweave": any_text,
    }
)


class EmdrFormProperties(HypothesisTestCase, BaseTestCase):
    @FAST
    @given(
        voc=score,
        sud=score,
        memory=long_text,
        negative=any_text,
        positive=any_text,
        emotions=any_text,
    )
    def test_the_assessment_form_accepts_only_scores_in_range(
        self, voc: str, sud: str, memory: str, negative: str, positive: str, emotions: str
    ) -> None:
        data = {
            "target_memory": memory,
            "image": "",
            "negative_cognition": negative,
            "positive_cognition": positive,
            "voc_start": voc,
            "emotions": emotions,
            "sud_start": sud,
            "body_location": "",
        }
        form = AssessmentForm(data, instance=EmdrRecord())
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            assert_scores(self, form.cleaned_data)

    @FAST
    @given(data=set_data)
    def test_the_set_form_accepts_only_sets_within_the_limits(self, data: dict[str, str]) -> None:
        form = SetForm(data)
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            cleaned = form.cleaned_data
            assert_set(self, cleaned["speed_hz"], cleaned["passes"], cleaned["seconds"])
            assert_scores(self, {"sud": cleaned["sud"]})

    @FAST
    @given(
        installation=score,
        sud_end=score,
        voc_end=score,
        closure=choice_text(list(EmdrRecord.Closure.values)),
        reason=long_text,
    )
    def test_the_closing_form_accepts_only_scores_in_range(
        self, installation: str, sud_end: str, voc_end: str, closure: str, reason: str
    ) -> None:
        data = {
            "installation_voc": installation,
            "body_scan": "",
            "sud_end": sud_end,
            "voc_end": voc_end,
            "closure": closure,
            "closure_reason": reason,
        }
        form = ClosingForm(data, instance=EmdrRecord())
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            assert_scores(self, form.cleaned_data)


class SetPostProperties(HypothesisTestCase, BaseTestCase):
    emdr: Emdr

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.emdr = make_emdr_session(cls.therapist, cls.prescriber, cls.partner)

    @VIEWS
    @given(data=set_data)
    def test_set_posts_never_fail_nor_store_a_set_out_of_range(self, data: dict[str, str]) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(f"/staff/emdr/{self.emdr.record.pk}/sets/", data)

        self.assertLess(response.status_code, 500)
        for stored in DesensitisationSet.objects.filter(record=self.emdr.record):
            assert_set(self, stored.speed_hz, stored.passes, stored.seconds)
            assert_scores(self, {"sud": stored.sud})

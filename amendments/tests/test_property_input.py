"""Property tests of recording an amendment request (issue 10 §5): whatever is typed
as the day received, cleaning never raises, an accepted day is one that has come, and
a post never answers 500 nor stores a day out of range."""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis.extra.django import TestCase as HypothesisTestCase

from amendments.forms import ReceiveForm
from amendments.models import AmendmentRequest, RecordPart
from amendments.validation import received_days
from clients.models import Client
from common.tests.support import any_text, choice_text, date_text, view_examples
from pathways.testing import BaseTestCase, make_client

FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VIEWS = settings(
    max_examples=view_examples(), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


class ReceivedDayProperties(HypothesisTestCase, BaseTestCase):
    client_record: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.client_record = make_client(assigned_therapist=cls.therapist)

    @FAST
    @given(received=date_text, concerns=choice_text(list(RecordPart.values)))
    def test_the_form_accepts_only_days_that_have_come(self, received: str, concerns: str) -> None:
        form = ReceiveForm(
            {"received_on": received, "concerns": concerns, "requested_change": "Change it."}
        )
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            self.assertIn(form.cleaned_data["received_on"], received_days())

    @VIEWS
    @given(received=date_text, change=any_text)
    def test_posts_never_fail_nor_store_a_day_out_of_range(
        self, received: str, change: str
    ) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(
            f"/staff/amendments/new/{self.client_record.pk}/",
            {"received_on": received, "concerns": "other", "requested_change": change},
        )

        self.assertIn(response.status_code, (200, 302))
        for stored in AmendmentRequest.objects.all():
            self.assertIn(stored.received_on, received_days())

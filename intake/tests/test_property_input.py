"""Property tests of the request inbox's filter (issue 10 §5): whatever dates arrive
in the query string, the filter form never raises and keeps only plausible days, and
the inbox answers 200 (a message beside the filter, never a 500)."""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis.extra.django import TestCase as HypothesisTestCase

from common.dates import plausible
from common.tests.support import any_text, choice_text, date_text, view_examples
from intake.forms import InboxFilterForm
from intake.models import RequestStatus
from pathways.testing import BaseTestCase

FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VIEWS = settings(
    max_examples=view_examples(), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


class InboxFilterProperties(HypothesisTestCase, BaseTestCase):
    @FAST
    @given(start=date_text, end=date_text, status=choice_text(list(RequestStatus.values)))
    def test_the_filter_keeps_only_plausible_days(self, start: str, end: str, status: str) -> None:
        form = InboxFilterForm({"received_from": start, "received_to": end, "status": status})
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            for name in ("received_from", "received_to"):
                day = form.cleaned_data[name]
                if day is not None:
                    self.assertIn(day, plausible())

    @VIEWS
    @given(start=date_text, end=date_text, page=any_text)
    def test_the_inbox_never_fails(self, start: str, end: str, page: str) -> None:
        self.client.force_login(self.intake)

        response = self.client.get(
            "/staff/requests/", {"received_from": start, "received_to": end, "page": page}
        )

        self.assertEqual(response.status_code, 200)

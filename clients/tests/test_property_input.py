"""Property tests of the client record's form and search (issue 10 §5): whatever is
typed as a date of birth, cleaning never raises and an accepted date lies between
1900 and today; a new-client post and a search never answer a 5xx."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from clients.forms import ClientForm
from clients.models import Client
from common.tests.support import any_text, date_text, view_examples
from pathways.testing import BaseTestCase, make_client

FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VIEWS = settings(
    max_examples=view_examples(), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
EARLIEST_BIRTH = dt.date(1900, 1, 1)
# A date of birth as the search takes it: 1/1/1 and 12/31/9999 included.
US_DATE = "{0.month}/{0.day}/{0.year}"


def client_post(dob: str) -> dict[str, str]:
    return {
        "first_name": "Quinn",
        "last_name": "Avery",
        "date_of_birth": dob,
        "email": "quinn@example.org",
        "phone": "(555) 010-0199",
        "state": "VA",
        "status": "active",
    }


class ClientFormProperties(HypothesisTestCase, BaseTestCase):
    @FAST
    @given(dob=date_text)
    def test_the_form_accepts_only_a_birth_date_from_1900_to_today(self, dob: str) -> None:
        form = ClientForm(client_post(dob))
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        born = form.cleaned_data.get("date_of_birth") if accepted else None
        if born is not None:
            self.assertGreaterEqual(born, EARLIEST_BIRTH)
            self.assertLessEqual(born, timezone.localdate())

    @VIEWS
    @given(dob=date_text)
    def test_new_client_posts_never_fail_nor_store_a_birth_date_out_of_range(
        self, dob: str
    ) -> None:
        self.client.force_login(self.intake)

        response = self.client.post("/staff/clients/new/", client_post(dob))

        self.assertIn(response.status_code, (200, 302))
        for born in Client.objects.exclude(date_of_birth=None).values_list(
            "date_of_birth", flat=True
        ):
            assert born is not None
            self.assertGreaterEqual(born, EARLIEST_BIRTH)
            self.assertLessEqual(born, timezone.localdate())

    @VIEWS
    @given(
        q=st.one_of(date_text, any_text, st.dates().map(lambda d: f"{d.month}/{d.day}/{d.year}"))
    )
    def test_the_search_never_fails(self, q: str) -> None:
        make_client(first_name="Ada", last_name="Quill", assigned_therapist=self.therapist)
        self.client.force_login(self.intake)

        response = self.client.get("/staff/clients/", {"q": q})

        self.assertEqual(response.status_code, 200)

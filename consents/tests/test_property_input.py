"""Property tests of signing a consent on the secure link (issue 10 §5): whatever is
typed, the form never raises, and an accepted signature is a real name that fits;
a few posts go through the public view: never a 5xx."""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from common.tests.support import any_text, long_text, view_examples
from consents.forms import SignForm
from consents.models import SignedConsent
from pathways.testing import BaseTestCase, make_client, make_consent_request

FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VIEWS = settings(
    max_examples=view_examples(), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


class SignProperties(HypothesisTestCase, BaseTestCase):
    @FAST
    @given(name=st.one_of(any_text, long_text), agreed=st.sampled_from(["", "on", "x"]))
    def test_the_form_accepts_only_a_name_that_fits(self, name: str, agreed: str) -> None:
        form = SignForm({"typed_name": name, "agreed": agreed})
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            typed = form.cleaned_data["typed_name"]
            self.assertTrue(typed.strip())
            self.assertLessEqual(len(typed), 160)
            self.assertNotIn("\x00", typed)
            self.assertTrue(form.cleaned_data["agreed"])

    @VIEWS
    @given(name=st.one_of(any_text, long_text), agreed=st.sampled_from(["", "on"]))
    def test_signing_posts_never_fail(self, name: str, agreed: str) -> None:
        record = make_client(assigned_therapist=self.therapist)
        _, token = make_consent_request(record, self.therapist)

        response = self.client.post(f"/consent/{token}/", {"typed_name": name, "agreed": agreed})

        self.assertLess(response.status_code, 500)
        for signed in SignedConsent.objects.filter(client=record):
            self.assertTrue(signed.typed_name.strip())
            self.assertLessEqual(len(signed.typed_name), 160)

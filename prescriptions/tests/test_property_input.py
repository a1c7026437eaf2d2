"""Property tests of the prescription form (issue 10 §5): whatever is typed into any
field, cleaning never raises, and whatever is accepted meets every rule the service
checks (`prescriptions.validation.terms_problems`), validity dates included."""

from __future__ import annotations

from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from common.dates import prescription_days
from common.tests.support import any_text, date_text, long_text, number_text, view_examples
from prescriptions.forms import PrescriptionForm
from prescriptions.models import Prescription
from prescriptions.tests.helpers import RxTestCase, rx_data
from prescriptions.validation import terms_problems

FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VIEWS = settings(
    max_examples=view_examples(), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

NUMBER_FIELDS = [
    "dose_mg",
    "booster_mg",
    "booster_after_minutes",
    "weight_kg",
    "dose_mg_per_kg",
    "fasting_solids_hours",
    "fasting_liquids_hours",
    "sessions_authorised",
    "min_systolic",
    "max_systolic",
    "hr_min",
    "spo2_min",
    "hold_0_hours",
]
TEXT_FIELDS = ["range_override_reason", "holds_instructions", "hold_0_medication"]

# A valid prescription with a few fields replaced by anything.
changes = st.dictionaries(
    st.sampled_from([*NUMBER_FIELDS, *TEXT_FIELDS, "valid_from", "valid_to", "route"]),
    st.one_of(number_text, date_text, any_text, long_text),
    max_size=4,
)


class PrescriptionFormProperties(HypothesisTestCase, RxTestCase):
    @FAST
    @given(
        overrides=changes,
        valid_from=st.one_of(st.none(), date_text),
        valid_to=st.one_of(st.none(), date_text),
    )
    def test_what_the_form_accepts_meets_every_rule(
        self, overrides: dict[str, str], valid_from: str | None, valid_to: str | None
    ) -> None:
        dates = {
            name: value
            for name, value in (("valid_from", valid_from), ("valid_to", valid_to))
            if value is not None
        }
        form = PrescriptionForm(rx_data(**{**overrides, **dates}))
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            terms = form.terms()
            self.assertEqual(terms_problems(terms, today=timezone.localdate()), {})
            self.assertIn(terms.valid_from, prescription_days())
            self.assertIn(terms.valid_to, prescription_days())

    @VIEWS
    @given(valid_from=date_text, valid_to=date_text)
    def test_portal_posts_never_fail(self, valid_from: str, valid_to: str) -> None:
        self.client.force_login(self.prescriber)
        data = rx_data(valid_from=valid_from, valid_to=valid_to)

        response = self.client.post(f"/partner/prescriptions/new/{self.referral.pk}/", data)

        self.assertIn(response.status_code, (200, 302))
        for stored in Prescription.objects.all():
            self.assertIn(stored.valid_from, prescription_days())
            self.assertIn(stored.valid_to, prescription_days())

"""Property tests of the dosing record's forms (issue 10 §5): vitals, the pre-dose
checks, the dose and an adverse event. Whatever is typed, cleaning never raises, and
whatever is accepted is within the model's ranges, the prescription's amount, and
the plausible range of days. A few vitals posts go through the view too: never a
5xx, and every stored set is timed within a day of the session."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from common.dates import session_window
from common.tests.support import (
    any_text,
    assert_within_bounds,
    choice_text,
    datetime_text,
    long_text,
    number_text,
    view_examples,
)
from dosing.forms import AdministrationForm, AdverseEventForm, PredoseForm, VitalsForm
from dosing.models import Administration, AdverseEvent, DosingRecord, VitalSigns
from dosing.tests.support import open_record
from pathways.testing import BaseTestCase

FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VIEWS = settings(
    max_examples=view_examples(), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
PHASES = list(VitalSigns.Phase.values)
LIMIT = Decimal("100.0")

# Mostly numbers a monitor could show (so that sets are accepted and the oracle runs).
reading = st.one_of(st.integers(min_value=20, max_value=300).map(str), number_text)
vitals_data = st.fixed_dictionaries(
    {
        "phase": choice_text(PHASES),
        # Empty (or blank) is the moment of the submit (issue 11 §3).
        "taken_at": st.one_of(st.sampled_from(["", "  "]), datetime_text),
        "systolic": reading,
        "diastolic": reading,
        "heart_rate": reading,
        "spo2": reading,
        "sedation": st.sampled_from(["", "on"]),
        "dissociation": st.sampled_from(["", "on"]),
        "notes": long_text,
    }
)


class DosingFormProperties(HypothesisTestCase, BaseTestCase):
    @FAST
    @given(data=vitals_data)
    def test_the_vitals_form_accepts_only_plausible_values(self, data: dict[str, str]) -> None:
        before = timezone.now()
        form = VitalsForm(data, phases=PHASES)
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            assert_within_bounds(VitalSigns, form.cleaned_data)
        if not data["taken_at"].strip() and "taken_at" not in form.errors:
            # An empty time is never an error: it is the moment of the submit.
            self.assertLessEqual(before, form.cleaned_data["taken_at"])
            self.assertLessEqual(form.cleaned_data["taken_at"], timezone.now())

    @FAST
    @given(
        fasting=st.one_of(st.decimals("-1", "60", places=1).map(str), number_text),
        liquids=st.one_of(st.decimals("-1", "60", places=1).map(str), number_text),
        name=any_text,
        phone=any_text,
        intention=long_text,
    )
    def test_the_predose_form_accepts_only_plausible_hours(
        self, fasting: str, liquids: str, name: str, phone: str, intention: str
    ) -> None:
        form = PredoseForm(
            {
                "fasting_hours": fasting,
                "fasting_liquids_hours": liquids,
                "escort_name": name,
                "escort_phone": phone,
                "intention": intention,
            }
        )
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            assert_within_bounds(DosingRecord, form.cleaned_data)

    @FAST
    @given(
        dose=st.one_of(st.decimals("0", "150", places=1).map(str), number_text),
        given_at=st.one_of(st.just(""), datetime_text),
        self_administered=st.booleans(),
    )
    def test_the_dose_form_accepts_only_an_amount_within_the_prescription(
        self, dose: str, given_at: str, self_administered: bool
    ) -> None:
        data = {
            "dose_mg": dose,
            "given_at": given_at,
            "self_administered": "on" if self_administered else "",
            "given_by": self.therapist.pk,
            "witnessed_by": self.admin.pk,
        }
        form = AdministrationForm(data, limit=LIMIT)
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            self.assertGreater(form.cleaned_data["dose_mg"], 0)
            self.assertLessEqual(form.cleaned_data["dose_mg"], LIMIT)
            assert_within_bounds(Administration, {"given_at": form.cleaned_data["given_at"]})
        if not given_at:
            self.assertNotIn("given_at", form.errors)  # empty is now, never an error

    @FAST
    @given(
        type_=choice_text(list(AdverseEvent.Type.values)),
        severity=choice_text(list(AdverseEvent.Severity.values)),
        occurred_at=datetime_text,
        description=long_text,
        action=long_text,
    )
    def test_the_adverse_event_form_accepts_only_plausible_times(
        self, type_: str, severity: str, occurred_at: str, description: str, action: str
    ) -> None:
        data = {
            "type": type_,
            "severity": severity,
            "occurred_at": occurred_at,
            "description": description,
            "action_taken": action,
            "rescue_medication": "",
        }
        form = AdverseEventForm(data)
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            assert_within_bounds(AdverseEvent, form.cleaned_data)


class VitalsPostProperties(HypothesisTestCase, BaseTestCase):
    record: DosingRecord

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        _, cls.record = open_record(cls.therapist, cls.prescriber, cls.partner)

    @VIEWS
    @given(data=vitals_data)
    def test_vitals_posts_never_fail_nor_store_a_time_outside_the_session(
        self, data: dict[str, str]
    ) -> None:
        self.client.force_login(self.therapist)
        posted = {f"vitals-{name}": value for name, value in data.items()}

        response = self.client.post(f"/staff/dosing/{self.record.pk}/vitals/", posted)

        self.assertLess(response.status_code, 500)
        window = session_window(self.record.opened_at)
        for stored in VitalSigns.objects.filter(record=self.record):
            self.assertIn(stored.taken_at, window)
            assert_within_bounds(VitalSigns, {"systolic": stored.systolic, "spo2": stored.spo2})

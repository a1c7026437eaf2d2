"""Property tests of planning a course session (issue 10 §5): whatever is typed,
cleaning never raises, and an accepted planned date is in the plausible range."""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis.extra.django import TestCase as HypothesisTestCase

from common.dates import plausible
from common.tests.support import choice_text, date_text, view_examples
from pathways.testing import BaseTestCase, make_client, make_course
from treatment.forms import SessionForm
from treatment.models import SessionKind, TreatmentCourse, TreatmentSession

FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VIEWS = settings(
    max_examples=view_examples(), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


class SessionPlanProperties(HypothesisTestCase, BaseTestCase):
    course: TreatmentCourse

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.course = make_course(make_client(assigned_therapist=cls.therapist), cls.therapist)

    @FAST
    @given(kind=choice_text(list(SessionKind.values)), planned=date_text)
    def test_the_form_accepts_only_plausible_days(self, kind: str, planned: str) -> None:
        form = SessionForm({"kind": kind, "planned_date": planned})
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            day = form.cleaned_data["planned_date"]
            if day is not None:
                self.assertIn(day, plausible())

    @VIEWS
    @given(planned=date_text)
    def test_posts_never_fail_nor_store_a_day_out_of_range(self, planned: str) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(
            f"/staff/courses/{self.course.pk}/sessions/add/",
            {"kind": "preparation", "planned_date": planned},
        )

        self.assertIn(response.status_code, (200, 302))
        for stored in TreatmentSession.objects.filter(course=self.course):
            if stored.planned_date is not None:
                self.assertIn(stored.planned_date, plausible())

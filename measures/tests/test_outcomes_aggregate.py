"""Issue 14: the practice outcomes report works out each course's baseline and latest
score in the database (measures.outcomes.aggregate). The figures must be those of the
computation it replaced, kept as the oracle in measures/tests/outcomes_oracle.py, on a
varied practice and on the edges of its rules; and the page's query count must not grow
with the practice."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Client
from measures.outcomes.build import Outcomes
from measures.outcomes.views import denominator_minimums, outcomes
from measures.tests.factories import give_dose, load_instruments, make_score
from measures.tests.outcomes_oracle import old_outcomes
from pathways.testing import BaseTestCase, make_client, make_course
from treatment.models import Modality, TreatmentCourse

URL = reverse("outcomes:report")
UTC = dt.UTC
CODES = ["phq9", "gad7", "pcl5"]


def created(course: TreatmentCourse, at: dt.datetime) -> TreatmentCourse:
    TreatmentCourse.objects.filter(pk=course.pk).update(created_at=at)
    course.refresh_from_db()
    return course


def summary(result: Outcomes) -> dict[str, Any]:
    """Everything the page and the CSV show, in comparable form."""
    return {
        "included": [
            (
                i.client_id,
                i.course_id,
                i.course_number,
                i.modality,
                i.instrument.pk,
                i.baseline,
                i.latest,
                i.first_dose_at,
                i.judged,
                i.in_denominator,
                i.denominator_note,
            )
            for i in result.included
        ],
        "excluded": result.excluded,
        "groups": [
            (g.modality, g.instrument.pk, g.stats, g.denominator_rule, g.below_note)
            for g in result.groups
        ],
        "changes": [(c.instrument.pk, c.rates, c.reliable, c.meaningful) for c in result.changes],
    }


class SameFiguresTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        rng = random.Random(14)  # noqa: S311 - a fixed, varied practice, not a secret
        base = dt.datetime(2025, 1, 1, 9, tzinfo=UTC)
        for n in range(30):
            client = make_client(first_name=f"Var{n}", email=f"var{n}@x.example")
            course_count = rng.choice([0, 1, 1, 2, 3])
            starts = sorted(rng.randrange(0, 600) for _ in range(course_count))
            for start in starts:
                course = make_course(client, cls.therapist, modality=rng.choice(list(Modality)))
                opened = base + dt.timedelta(days=start, hours=rng.randrange(24))
                created(course, opened)
                if rng.random() < 0.75:
                    give_dose(course, opened + dt.timedelta(days=rng.randrange(0, 40)))
            # Scores spread over the whole time, some at the very same moment.
            moments = [
                base + dt.timedelta(days=rng.randrange(-30, 700), minutes=rng.randrange(1440))
                for _ in range(rng.randrange(0, 30))
            ]
            for at in moments + moments[:2]:
                make_score(client, rng.choice(CODES), rng.randrange(0, 22), at)
        cls._edges()

    @classmethod
    def _edges(cls) -> None:
        """The rules' edges, each on its own client."""
        # A score at the very moment of the first dose is a follow-up, not a baseline;
        # two scores at the same moment before it: the later row is the baseline.
        client = make_client(first_name="Edge", email="edge@x.example")
        course = created(
            make_course(client, cls.therapist, modality=Modality.KAP),
            dt.datetime(2026, 1, 1, 12, tzinfo=UTC),
        )
        dose = dt.datetime(2026, 1, 10, 12, tzinfo=UTC)
        give_dose(course, dose)
        make_score(client, "phq9", 18, dt.datetime(2025, 12, 20, 12, tzinfo=UTC))  # before course
        make_score(client, "phq9", 14, dose - dt.timedelta(days=1))
        make_score(client, "phq9", 16, dose - dt.timedelta(days=1))
        make_score(client, "phq9", 7, dose)
        # A second course: a score at the moment it is created is the new course's.
        second = created(
            make_course(client, cls.therapist, modality=Modality.KAP),
            dt.datetime(2026, 3, 1, 12, tzinfo=UTC),
        )
        give_dose(second, dt.datetime(2026, 3, 5, 12, tzinfo=UTC))
        make_score(client, "phq9", 12, dt.datetime(2026, 3, 1, 12, tzinfo=UTC))
        make_score(client, "phq9", 6, dt.datetime(2026, 3, 20, 12, tzinfo=UTC))
        # The range's last day is a practice-local day: 23:30 there is in it, 00:30 the
        # next day is not, whatever the UTC date.
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        make_score(client, "gad7", 15, dt.datetime(2025, 12, 31, 12, tzinfo=UTC))
        make_score(client, "gad7", 9, dt.datetime(2026, 2, 27, 23, 30, tzinfo=zone))
        make_score(client, "gad7", 3, dt.datetime(2026, 2, 28, 0, 30, tzinfo=zone))

    def assert_same(self, start: dt.date, end: dt.date) -> None:
        minimums = denominator_minimums()
        new = outcomes(start=start, end=end)
        old = old_outcomes(start=start, end=end, denominator_min=minimums)
        self.assertEqual(summary(new), summary(old))

    def test_it_gives_the_old_figures_over_every_range(self) -> None:
        ranges = [
            (dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
            (dt.date(2025, 6, 1), dt.date(2025, 12, 31)),
            (dt.date(2026, 1, 1), dt.date(2026, 2, 27)),
            (dt.date(2026, 2, 28), dt.date(2026, 2, 28)),
            (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        ]
        for start, end in ranges:
            with self.subTest(start=start, end=end):
                self.assert_same(start, end)

    def test_it_is_a_varied_practice(self) -> None:
        # Guard the guard: the comparison means something only if every kind of row is
        # there.
        result = outcomes(start=dt.date(2025, 6, 1), end=dt.date(2026, 12, 31))
        early = outcomes(start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30))
        reasons = {e.reason for e in result.excluded + early.excluded}
        self.assertEqual(len(reasons), 6, reasons)  # every reason of build.py
        self.assertGreaterEqual(len(result.included), 10)
        self.assertTrue(any(i.course_number > 1 for i in result.included))

    def test_it_takes_the_edges_as_the_rules_say(self) -> None:
        client = Client.objects.get(first_name="Edge")
        result = outcomes(start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 27))
        theirs = {
            (i.course_number, i.instrument.code): (i.baseline.total, i.latest.total)
            for i in result.included
            if i.client_id == client.pk
        }
        # PHQ-9: baseline 16 (the later of two at the same moment), latest 7 (at the dose);
        # the second course's 12 is its own baseline, so not course 1's. GAD-7: 9 on the
        # range's last local day, not 3 the local day after.
        self.assertEqual(theirs, {(1, "phq9"): (16, 7), (1, "gad7"): (15, 9)})


class QueryCountTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()

    def add_clients(self, count: int) -> None:
        for n in range(count):
            client = make_client(first_name=f"Q{Client.objects.count()}-{n}")
            course = make_course(client, self.therapist, modality=Modality.KAP)
            give_dose(course, dt.datetime(2026, 1, 10, 12, tzinfo=UTC))
            make_score(client, "phq9", 15, dt.datetime(2026, 1, 5, 12, tzinfo=UTC))
            make_score(client, "phq9", 5, dt.datetime(2026, 3, 5, 12, tzinfo=UTC))
            make_score(client, "gad7", 12, dt.datetime(2026, 3, 5, 12, tzinfo=UTC))
            if n % 3 == 0:  # and some not included, for other reasons
                make_score(client, "pcl5", 30, dt.datetime(2026, 3, 5, 12, tzinfo=UTC))
                other = make_client(first_name=f"NoCourse{n}")
                make_score(other, "phq9", 20, dt.datetime(2026, 3, 5, 12, tzinfo=UTC))

    def queries(self) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(URL, {"from": "2026-01-01", "to": "2026-06-30"})
        self.assertEqual(response.status_code, 200)
        return len(captured.captured_queries)

    def test_the_page_makes_as_many_queries_with_10_and_with_60_clients(self) -> None:
        self.client.force_login(self.admin)
        self.add_clients(10)
        self.client.get(URL)  # warm the session and caches
        with_10 = self.queries()
        self.add_clients(50)
        with_60 = self.queries()
        self.assertEqual(with_10, with_60)
        result = outcomes(start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30))
        self.assertEqual(len(result.included), 60)  # PHQ-9 of each; GAD-7 has no baseline

"""The practice outcomes report: who is included and why not, the split by modality
and instrument, the date range, and the figures against measures.outcomes.stats. The rules of
issue 8 §6 (course dates, baseline before the first dose, the CMS159 denominator,
reliable and meaningful change) are in test_report_rules.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from clients.models import Client
from measures.outcomes import stats
from measures.tests.factories import day, give_dose, load_instruments, make_score
from measures.tests.support import PHQ9
from pathways.testing import (
    BaseTestCase,
    make_client,
    make_course,
    make_user,
    reauthenticate,
)
from treatment.models import Modality, TreatmentCourse

URL = reverse("outcomes:report")


def course_created(course: TreatmentCourse, at: dt.datetime) -> TreatmentCourse:
    """Back-date a course's creation (``created_at`` is set on insert)."""
    TreatmentCourse.objects.filter(pk=course.pk).update(created_at=at)
    course.refresh_from_db()
    return course


class OutcomesTestCase(BaseTestCase):
    kap: list[Client]
    emdr: Client
    no_course: Client
    one_score: Client
    old: Client
    no_scores: Client
    no_dose: Client
    after_only: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        # KAP, PHQ-9: three clients with a baseline, a first dose, and follow-ups in 2026.
        cls.kap = []
        for first, (baseline, latest) in zip(
            ["Ada", "Ben", "Cai"], [(20, 8), (16, 10), (12, 4)], strict=True
        ):
            c = make_client(first_name=first, last_name="Kapper", email=f"{first}@x.example")
            course = make_course(c, cls.therapist, modality=Modality.KAP)
            give_dose(course, day(2026, 1, 20))
            make_score(c, "phq9", baseline, day(2026, 1, 5))
            make_score(c, "phq9", latest + 2, day(2026, 2, 5))
            make_score(c, "phq9", latest, day(2026, 3, 5))
            cls.kap.append(c)
        # Two courses: an earlier KAP course (2025) and a KA-EMDR course (2026), each
        # with its own scores; only the second has follow-ups in 2026.
        cls.emdr = make_client(first_name="Dee", last_name="Emdrson", email="dee@x.example")
        earlier = course_created(
            make_course(cls.emdr, cls.therapist, modality=Modality.KAP), day(2025, 6, 1)
        )
        give_dose(earlier, day(2025, 6, 10))
        make_score(cls.emdr, "phq9", 15, day(2025, 6, 2))
        make_score(cls.emdr, "phq9", 11, day(2025, 8, 1))
        later = course_created(
            make_course(cls.emdr, cls.therapist, modality=Modality.KA_EMDR), day(2026, 1, 1)
        )
        give_dose(later, day(2026, 1, 15))
        make_score(cls.emdr, "phq9", 18, day(2026, 1, 10))
        make_score(cls.emdr, "phq9", 9, day(2026, 3, 10))
        make_score(cls.emdr, "pcl5", 50, day(2026, 1, 10))
        make_score(cls.emdr, "pcl5", 30, day(2026, 3, 10))
        # Not included, each for one reason.
        cls.no_course = make_client(first_name="Eve", last_name="Nocourse")
        make_score(cls.no_course, "phq9", 20, day(2026, 1, 1))
        make_score(cls.no_course, "phq9", 10, day(2026, 2, 1))
        cls.one_score = make_client(first_name="Fay", last_name="Once")
        give_dose(make_course(cls.one_score, cls.therapist), day(2026, 1, 10))
        make_score(cls.one_score, "phq9", 14, day(2026, 1, 1))
        cls.old = make_client(first_name="Gus", last_name="Early")
        give_dose(make_course(cls.old, cls.therapist), day(2025, 1, 15))
        make_score(cls.old, "phq9", 14, day(2025, 1, 1))
        make_score(cls.old, "phq9", 7, day(2025, 2, 1))
        cls.no_scores = make_client(first_name="Hal", last_name="Noscores")
        give_dose(make_course(cls.no_scores, cls.therapist), day(2026, 1, 10))
        cls.no_dose = make_client(first_name="Jon", last_name="Nodose")
        make_course(cls.no_dose, cls.therapist)
        make_score(cls.no_dose, "phq9", 19, day(2026, 1, 5))
        make_score(cls.no_dose, "phq9", 9, day(2026, 3, 5))
        cls.after_only = make_client(first_name="Kim", last_name="Afterdose")
        give_dose(make_course(cls.after_only, cls.therapist), day(2026, 1, 2))
        make_score(cls.after_only, "phq9", 19, day(2026, 1, 5))
        make_score(cls.after_only, "phq9", 9, day(2026, 3, 5))

    def get(self, **params: str) -> Any:
        self.client.force_login(self.admin)
        return self.client.get(URL, params)


class ReportTests(OutcomesTestCase):
    def test_it_includes_clients_with_a_baseline_and_a_follow_up(self) -> None:
        response = self.get(**{"from": "2026-01-01", "to": "2026-12-31"})

        result = response.context["result"]
        included = {(i.client_id, i.instrument.code) for i in result.included}
        self.assertEqual(
            included,
            {(c.pk, "phq9") for c in self.kap} | {(self.emdr.pk, "phq9"), (self.emdr.pk, "pcl5")},
        )
        self.assertContains(response, "Who is included")
        self.assertContains(response, "Who is not, and why")

    def test_it_says_why_each_other_client_is_not_included(self) -> None:
        result = self.get(**{"from": "2026-01-01", "to": "2026-12-31"}).context["result"]

        reasons = {(e.client_id, e.course_number, e.instrument): e.reason for e in result.excluded}
        self.assertEqual(reasons[(self.no_course.pk, None, "")], "no course")
        self.assertEqual(reasons[(self.one_score.pk, 1, "PHQ-9")], "no score after the first dose")
        self.assertEqual(reasons[(self.old.pk, 1, "PHQ-9")], "outside the date range")
        self.assertEqual(
            reasons[(self.no_scores.pk, 1, "PHQ-9")], "no score of this instrument in this course"
        )
        self.assertEqual(
            reasons[(self.kap[0].pk, 1, "GAD-7")], "no score of this instrument in this course"
        )
        self.assertEqual(
            reasons[(self.no_dose.pk, 1, "")], "no dose given in this course yet, so no baseline"
        )
        self.assertEqual(
            reasons[(self.after_only.pk, 1, "PHQ-9")],
            "no baseline: no score before the first dose",
        )
        self.assertEqual(reasons[(self.emdr.pk, 1, "PHQ-9")], "outside the date range")
        self.assertContains(
            self.get(**{"from": "2026-01-01", "to": "2026-12-31"}),
            "no dose given in this course yet, so no baseline",
        )

    def test_it_splits_by_modality_and_instrument(self) -> None:
        result = self.get(**{"from": "2026-01-01", "to": "2026-12-31"}).context["result"]

        groups = {(g.modality, g.instrument.code): g.stats.n for g in result.groups}
        self.assertEqual(
            groups, {("kap", "phq9"): 3, ("ka_emdr", "phq9"): 1, ("ka_emdr", "pcl5"): 1}
        )

    def test_the_figures_on_the_page_match_the_statistics(self) -> None:
        response = self.get(**{"from": "2026-01-01", "to": "2026-12-31"})

        expected = stats.summarise(PHQ9, [(20, 8), (16, 10), (12, 4)])
        html = response.content.decode()
        table = html[html.index('id="group-kap-phq9"') :]
        table = table[: table.index("</table>")]
        assert expected.ci_low is not None
        assert expected.ci_high is not None
        assert expected.d_z is not None
        self.assertIn('<td class="n">3</td>', table)
        self.assertIn(f"{expected.baseline_mean:.1f} ± {expected.baseline_sd:.1f}", table)
        self.assertIn(f"{expected.latest_mean:.1f} ± {expected.latest_sd:.1f}", table)
        self.assertIn(
            f"{expected.mean_change:.1f} ({expected.ci_low:.1f} to {expected.ci_high:.1f})", table
        )
        self.assertIn(f"{expected.d_z:.2f}", table)
        # Response: 20→8 and 12→4 (≥50%); remission: 12→4 only (below 5).
        self.assertIn("2 of 3 (66.7%)", table)
        self.assertIn("1 of 3 (33.3%)", table)
        self.assertContains(response, "Cohen")

    def test_the_date_range_moves_the_latest_score(self) -> None:
        # To 2026-02-28: the February score is the latest, the March one is ignored.
        result = self.get(**{"from": "2026-02-01", "to": "2026-02-28"}).context["result"]

        kap = next(g for g in result.groups if (g.modality, g.instrument.code) == ("kap", "phq9"))
        self.assertEqual(sorted(m.latest.total for m in kap.members), [6, 10, 12])
        reasons = {(e.client_id, e.course_number, e.instrument): e.reason for e in result.excluded}
        self.assertEqual(reasons[(self.emdr.pk, 2, "PHQ-9")], "outside the date range")
        self.assertEqual(reasons[(self.old.pk, 1, "PHQ-9")], "outside the date range")

    def test_a_range_before_any_score_includes_no_one(self) -> None:
        response = self.get(**{"from": "2020-01-01", "to": "2020-12-31"})

        self.assertEqual(response.context["result"].included, [])
        self.assertContains(response, "No one has a baseline and a follow-up")

    def test_bad_dates_are_marked_beside_the_fields_without_a_500(self) -> None:
        for params in (
            {"from": "not a date", "to": "2026-12-31"},
            {"from": "2026-12-31", "to": "2026-01-01"},
            {"from": "2026-02-30"},
            {"to": "9999-99-99"},
        ):
            response = self.get(**params)
            self.assertEqual(response.status_code, 200, params)
            self.assertContains(response, 'class="error"')
            self.assertContains(response, "Please check the form")

    def test_bad_dates_do_not_break_the_chart_or_the_export(self) -> None:
        self.client.force_login(self.admin)
        reauthenticate(self.client)
        for name in ("outcomes:report_chart", "outcomes:export"):
            response = self.client.get(reverse(name), {"from": "nope", "to": "2026-01-01"})
            self.assertEqual(response.status_code, 200)

    def test_the_chart_is_an_svg_with_its_own_policy(self) -> None:
        self.client.force_login(self.admin)

        response = self.client.get(
            reverse("outcomes:report_chart"), {"from": "2026-01-01", "to": "2026-12-31"}
        )

        self.assertEqual(response["Content-Type"], "image/svg+xml; charset=utf-8")
        self.assertIn("default-src 'none'", response["Content-Security-Policy"])
        body = response.content.decode()
        self.assertIn("KAP · PHQ-9 (n=3)", body)
        for client in [*self.kap, self.emdr]:
            self.assertNotIn(client.first_name, body)

    def test_it_is_audited(self) -> None:
        self.get(**{"from": "2026-01-01", "to": "2026-12-31"})

        event = AuditEvent.objects.get(action="outcomes.report_view")
        self.assertEqual(event.actor, self.admin)
        self.assertEqual(event.detail["from"], "2026-01-01")
        self.assertEqual(event.detail["included"], 5)

    def test_it_is_for_the_admin_only(self) -> None:
        for user in (self.intake, self.therapist, self.prescriber):
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL).status_code, 403, user.role)

    def test_it_does_not_show_client_names(self) -> None:
        response = self.get(**{"from": "2026-01-01", "to": "2026-12-31"})

        for client in [*self.kap, self.emdr, self.no_course]:
            self.assertNotContains(response, client.last_name)
        self.assertContains(response, reverse("clients:detail", args=[self.emdr.pk]))

    def test_the_query_count_does_not_grow_with_clients(self) -> None:
        self.client.force_login(self.admin)
        self.client.get(URL)  # warm caches (sessions, content types)
        with CaptureQueriesContext(connection) as before:
            self.client.get(URL, {"from": "2026-01-01", "to": "2026-12-31"})
        therapist = make_user("t3", Role.THERAPIST)
        for n in range(3):
            extra = make_client(first_name=f"Ivy{n}")
            first = course_created(make_course(extra, therapist), day(2025, 12, 1))
            give_dose(first, day(2026, 1, 3))
            second = make_course(extra, therapist, modality=Modality.KA_EMDR)
            give_dose(course_created(second, day(2026, 4, 1)), day(2026, 4, 3))
            for at, total in ((day(2026, 1, 2), 10), (day(2026, 3, 2), 5), (day(2026, 4, 2), 12)):
                make_score(extra, "phq9", total, at)
                make_score(extra, "gad7", total, at)
            make_score(extra, "phq9", 3, day(2026, 5, 2))
        with self.assertNumQueries(len(before.captured_queries)):
            response = self.client.get(URL, {"from": "2026-01-01", "to": "2026-12-31"})
        self.assertEqual(len(response.context["result"].included), 5 + 3 * 3)

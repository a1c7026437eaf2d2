"""The outcomes report counts like the quality measures (issue 8 §6): one row per
course, scores split by course dates, the baseline is the last score before the first
dose, response and remission only over baselines above 9 (CMS159 / NQF 0710), and the
rates of reliable and clinically meaningful change per instrument."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Client
from measures.outcomes import queries as report_queries
from measures.outcomes import stats
from measures.outcomes.build import Included
from measures.tests.factories import day, give_dose, make_score
from measures.tests.support import PHQ9
from measures.tests.test_report import URL, OutcomesTestCase, course_created
from pathways.testing import make_client, make_course, reauthenticate
from treatment.models import Modality

RANGE = {"from": "2026-01-01", "to": "2026-12-31"}


def rows_of(result: Any, client: Client, code: str = "phq9") -> list[Included]:
    return [i for i in result.included if i.client_id == client.pk and i.instrument.code == code]


def group(result: Any, modality: str, code: str) -> Any:
    return next(g for g in result.groups if (g.modality, g.instrument.code) == (modality, code))


class DenominatorTests(OutcomesTestCase):
    """CMS159 / NQF 0710 counts response and remission only over baselines above 9."""

    low: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Baseline 8 → 2: a "remission" that the measure would not count.
        cls.low = make_client(first_name="Lou", last_name="Lowbase")
        give_dose(make_course(cls.low, cls.therapist), day(2026, 1, 20))
        make_score(cls.low, "phq9", 8, day(2026, 1, 5))
        make_score(cls.low, "phq9", 2, day(2026, 3, 5))

    def test_a_baseline_of_9_or_less_is_not_in_the_response_remission_denominator(self) -> None:
        result = self.get(**RANGE).context["result"]

        kap = group(result, "kap", "phq9")
        self.assertEqual(kap.stats.n, 4)  # Lou counts in the mean change ...
        pairs = [(20, 8), (16, 10), (12, 4), (8, 2)]
        self.assertEqual(kap.stats.mean_change, stats.summarise(PHQ9, pairs).mean_change)
        # ... but not in response (20→8, 12→4) or remission (12→4), over 3 courses.
        self.assertEqual(kap.stats.response, stats.Rate(2, 3))
        self.assertEqual(kap.stats.remission, stats.Rate(1, 3))
        self.assertEqual((kap.stats.denominator, kap.stats.below_denominator), (3, 1))
        (lou,) = rows_of(result, self.low)
        self.assertIs(lou.in_denominator, False)

    def test_the_page_states_the_denominator_beside_the_rates(self) -> None:
        response = self.get(**RANGE)

        html = response.content.decode()
        table = html[html.index('id="group-kap-phq9"') :]
        table = table[: table.index("</table>")]
        self.assertIn("3 of 4 clients with baseline PHQ-9 &gt; 9", table)
        self.assertIn("CMS159 / NQF 0710", table)
        self.assertIn("2 of 3 (66.7%)", table)  # response
        self.assertIn("1 of 3 (33.3%)", table)  # remission
        self.assertContains(
            response, "not in the response/remission denominator: baseline ≤ 9", count=2
        )  # in the group's table and beside Lou's row

    @override_settings(OUTCOMES_PHQ9_DENOMINATOR_MIN=17)
    def test_the_denominator_follows_the_setting(self) -> None:
        response = self.get(**RANGE)

        kap = group(response.context["result"], "kap", "phq9")
        self.assertEqual(kap.stats.response, stats.Rate(1, 1))  # Ada, 20 → 8
        self.assertContains(response, "1 of 4 clients with baseline PHQ-9 &gt; 16")

    def test_the_csv_says_whether_a_row_is_in_the_denominator(self) -> None:
        import csv
        import io

        self.client.force_login(self.admin)
        reauthenticate(self.client)
        text = self.client.get(reverse("outcomes:export"), RANGE).content.decode()

        rows = list(csv.DictReader(io.StringIO(text)))
        lou = next(r for r in rows if (r["baseline_total"], r["latest_total"]) == ("8", "2"))
        self.assertEqual(
            (lou["in_response_denominator"], lou["response"], lou["remission"]), ("no", "", "")
        )
        ada = next(r for r in rows if (r["baseline_total"], r["latest_total"]) == ("20", "8"))
        self.assertEqual(
            (ada["in_response_denominator"], ada["response"], ada["remission"]),
            ("yes", "yes", "no"),
        )


class BaselineTests(OutcomesTestCase):
    """The baseline is the last score before the course's first dose."""

    def test_the_last_score_before_the_first_dose_is_the_baseline(self) -> None:
        record = make_client(first_name="Max", last_name="Predose")
        give_dose(make_course(record, self.therapist), day(2026, 2, 1))
        make_score(record, "phq9", 22, day(2026, 1, 5))  # earlier pre-dose score
        make_score(record, "phq9", 15, day(2026, 1, 25))  # the later one: the baseline
        make_score(record, "phq9", 18, day(2026, 2, 10))  # after the dose: never a baseline
        make_score(record, "phq9", 6, day(2026, 3, 1))

        (row,) = rows_of(self.get(**RANGE).context["result"], record)

        self.assertEqual((row.baseline.total, row.latest.total), (15, 6))
        self.assertEqual(row.first_dose_at, day(2026, 2, 1))

    def test_a_score_after_the_first_dose_is_not_a_baseline(self) -> None:
        # Kim (fixture) has scores only after the first dose.
        result = self.get(**RANGE).context["result"]

        self.assertEqual(rows_of(result, self.after_only), [])
        reasons = {(e.client_id, e.instrument): e.reason for e in result.excluded}
        self.assertEqual(
            reasons[(self.after_only.pk, "PHQ-9")], "no baseline: no score before the first dose"
        )

    def test_the_first_dose_is_the_earliest_dose_not_a_booster_or_a_later_session(self) -> None:
        record = make_client(first_name="Oli", last_name="Booster")
        course = make_course(record, self.therapist)
        give_dose(course, day(2026, 1, 10), kind="booster")  # not a dose
        give_dose(course, day(2026, 3, 10))
        give_dose(course, day(2026, 2, 10))  # the first dose
        make_score(record, "phq9", 20, day(2026, 1, 20))
        make_score(record, "phq9", 14, day(2026, 2, 5))  # last before 2026-02-10
        make_score(record, "phq9", 7, day(2026, 4, 1))

        (row,) = rows_of(self.get(**RANGE).context["result"], record)

        self.assertEqual((row.baseline.total, row.latest.total), (14, 7))

    def test_a_course_with_no_dose_yet_is_listed_as_excluded(self) -> None:
        result = self.get(**RANGE).context["result"]

        self.assertEqual(rows_of(result, self.no_dose), [])
        reasons = [(e.course_number, e.instrument, e.reason) for e in result.excluded]
        self.assertIn((1, "", "no dose given in this course yet, so no baseline"), reasons)


class CourseSplitTests(OutcomesTestCase):
    """Scores belong to the course in whose dates they fall; one row per course."""

    def test_scores_are_split_by_course_dates(self) -> None:
        record = make_client(first_name="Ned", last_name="Twocourses")
        first = course_created(
            make_course(record, self.therapist, modality=Modality.KAP), day(2026, 1, 1)
        )
        give_dose(first, day(2026, 1, 10))
        second = course_created(
            make_course(record, self.therapist, modality=Modality.KAP), day(2026, 4, 1)
        )
        give_dose(second, day(2026, 4, 10))
        make_score(record, "phq9", 20, day(2025, 12, 20))  # before any course: the first's
        make_score(record, "phq9", 18, day(2026, 1, 5))  # first course's baseline
        make_score(record, "phq9", 10, day(2026, 2, 1))
        make_score(record, "phq9", 8, day(2026, 3, 20))  # follow-up: still the first course
        make_score(record, "phq9", 16, day(2026, 4, 5))  # second course's baseline
        make_score(record, "phq9", 9, day(2026, 5, 1))

        rows = rows_of(self.get(**RANGE).context["result"], record)

        got = [(r.course_number, r.baseline.total, r.latest.total) for r in rows]
        self.assertEqual(got, [(1, 18, 8), (2, 16, 9)])

    def test_a_client_with_two_courses_has_a_row_for_each_under_its_own_modality(self) -> None:
        result = self.get(**{"from": "2025-01-01", "to": "2026-12-31"}).context["result"]

        got = [
            (r.course_number, r.modality, r.baseline.total, r.latest.total)
            for r in rows_of(result, self.emdr)
        ]
        self.assertEqual(got, [(1, "kap", 15, 11), (2, "ka_emdr", 18, 9)])


class ChangeRateTests(OutcomesTestCase):
    """Reliable and clinically meaningful change, per instrument, with sources."""

    def test_the_page_gives_reliable_and_meaningful_change_with_their_sources(self) -> None:
        # PCL-5: Dee 50 → 30 (fixture), Pia 30 → 41 (11 points worse), Ray 60 → 45.
        for first, (baseline, latest) in (("Pia", (30, 41)), ("Ray", (60, 45))):
            extra = make_client(first_name=first, last_name="Pclfive")
            course = make_course(extra, self.therapist, modality=Modality.KA_EMDR)
            give_dose(course, day(2026, 1, 20))
            make_score(extra, "pcl5", baseline, day(2026, 1, 5))
            make_score(extra, "pcl5", latest, day(2026, 3, 5))

        response = self.get(**RANGE)

        changes = {c.instrument.code: c for c in response.context["result"].changes}
        pcl5 = changes["pcl5"].rates
        self.assertEqual(pcl5.reliable_improved, stats.Rate(2, 3))
        self.assertEqual(pcl5.reliable_deteriorated, stats.Rate(1, 3))
        self.assertEqual(pcl5.meaningful_improved, stats.Rate(2, 3))
        phq9 = changes["phq9"].rates  # 20→8, 16→10, 12→4, 18→9: each a fall of 5 or more
        self.assertIsNone(phq9.reliable_improved)
        self.assertEqual(phq9.meaningful_improved, stats.Rate(4, 4))
        html = response.content.decode()
        row = html[html.index('id="change-pcl5"') :]
        row = row[: row.index("</tr>")]
        self.assertIn("2 of 3 (66.7%)", row)  # improved reliably, and by the MCID
        self.assertIn("1 of 3 (33.3%)", row)  # deteriorated reliably
        self.assertIn("a rise of 10 points or more", row)
        self.assertIn("National Center for PTSD", row)
        row = html[html.index('id="change-phq9"') :]
        row = row[: row.index("</tr>")]
        self.assertIn("Not defined for the PHQ-9", row)
        self.assertIn("4 of 4 (100.0%)", row)
        self.assertIn("a fall of 5 points or more", row)

    def test_the_csv_carries_the_change_flags(self) -> None:
        import csv
        import io

        self.client.force_login(self.admin)
        reauthenticate(self.client)
        text = self.client.get(reverse("outcomes:export"), RANGE).content.decode()

        pcl5 = next(r for r in csv.DictReader(io.StringIO(text)) if r["instrument"] == "PCL-5")
        self.assertEqual(
            (
                pcl5["reliable_improvement"],
                pcl5["reliable_deterioration"],
                pcl5["meaningful_improvement"],
                pcl5["in_response_denominator"],
            ),
            ("yes", "no", "yes", ""),
        )


class QueryTests(OutcomesTestCase):
    def test_the_reads_are_four_queries_without_answers_or_repeated_definitions(self) -> None:
        with CaptureQueriesContext(connection) as captured:
            data = report_queries.report_data()

        self.assertEqual(len(captured.captured_queries), 4)
        self.assertTrue(data.without_course)
        sql = [q["sql"] for q in captured.captured_queries]
        self.assertEqual(sum('"definition"' in q for q in sql), 1)  # the instruments, once
        self.assertFalse([q for q in sql if '"answers"' in q])

    def test_the_page_makes_as_many_queries_for_more_clients(self) -> None:
        self.client.force_login(self.admin)
        self.client.get(URL)  # warm caches
        with CaptureQueriesContext(connection) as before:
            self.client.get(URL, RANGE)
        for n in range(4):
            extra = make_client(first_name=f"Quinn{n}")
            give_dose(make_course(extra, self.therapist), day(2026, 1, 10))
            make_score(extra, "phq9", 15, day(2026, 1, 5))
            make_score(extra, "phq9", 5, day(2026, 3, 5))
            make_score(extra, "pcl5", 40, day(2026, 1, 5))
            make_score(extra, "pcl5", 20, day(2026, 3, 5))

        with CaptureQueriesContext(connection) as after:
            self.client.get(URL, RANGE)

        self.assertLessEqual(len(after.captured_queries), len(before.captured_queries))

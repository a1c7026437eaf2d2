"""A client's charts page and chart images: who may see them, and the table of every
score."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from clients.models import Client
from measures.models import Instrument, Response, Source
from measures.outcomes import charts
from measures.outcomes.views import client_charts
from measures.tests.factories import day, load_instruments, make_score
from pathways.testing import BaseTestCase, make_client, make_course, make_session, request_for


class ClientChartsTests(BaseTestCase):
    record: Client
    scores: list[Response]
    page_url: str
    chart_url: str

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.record = make_client(
            first_name="Rowan", last_name="Ashdown", assigned_therapist=cls.therapist
        )
        course = make_course(cls.record, cls.therapist)
        make_session(course, started_at=day(2026, 1, 20))
        cls.scores = [
            make_score(cls.record, "phq9", 20, day(2026, 1, 5)),
            make_score(cls.record, "phq9", 9, day(2026, 2, 5), source=Source.PAPER),
            make_score(cls.record, "phq9", 4, day(2026, 3, 5)),
            make_score(cls.record, "gad7", 15, day(2026, 1, 5)),
            make_score(cls.record, "gad7", 10, day(2026, 3, 5)),
        ]
        cls.page_url = reverse("outcomes:client", args=[cls.record.pk])
        cls.chart_url = reverse("outcomes:client_chart", args=[cls.record.pk, "phq9"])

    def test_the_page_shows_a_chart_per_instrument_and_every_score(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(self.page_url)

        self.assertContains(response, self.chart_url)
        self.assertContains(
            response, reverse("outcomes:client_chart", args=[self.record.pk, "gad7"])
        )
        self.assertNotContains(
            response, reverse("outcomes:client_chart", args=[self.record.pk, "pcl5"])
        )
        self.assertEqual(response.content.decode().count("<td><time datetime="), len(self.scores))
        self.assertContains(response, "2026-02-05</time>", count=1)
        self.assertContains(response, "Paper form", count=1)
        self.assertContains(response, "Secure link", count=4)
        self.assertContains(response, "<td>Mild</td>", count=1)  # the band stored with it
        self.assertContains(response, "(not a diagnosis)")

    def test_the_table_gives_the_change_from_baseline_by_the_instruments_rules(self) -> None:
        self.client.force_login(self.admin)

        response = self.client.get(self.page_url)

        html = response.content.decode()
        self.assertIn("-16 points (-80.0%)", html)  # PHQ-9 20 → 4
        self.assertIn("Response (a drop of 50% or more from baseline): yes", html)
        self.assertIn("Remission (total below 5): yes", html)
        self.assertIn("Remission (total below 5): no", html)  # 20 → 9
        self.assertIn("-5 points", html)  # GAD-7 15 → 10
        self.assertEqual(html.count(">Baseline<"), 2)

    def test_the_chart_is_svg_with_its_own_policy_and_is_audited(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(self.chart_url)

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/svg+xml; charset=utf-8")
        self.assertIn("default-src 'none'", response["Content-Security-Policy"])
        self.assertIn("Dosing session", response.content.decode())
        self.assertNotIn("Ashdown", response.content.decode())
        event = AuditEvent.objects.get(action="outcomes.chart_view")
        self.assertEqual(event.client_id, self.record.pk)
        self.assertEqual(event.detail, {"instrument": "phq9"})

    def test_the_page_is_audited(self) -> None:
        self.client.force_login(self.intake)

        self.client.get(self.page_url)

        self.assertTrue(
            AuditEvent.objects.filter(
                action="outcomes.client_view", client_id=self.record.pk
            ).exists()
        )

    def test_another_therapists_client_is_a_404(self) -> None:
        self.client.force_login(self.therapist2)

        self.assertEqual(self.client.get(self.page_url).status_code, 404)
        self.assertEqual(self.client.get(self.chart_url).status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(action__startswith="outcomes.").exists())

    def test_an_unknown_instrument_is_a_404(self) -> None:
        self.client.force_login(self.admin)

        url = reverse("outcomes:client_chart", args=[self.record.pk, "bdi2"])

        self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_prescriber_is_refused(self) -> None:
        self.client.force_login(self.prescriber)

        self.assertEqual(self.client.get(self.page_url).status_code, 403)

    def test_a_client_without_scores_says_so(self) -> None:
        other = make_client(first_name="Noor", assigned_therapist=self.therapist)
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("outcomes:client", args=[other.pk]))

        self.assertContains(response, "No scores yet.")

    def test_the_client_page_has_the_compact_panel(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("clients:tab", args=[self.record.pk, "measures"]))

        self.assertContains(response, "Progress on the outcome measures")
        self.assertContains(response, self.chart_url)
        self.assertContains(response, self.page_url)

    def test_render_measure_panels_gives_the_compact_panel(self) -> None:
        from measures.outcomes.panels import render_measure_panels

        request = request_for(self.therapist)
        html = render_measure_panels(request, self.record)

        self.assertEqual(len(html), 1)
        self.assertIn(self.chart_url, html[0])
        other = make_client(first_name="Noor", assigned_therapist=self.therapist)
        self.assertEqual(render_measure_panels(request, other), [])


class ChartsReadOnceTests(BaseTestCase):
    """The page reads the scores once for its table and its charts (issue 14): each
    chart's version is still the one its picture reads, and the count of queries does
    not grow with the instruments answered."""

    record: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.record = make_client(
            first_name="Ines", last_name="Lowe", assigned_therapist=cls.therapist
        )
        course = make_course(cls.record, cls.therapist)
        make_session(course, started_at=day(2026, 1, 20))
        make_session(course, started_at=day(2026, 2, 20))

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.therapist)

    def _context_charts(self) -> list[dict[str, Any]]:
        response = self.client.get(reverse("outcomes:client", args=[self.record.pk]))
        assert response.status_code == 200
        return response.context["charts"]  # type: ignore[no-any-return]

    def _expected(self) -> list[tuple[str, str, list[charts.Point]]]:
        expected = []
        for instrument in Instrument.objects.order_by("short_name"):
            points = charts.client_points(self.record, instrument)
            if points:
                flagged = [p for p in points if p.flags]
                expected.append(
                    (instrument.code, charts.chart_version(self.record, instrument), flagged)
                )
        return expected

    def test_the_page_and_the_panel_give_each_chart_its_pictures_version(self) -> None:
        phq9 = make_score(self.record, "phq9", 20, day(2026, 1, 5))
        make_score(self.record, "gad7", 15, day(2026, 1, 6))
        make_score(self.record, "phq9", 9, day(2026, 2, 5))
        make_score(self.record, "pcl5", 50, day(2026, 1, 7))
        make_score(self.record, "gad7", 8, day(2026, 3, 6))
        # A safety item answered above its threshold, marked on the chart.
        flagged = make_score(self.record, "phq9", 12, day(2026, 3, 5))
        flagged.answers = {**flagged.answers, "9": 2}
        flagged.save()
        assert phq9.pk

        expected = self._expected()
        assert [code for code, _, _ in expected] == ["gad7", "pcl5", "phq9"]
        assert expected[2][2], "the PHQ-9 chart has a flagged score"
        for found in (self._context_charts(), client_charts(self.record)):
            got = [(c["instrument"].code, c["version"], c["flagged"]) for c in found]
            assert got == expected

    def test_its_queries_do_not_grow_with_the_instruments_answered(self) -> None:
        make_score(self.record, "phq9", 20, day(2026, 1, 5))
        with CaptureQueriesContext(connection) as one:
            self._context_charts()
        make_score(self.record, "gad7", 15, day(2026, 1, 6))
        make_score(self.record, "pcl5", 50, day(2026, 1, 7))
        with CaptureQueriesContext(connection) as three:
            charts_ = self._context_charts()
        assert len(charts_) == 3
        assert len(three) == len(one)

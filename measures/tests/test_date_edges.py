"""Dates at the edges of the calendar (issue 10 §5): a paper form dated 0001-01-01 is
refused, and a score already stored with such a date never breaks the client's pages
or chart: the chart draws what it can and says what it left out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from accounts.actor import Actor
from clients.models import Client
from measures import paper as paper_entry
from measures.models import Instrument, Response
from measures.services import MeasureError
from measures.tests.factories import day, load_instruments, make_score
from measures.tests.support import PHQ9, answers
from pathways.testing import BaseTestCase, make_client

# As the paper form stored it before the check: local noon of 0001-01-01.
YEAR_ONE_NOON = dt.datetime(1, 1, 1, 12, tzinfo=timezone.get_default_timezone())
# Harsher: UTC midnight, which the practice's zone (west of UTC) puts in year 0.
YEAR_ONE_UTC = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


def paper_post(answered_on: str) -> dict[str, str]:
    data = {f"phq9-{k}": str(v) for k, v in answers(PHQ9, 1, q9=0).items()}
    data["phq9-difficulty"] = "1"
    data["answered_on"] = answered_on
    return data


class StoredEdgeDateTests(BaseTestCase):
    record: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.record = make_client(assigned_therapist=cls.therapist)
        make_score(cls.record, "phq9", 20, day(2026, 1, 5))
        make_score(cls.record, "phq9", 12, day(2026, 2, 5))
        make_score(cls.record, "phq9", 18, YEAR_ONE_NOON)

    def _pages(self, record: Client) -> list[str]:
        return [
            reverse("outcomes:client", args=[record.pk]),
            reverse("measures:client", args=[record.pk]),
            reverse("clients:detail", args=[record.pk]),
        ]

    def test_it_renders_the_client_pages_with_a_score_dated_0001_01_01(self) -> None:
        self.client.force_login(self.therapist)

        for url in self._pages(self.record):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_it_draws_the_valid_scores_and_says_one_was_left_out(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(reverse("outcomes:client_chart", args=[self.record.pk, "phq9"]))

        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertIn("1 score with a date outside the chart was left out", body)
        self.assertIn("2 score(s) from 2026-01-05 to 2026-02-05", body)

    def test_the_chart_survives_a_utc_midnight_in_year_one_and_9999_12_31(self) -> None:
        record = make_client(assigned_therapist=self.therapist)
        make_score(record, "phq9", 5, day(2026, 3, 5))
        make_score(record, "phq9", 7, YEAR_ONE_UTC)
        make_score(record, "phq9", 9, dt.datetime(9999, 12, 31, 12, tzinfo=dt.UTC))
        self.client.force_login(self.therapist)

        chart = self.client.get(reverse("outcomes:client_chart", args=[record.pk, "phq9"]))

        self.assertEqual(chart.status_code, 200)
        self.assertContains(chart, "2 scores with a date outside the chart were left out")
        # The pages that list the scores show them too: a date the practice's time zone
        # cannot hold is shown as stored (UTC), never a 500.
        for url in self._pages(record):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_it_says_so_when_no_score_can_be_drawn(self) -> None:
        record = make_client(assigned_therapist=self.therapist)
        make_score(record, "phq9", 7, YEAR_ONE_NOON)
        self.client.force_login(self.therapist)

        chart = self.client.get(reverse("outcomes:client_chart", args=[record.pk, "phq9"]))

        self.assertEqual(chart.status_code, 200)
        self.assertContains(chart, "No score has a date the chart can show")
        self.assertContains(chart, "1 score with a date outside the chart was left out")


class PaperEdgeDateTests(BaseTestCase):
    record: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_instruments()
        cls.record = make_client(assigned_therapist=cls.therapist)

    def _url(self) -> str:
        return reverse("measures:paper", args=[self.record.pk, "phq9"])

    def test_it_refuses_a_paper_phq9_dated_0001_01_01_beside_the_date(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(self._url(), paper_post("0001-01-01"))

        self.assertEqual(response.status_code, 200)
        self.assertIn("answered_on", response.context["form"].errors)
        self.assertContains(response, 'id="id_answered_on_error"')
        self.assertContains(response, 'value="0001-01-01"')  # what was typed is kept
        self.assertFalse(Response.objects.filter(client=self.record).exists())
        # The client's chart still opens.
        chart = self.client.get(reverse("outcomes:client", args=[self.record.pk]))
        self.assertEqual(chart.status_code, 200)

    def test_it_refuses_a_day_long_before_the_record_was_opened(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(self._url(), paper_post("2001-06-01"))

        self.assertEqual(response.status_code, 200)
        self.assertIn("answered_on", response.context["form"].errors)
        self.assertFalse(Response.objects.filter(client=self.record).exists())

    def test_it_accepts_today(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(self._url(), paper_post(timezone.localdate().isoformat()))

        self.assertEqual(response.status_code, 302)
        self.assertEqual(Response.objects.filter(client=self.record).count(), 1)

    def test_the_service_refuses_0001_01_01_without_the_form(self) -> None:
        instrument = Instrument.objects.get(code="phq9")
        given: dict[str, Any] = {str(k): v for k, v in answers(PHQ9, 1, q9=0).items()}
        given["difficulty"] = 1

        with self.assertRaises(MeasureError) as raised:
            paper_entry.paper_record(
                actor=Actor.for_user(self.therapist),
                client=self.record,
                instrument=instrument,
                answers=given,
                answered_on=dt.date(1, 1, 1),
            )

        self.assertEqual(raised.exception.field, "answered_on")
        self.assertFalse(Response.objects.filter(client=self.record).exists())


class ReportRangeEdgeTests(BaseTestCase):
    def test_it_shows_the_report_with_a_message_for_dates_at_the_edges(self) -> None:
        self.client.force_login(self.admin)

        for query in ({"from": "0001-01-01"}, {"to": "9999-12-31"}):
            with self.subTest(query=query):
                response = self.client.get(reverse("outcomes:report"), query)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors)
                self.assertContains(response, "Enter a date from 1 January 1900")

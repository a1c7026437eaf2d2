"""The client chart's query count is fixed: the same for a client with little data and
with much, and in a practice of few clients and of many (issue 14: no per-row queries
in any panel; query counts are tests, timings go in `make bench`)."""

from __future__ import annotations

import os

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.panels import TABS
from measures.models import AlertAction, SafetyAlert
from measures.tests.factories import make_response
from pathways.testing import BaseTestCase, make_client

from .history import add_history, start_history


class ChartQueryTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(first_name="Iris", assigned_therapist=self.therapist)
        self.course = start_history(self.record, self.therapist, self.prescriber, self.partner)
        add_history(self.record, self.course, self.therapist, times=1)

    def counts(self) -> dict[str, int]:
        """Queries per tab of the chart, for the client's therapist."""
        self.client.force_login(self.therapist)
        found = {}
        for tab, _ in TABS:
            url = f"/staff/clients/{self.record.pk}/" + ("" if tab == "overview" else f"{tab}/")
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200, tab)
            found[tab] = len(queries)
            if os.environ.get("SHOW_QUERIES"):  # to see what a tab reads: SHOW_QUERIES=1 -s
                print(f"--- {tab}: {len(queries)}")
                for q in queries.captured_queries:
                    print("   ", q["sql"][:220])
        return found

    def test_it_reads_as_many_queries_for_a_client_with_much_data(self) -> None:
        few = self.counts()
        add_history(self.record, self.course, self.therapist, times=6)
        self.assertEqual(self.counts(), few)

    def test_it_reads_as_many_queries_in_a_larger_practice(self) -> None:
        few = self.counts()
        for n in range(4):
            other = make_client(first_name=f"Other{n}", assigned_therapist=self.therapist)
            course = start_history(other, self.therapist, self.prescriber, self.partner)
            add_history(other, course, self.therapist, times=2)
        self.assertEqual(self.counts(), few)

    def add_alerts(self, n: int) -> None:
        """`n` open safety alerts and `n` acknowledged ones, each with its answer."""
        for _ in range(n):
            for acknowledged in (False, True):
                answer = make_response(self.record, q9=2)
                SafetyAlert.objects.create(
                    client=self.record,
                    instrument=answer.instrument,
                    response=answer,
                    item=9,
                    value=2,
                    escalated_at=None if acknowledged else timezone.now(),
                    acknowledged_at=timezone.now() if acknowledged else None,
                    acknowledged_by=self.therapist if acknowledged else None,
                    action=AlertAction.SAFETY_PLAN if acknowledged else "",
                )

    def test_it_reads_as_many_queries_with_more_safety_alerts(self) -> None:
        # The chart's alerts panel reads only what it shows (measures.alerts.panels
        # PANEL_FIELDS): one field it shows and leaves out would be a query per alert.
        self.add_alerts(1)
        few = self.counts()
        self.add_alerts(3)
        many = self.counts()

        self.assertEqual(many, few)
        self.client.force_login(self.therapist)
        page = self.client.get(f"/staff/clients/{self.record.pk}/")
        self.assertContains(page, "Safety alerts: 4 open")
        self.assertContains(page, "PHQ-9 item 9 answered 2 on")
        self.assertContains(page, f"by {self.therapist.display_name}: Safety plan reviewed")

    def test_it_reads_at_most_a_fixed_number_per_tab(self) -> None:
        # A ceiling catches a panel that starts reading row by row. The timeline is
        # the largest (eleven sources): 44 on SQLite, 45 on PostgreSQL; the others
        # 25 to 39 (about 15 of them the request's own: session, user, audit entry…,
        # and two the therapist's break-glass grants, read before their clients).
        for tab, count in self.counts().items():
            self.assertLessEqual(count, 45, tab)

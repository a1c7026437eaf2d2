"""The staff audit report at the size of a practice group (pathways/audit_report.py):
a constant number of queries whatever the trail holds, a count that stops at
audit.paging.COUNT_CAP, and on PostgreSQL an index behind every filter it offers."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role
from audit.services import log_action
from pathways.audit_report import Filters, filtered
from pathways.testing import BaseTestCase, make_client, make_user

URL = "/staff/audit/"
ACTIONS = ("client.view", "dosing.vitals_add", "measure.record")


class AuditReportScaleTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.clients = [make_client(first_name=f"C{i}", last_name=f"Scale{i}") for i in range(4)]
        self.written = 0
        self.client.force_login(self.admin)

    def write(self, n: int) -> None:
        actors = [Actor.for_user(self.therapist), Actor.for_user(self.intake)]
        for _ in range(n):
            client = self.clients[self.written % len(self.clients)]
            actor = actors[self.written % len(actors)]
            log_action(actor, ACTIONS[self.written % len(ACTIONS)], client, client=client)
            self.written += 1

    def get(self, params: dict[str, str]) -> Any:
        """The test client's response, with the context the template was given."""
        response = self.client.get(URL, params)
        assert isinstance(response, HttpResponse)
        return response

    def queries(self, params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.get(params)
        assert response.status_code == 200
        assert response.context["filters"] is not None
        return len(captured)

    def filters(self) -> list[dict[str, str]]:
        return [
            {},
            {"user": "Therapist"},
            {"action": "measure."},
            {"client": "scale1"},
            {"start": "2020-01-01", "user": "intake", "action": "client.", "page": "2"},
        ]

    def test_it_shows_each_page_with_the_same_number_of_queries_for_10_and_200_entries(
        self,
    ) -> None:
        self.write(10)
        small = [self.queries(params) for params in self.filters()]
        self.write(190)

        large = [self.queries(params) for params in self.filters()]

        assert large == small
        self.assertContains(self.get({}), "Scale3, C3")

    def test_it_matches_the_user_whatever_the_case_and_the_start_of_an_action(self) -> None:
        self.write(12)

        page = self.get({"user": "INTAKE", "action": "dosing."}).context["page"]

        assert {(e.actor_username, e.action) for e in page} == {("intake", "dosing.vitals_add")}
        assert len(page) == 2

    def test_it_says_more_than_the_cap_rather_than_counting_every_entry(self) -> None:
        self.write(8)

        with mock.patch("audit.paging.COUNT_CAP", 5):
            response = self.get({})

        self.assertContains(response, "More than 5 entries")
        assert response.context["page"].paginator.num_pages == 1  # 5 entries, 50 a page


def _plan(filters: Filters) -> str:
    with connection.cursor() as cursor:
        # The planner's statistics, as autovacuum keeps them on a real trail; a scan of
        # a test table is cheapest whatever the indexes: take it away.
        cursor.execute("ANALYZE audit_auditevent")
        cursor.execute("SET LOCAL enable_seqscan = off")
    return str(filtered(filters)[:50].explain())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filter_by", "column"),
    [
        ({}, "(at >="),
        ({"user": "therapist"}, "(actor_username)"),
        ({"action": "client."}, "(action)"),
        ({"client_ids": "one"}, "(client_id"),
    ],
)
def test_each_filter_of_the_report_uses_an_index_on_postgresql(
    filter_by: dict[str, Any], column: str
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN's plan, ANALYZE and enable_seqscan are PostgreSQL's")
    # Many entries, one of them by the user, of the action, about the client asked for:
    # the index of a selective filter is the planner's best way to them.
    for _ in range(300):
        log_action(Actor.system(), "request.list")
    therapist = make_user("therapist", Role.THERAPIST)
    client = make_client()
    log_action(Actor.for_user(therapist), "client.view", client, client=client)
    if filter_by.get("client_ids"):
        filter_by = {"client_ids": (client.pk,)}
    today = timezone.localdate()
    base: dict[str, Any] = {"user": "", "client_ids": None, "action": ""}
    filters = Filters(start=today - dt.timedelta(days=30), end=today, **(base | filter_by))

    plan = _plan(filters)

    # The filter is the condition of an index scan, not a Filter over rows read.
    conditions = [line for line in plan.splitlines() if "Index Cond:" in line]
    assert "Index" in plan
    assert any(column in line for line in conditions), plan

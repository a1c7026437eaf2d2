"""The audit list in the admin at the size of a practice group: a constant number of
queries whatever the trail holds, a count that stops at audit.paging.COUNT_CAP, the
action filter's choices without a DISTINCT over the trail, and the indexes of
migration 0005 leaving the chain and its triggers as they were."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.actor import Actor
from audit.models import AuditEvent
from audit.paging import CappedPaginator, actions_in_use
from audit.services import log_action
from pathways.testing import BaseTestCase, make_client

URL = "/admin/audit/auditevent/"
ACTIONS = ("client.view", "dosing.vitals_add", "measure.record")


class AuditAdminScaleTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.clients = [make_client(first_name=f"C{i}", last_name="Scale") for i in range(4)]
        self.written = 0
        self.client.force_login(self.admin)

    def write(self, n: int) -> None:
        actor = Actor.for_user(self.therapist, "192.0.2.5")
        for _ in range(n):
            client = self.clients[self.written % len(self.clients)]
            action = ACTIONS[self.written % len(ACTIONS)]
            log_action(actor, action, client, client=client)
            self.written += 1

    def queries(self, params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(URL, params)
        assert response.status_code == 200
        return len(captured)

    def filters(self) -> list[dict[str, str]]:
        return [
            {},
            {"action": "measure.record"},
            {"actor_username": "therapist"},
            {"client_id": str(self.clients[1].pk)},
            {"at__gte": "2020-01-01 00:00:00+00:00", "action": "client.view"},
        ]

    def test_it_lists_with_the_same_number_of_queries_for_10_and_200_entries(self) -> None:
        self.write(10)
        small = [self.queries(params) for params in self.filters()]
        self.write(190)

        large = [self.queries(params) for params in self.filters()]

        assert large == small
        # The 200 entries are there: a page of 100, and the next.
        response = self.client.get(URL, {"p": "2"})
        self.assertContains(response, "measure.record")

    def test_it_filters_by_action_with_the_choices_in_use(self) -> None:
        self.write(6)

        response = self.client.get(URL, {"action": "dosing.vitals_add"})

        self.assertContains(response, "?action=measure.record")
        listed = response.context["cl"].result_list
        assert {e.action for e in listed} == {"dosing.vitals_add"}
        assert len(listed) == 2

    def test_it_offers_no_date_hierarchy_and_no_sort_but_by_time(self) -> None:
        self.write(2)

        response = self.client.get(URL)

        assert response.context["cl"].date_hierarchy is None
        self.assertContains(response, '<a href="?o=0">At</a>', html=False)
        self.assertNotContains(response, "?o=1")  # actor_username's column: no link to sort by it
        self.assertNotContains(response, "_facets")  # a count per action would read the trail


def test_it_counts_no_further_than_the_cap() -> None:
    items = list(range(8))
    with mock.patch("audit.paging.COUNT_CAP", 5):
        capped = CappedPaginator(items, 2)
        whole = CappedPaginator(items[:5], 2)

        assert (capped.count, capped.capped, capped.num_pages) == (5, True, 3)
        assert (whole.count, whole.capped) == (5, False)


@pytest.mark.django_db
def test_it_counts_the_trail_with_a_limit() -> None:
    log_action(Actor.system(), "request.view")
    with CaptureQueriesContext(connection) as captured:
        count = CappedPaginator(AuditEvent.objects.all(), 10).count

    assert count == 1
    (query,) = captured.captured_queries
    assert "COUNT(" in query["sql"]
    assert "LIMIT 10001" in query["sql"]


@pytest.mark.django_db
def test_it_finds_each_action_in_use_once_in_order() -> None:
    actor = Actor.system()
    for action in ("b.two", "a.one", "b.two", "c.three", "a.one"):
        log_action(actor, action)

    assert actions_in_use() == ["a.one", "b.two", "c.three"]


@pytest.mark.django_db
def test_the_indexes_leave_the_chain_verifying_and_the_trail_append_only() -> None:
    events = [log_action(Actor.system(), "request.view") for _ in range(3)]

    call_command("audit_verify")  # raises CommandError on a broken chain

    indexes = connection.introspection.get_constraints(connection.cursor(), "audit_auditevent")
    for name in ("audit_at_id_idx", "audit_user_at_idx", "audit_action_at_idx"):
        assert indexes[name]["index"]
    assert indexes["audit_client_at_idx"]["columns"] == ["client_id", "at"]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [events[0].pk])
    assert AuditEvent.objects.filter(action="x").count() == 0

"""The staff navigation's counts (pathways.context_processors.nav_counts) read the open
safety alerts and the day's appointments through indexes, and a therapist's Today its
open measure links and consent requests, on SQLite and PostgreSQL.

Every staff page runs this query. Without the partial index of open alerts
(measures 0010) it read every alert ever raised, and without the index of the day's
appointments with their status (scheduling 0007) it read each of the day's appointments
from the table for the intake team and the admin (issue 14). The plan is asked of each
database as it is: SQLite's EXPLAIN QUERY PLAN; PostgreSQL's with sequential scans
off, as pathways/tests/test_explain_pages.py asks (on a test database this small a
sequential scan is always the cheapest plan, whatever the indexes).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from pathways.context_processors import counted
from pathways.testing import BaseTestCase
from pathways.today import consents_waiting, measures_due, referrals_waiting


def _sqlite_plan(sql: str, params: tuple[Any, ...]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [str(row[-1]) for row in cursor.fetchall()]


def _postgres_nodes(sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (found,) = cursor.fetchone()
    document = json.loads(found) if isinstance(found, str) else found

    def walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield node
        for child in node.get("Plans", []):
            yield from walk(child)

    return list(walk(document[0]["Plan"]))


def reads(qs: QuerySet[Any]) -> list[str]:
    """How counting `qs` as the navigation counts it reads its rows: each scan, as the
    database names it ("SEARCH t USING COVERING INDEX i (...)", "Index Only Scan i")."""
    inner, params = qs.order_by().values("pk").query.sql_with_params()
    sql = f"SELECT count(*) FROM ({inner}) _count"  # noqa: S608  (the ORM's own SQL)
    if connection.vendor == "sqlite":
        return [line for line in _sqlite_plan(sql, params) if line.startswith(("SCAN", "SEARCH"))]
    return [
        f"{node['Node Type']} {node.get('Index Name', '')}".strip()
        for node in _postgres_nodes(sql, params)
        if "Scan" in node["Node Type"]
    ]


class NavCountsPlanTests(BaseTestCase):
    def _assert_read_through(self, qs: QuerySet[Any], index: str, *, only: bool) -> None:
        found = reads(qs)
        self.assertTrue(found, "nothing read")
        # Every scan of the count goes through the index (a bitmap's heap scan is the
        # index's rows fetched, on PostgreSQL)...
        through = [r for r in found if index in r]
        self.assertTrue(through, f"not read through {index}: {found}")
        others = [r for r in found if index not in r and r != "Bitmap Heap Scan"]
        self.assertEqual(others, [], f"read otherwise than through {index}")
        if only:  # ... and from the index alone, never from the table's rows
            word = "COVERING INDEX" if connection.vendor == "sqlite" else "Index Only Scan"
            self.assertTrue(all(word in r for r in through), found)

    def test_it_counts_the_open_alerts_through_their_index(self) -> None:
        # Only the open alerts' rows are read: on SQLite each from the table (the index
        # holds no column of the condition), on PostgreSQL as the planner likes.
        day = timezone.localdate()
        for user in (self.intake, self.therapist, self.admin):
            with self.subTest(user=user.username):
                alerts = counted(user, day)["alerts"]
                self._assert_read_through(alerts, "alert_open_raised_idx", only=False)

    def test_it_counts_the_days_appointments_from_an_index_alone(self) -> None:
        # The intake team and the admin count the whole practice's day.
        day = timezone.localdate()
        for user in (self.intake, self.admin):
            with self.subTest(user=user.username):
                appointments = counted(user, day)["appointments"]
                self._assert_read_through(appointments, "appt_start_status_idx", only=True)


class TodayOpenItemsPlanTests(BaseTestCase):
    """A therapist's Today reads their clients' open measure links and consent requests
    through the partial indexes of open ones (measures 0011, consents 0004): through
    the client index, every link and request ever sent was read (issue 14)."""

    def _assert_through(self, qs: QuerySet[Any], table: str, index: str) -> None:
        found = reads(qs)
        if connection.vendor == "sqlite":
            # The table itself, not the "newer link" subquery's alias of it (U0).
            of_table = [r for r in found if f" {table} " in f"{r} "]
            self.assertTrue(of_table, f"{table} not read: {found}")
            self.assertTrue(all(index in r for r in of_table), f"not through {index}: {found}")
        else:
            # PostgreSQL names the index, not the alias: the rows are found through
            # the open ones' index, and no table is read whole.
            self.assertTrue([r for r in found if index in r], f"not through {index}: {found}")
            self.assertFalse([r for r in found if r.startswith("Seq Scan")], found)

    def test_it_reads_the_open_measure_links_through_their_index(self) -> None:
        qs = measures_due(self.therapist)
        self._assert_through(qs, "measures_measurelink", "measurelink_open_idx")

    def test_it_reads_the_open_consent_requests_through_their_index(self) -> None:
        qs = consents_waiting(self.therapist)
        self._assert_through(qs, "consents_consentrequest", "consentrequest_open_idx")

    def test_it_reads_the_referrals_waiting_through_their_index(self) -> None:
        for user in (self.intake, self.therapist):
            with self.subTest(user=user.username):
                qs = referrals_waiting(user)
                self._assert_through(qs, "partners_referral", "referral_status_idx")

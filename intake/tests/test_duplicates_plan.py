"""The inbox's duplicate check finds clients by phone through the B-tree on the digits,
not through a trigram index (clients/migrations/0008): PostgreSQL under-estimated the
trigram index for an equality and chose it, 97 ms at 10,000 clients against 3 ms."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clients.models import Client
from intake.models import AppointmentRequest
from intake.queries import client_matches
from pathways.testing import BaseTestCase, make_client, make_request


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="EXPLAIN (FORMAT JSON) and enable_seqscan, as this test reads them, are PostgreSQL's",
)
class DuplicatePlanTestCase(BaseTestCase):
    def test_it_looks_phone_numbers_up_without_a_trigram_index(self) -> None:
        # Enough clients for the planner to weigh its indexes, and a page of 25 requests
        # (with 5, it took the B-tree even beside the old index): numbers of the
        # fictional 555-01xx range, as the bulk practice's, in 30 area codes.
        Client.objects.bulk_create(
            Client(
                first_name=f"Client{n}",
                last_name="Example",
                phone=f"({201 + n // 100}) 555-01{n % 100:02d}",
                phone_digits=f"{201 + n // 100}55501{n % 100:02d}",
            )
            for n in range(3000)
        )
        make_client(first_name="Known", phone="(540) 555-0107")
        appts = [
            make_request(first_name=f"Asker{n}", phone=f"(540) 555-01{n:02d}") for n in range(25)
        ]
        with connection.cursor() as cursor:
            # What autovacuum gives a real database: GIN entries out of their pending
            # list, and statistics (as pathways/tests/test_explain_pages.py does).
            cursor.execute(
                "SELECT indexrelid::regclass::text FROM pg_index JOIN pg_class c "
                "ON c.oid = indexrelid JOIN pg_am am ON am.oid = c.relam "
                "WHERE am.amname = 'gin' AND indrelid = 'clients_client'::regclass"
            )
            for (index,) in cursor.fetchall():
                cursor.execute(f"REINDEX INDEX {index}")
            cursor.execute("ANALYZE clients_client")
        with CaptureQueriesContext(connection) as captured:
            client_matches(appts, Client.objects.all())
        (sql,) = [q["sql"] for q in captured.captured_queries if "phone_digits" in q["sql"]]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            (found,) = cursor.fetchone()
        plan = json.dumps(found)

        assert "trgm" not in plan, plan
        assert "phone_digits" in plan
        assert AppointmentRequest.objects.count() == 25


class NameLookupPlanTestCase(BaseTestCase):
    """Names are compared with case aside through the index on UPPER(last, first)
    (client_name_upper_idx): `iexact` was a LIKE on SQLite, a scan of every client. (On
    PostgreSQL `iexact` was already UPPER(); there the test holds the plan as it is.)"""

    def test_it_looks_names_up_through_the_upper_case_index(self) -> None:
        Client.objects.bulk_create(
            Client(first_name=f"Client{n}", last_name=f"Example{n % 40}") for n in range(400)
        )
        appts = [make_request(first_name="josé", last_name="EXAMPLE7", phone="", email="")]
        make_client(first_name="José", last_name="Example7", email="", phone="")
        with CaptureQueriesContext(connection) as captured:
            found = client_matches(appts, Client.objects.all())[appts[0].pk]
        (sql,) = [q["sql"] for q in captured.captured_queries if "clients_client" in q["sql"]]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE clients_client")
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                plan = json.dumps(cursor.fetchone()[0])
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                plan = json.dumps(cursor.fetchall())

        assert "client_name_upper_idx" in plan, plan
        assert [m.record.first_name for m in found] == ["José"]

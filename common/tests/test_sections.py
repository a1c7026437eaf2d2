"""A page section's first rows and its count come in one query (common.sections)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client
from common.sections import first_rows
from pathways.testing import BaseTestCase, make_client


class FirstRowsTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        for n in range(5):
            make_client(first_name=f"Section{n}", last_name="Rows")
        make_client(first_name="Other", last_name="Person")

    def test_it_reads_the_first_rows_and_the_whole_sections_count_in_one_query(self) -> None:
        qs = Client.objects.filter(last_name="Rows").order_by("first_name")

        with CaptureQueriesContext(connection) as queries:
            rows, count = first_rows(qs, 3)

        self.assertEqual([c.first_name for c in rows], ["Section0", "Section1", "Section2"])
        self.assertEqual(count, 5)
        self.assertEqual(len(queries), 1)

    def test_it_counts_a_section_with_fewer_rows_than_the_limit(self) -> None:
        rows, count = first_rows(Client.objects.filter(first_name="Other"), 3)

        self.assertEqual([c.first_name for c in rows], ["Other"])
        self.assertEqual(count, 1)

    def test_it_counts_an_empty_section_as_none_in_one_query(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            rows, count = first_rows(Client.objects.filter(last_name="Nobody"), 3)

        self.assertEqual((rows, count), ([], 0))
        self.assertEqual(len(queries), 1)

"""A page section's first rows and its count come in one query, and so do a page of a
list and its count, the same page as Django's (common.sections)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.models import Client
from common.sections import CountedPaginator, counted_page, first_rows
from pathways.testing import BaseTestCase, make_client
from scheduling.tests.factories import make_appointment


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


# What a person may put after ?page=: numbers in and past the range, signs, spaces,
# floats Django accepts when whole, words, nothing.
PAGE_NUMBERS = [
    *(None, "", "1", "2", "3", "4", "99", "0", "-1", " 2", "2.0", "2.5", "x", "1e3"),
    # Past any list, up to and beyond what a 64-bit OFFSET holds.
    *(str(2**62 // 10), str(2**62 // 7 + 1), str(2**63 // 10 + 1), str(2**63), "9" * 30),
]


class CountedPageTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        for n in range(7):
            make_client(first_name=f"Paged{n}", last_name="Counted")
        make_client(first_name="Other", last_name="Person")

    def _both(self, qs: Any, requested: Any, per_page: int) -> tuple[Page[Any], Page[Any]]:
        return Paginator(qs, per_page).get_page(requested), counted_page(qs, requested, per_page)

    def test_it_gives_djangos_page_for_any_number(self) -> None:
        qs = Client.objects.filter(last_name="Counted").order_by("first_name")
        for per_page in (1, 3, 7, 10):
            for requested in PAGE_NUMBERS:
                with self.subTest(per_page=per_page, requested=requested):
                    django_page, ours = self._both(qs, requested, per_page)
                    self.assertEqual(ours.number, django_page.number)
                    self.assertEqual(list(ours), list(django_page))
                    self.assertEqual(ours.paginator.count, django_page.paginator.count)
                    self.assertEqual(ours.paginator.num_pages, django_page.paginator.num_pages)
                    self.assertEqual(ours.has_next(), django_page.has_next())
                    self.assertEqual(ours.start_index(), django_page.start_index())

    def test_it_reads_a_page_and_its_count_in_one_query(self) -> None:
        qs = Client.objects.filter(last_name="Counted").order_by("first_name")

        with CaptureQueriesContext(connection) as queries:
            page = counted_page(qs, "2", 3)
            names = [c.first_name for c in page]
            count = page.paginator.count

        self.assertEqual((names, count), (["Paged3", "Paged4", "Paged5"], 7))
        self.assertEqual(len(queries), 1)

    def test_it_gives_an_empty_first_page_of_an_empty_list_in_one_query(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            page = counted_page(Client.objects.filter(last_name="Nobody"), None, 3)
            self.assertEqual((list(page), page.paginator.count, page.number), ([], 0, 1))

        self.assertEqual(len(queries), 1)

    def test_it_leaves_a_distinct_list_to_django(self) -> None:
        # A join that repeats each client (two appointments each): DISTINCT makes them
        # one again, which a window's count over the joined rows would not see.
        at = timezone.now()
        for client in Client.objects.filter(last_name="Counted"):
            for hours in (1, 2):
                make_appointment(client, self.therapist, at + dt.timedelta(hours=hours))
        qs = (
            Client.objects.filter(last_name="Counted", appointments__isnull=False)
            .order_by("first_name")
            .distinct()
        )
        for requested in ("1", "3"):
            django_page, ours = self._both(qs, requested, 3)
            self.assertEqual(list(ours), list(django_page))
            self.assertEqual(ours.paginator.count, 7)


class CountedPaginatorTests(BaseTestCase):
    def test_it_uses_the_count_given_without_asking_the_database(self) -> None:
        make_client(first_name="Only", last_name="One")
        paginator = CountedPaginator(Client.objects.order_by("pk"), 10, count=42)

        with CaptureQueriesContext(connection) as queries:
            self.assertEqual((paginator.count, paginator.num_pages), (42, 5))

        self.assertEqual(len(queries), 0)

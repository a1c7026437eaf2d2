"""A page section's first rows and its count (Today's sections, the portal home's), and
a page of a list whose count is read with it or beside it."""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Window
from django.utils.functional import cached_property

# The count of the whole section, carried by each row read (a window over the rows
# before the LIMIT). A name no model field has.
TOTAL = "first_rows_total"


def first_rows(qs: Any, limit: int) -> tuple[list[Any], int]:
    """The first `limit` rows of `qs` and its count: one query, however many rows.

    Why one: the count rides on each row (`COUNT(*) OVER ()`, computed over every row
    of the section before the LIMIT), where a separate `qs.count()` was a second query
    to build and compile per section, about 4% of the Today page and of the partner
    portal's home (issue 14). A section with no rows has a count of 0. The number of
    queries stays the same however many rows there are (issue 14 §4: the same queries at
    10 clients as at 500)."""
    return counted(list(first_rows_query(qs, limit)))


def first_rows_query(qs: Any, limit: int) -> Any:
    """The query `first_rows` runs (for a `common.prepared` builder)."""
    return qs.annotate(**{TOTAL: Window(Count("pk"))})[:limit]


def counted(rows: list[Any]) -> tuple[list[Any], int]:
    """The rows of `first_rows_query` and the section's count."""
    return rows, (getattr(rows[0], TOTAL) if rows else 0)


class CountedPaginator(Paginator[Any]):
    """A Paginator given the count its caller has read already (with other counts in
    one query, or on the page's rows): Django's asks the database for it again."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.given_count = count

    @cached_property
    def count(self) -> int:
        return self.given_count


def counted_page(qs: Any, requested: Any, per_page: int) -> Page[Any]:
    """`Paginator(qs, per_page).get_page(requested)`, the page's rows and the count read
    in one query (a count over the whole list, `COUNT(id) OVER ()`, as `first_rows`),
    for a queryset of model instances.

    For a list whose filter reads every row anyway (a search by name on SQLite, with no
    index for `LIKE '%…%'`): Django's count ran the scan a second time, 2.6 ms of a
    search's SQL at 10,000 clients, and its page query walked the name index row by row
    (5.4 ms) where the counted one reads the table once (3.4 ms, issue 14). A list whose
    order an index gives, unfiltered, is better read by Django's: its LIMIT stops early,
    the window reads every row. The same page as Django's for any `requested`; a number
    past the last page or below 1, and a DISTINCT query, are left to Django."""
    if qs.query.distinct:
        return Paginator(qs, per_page).get_page(requested)
    try:
        # As Django reads the number, against a count no list reaches (the real one
        # comes with the rows).
        number = CountedPaginator(qs, per_page, count=2**62).validate_number(requested)
    except PageNotAnInteger:
        number = 1
    except EmptyPage:
        return Paginator(qs, per_page).get_page(requested)
    bottom = (number - 1) * per_page
    rows = list(qs.annotate(**{TOTAL: Window(Count("pk"))})[bottom : bottom + per_page])
    if not rows and number > 1:
        return Paginator(qs, per_page).get_page(requested)
    return Page(rows, number, CountedPaginator(qs, per_page, count=counted(rows)[1]))

"""A page section's first rows and its count (Today's sections, the portal home's)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Window

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

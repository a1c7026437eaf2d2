"""A page section's first rows and its count (Today's sections, the portal home's)."""

from __future__ import annotations

from typing import Any


def first_rows(qs: Any, limit: int) -> tuple[list[Any], int]:
    """The first `limit` rows of `qs` and its count: two queries, however many rows.
    Counting only when there were more than `limit` made a page send one query more per
    section as the practice grew past it (issue 14 §4: the same queries at 10 clients as
    at 500)."""
    return list(qs[:limit]), qs.count()

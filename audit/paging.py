"""Paging through the audit trail without counting all of it.

The trail grows by millions of entries; COUNT(*) over a wide filter (or none) reads
the whole index, and a page far down costs an OFFSET of as many rows. Both pages
over the trail (the admin list, the staff audit report) therefore count at most
COUNT_CAP entries: past that they say "more than", and the last page offered is
the one that reaches the cap. Older entries are found by narrowing the filters
(a period, a user, a client, an action), which every index in the Meta serves.
"""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet

COUNT_CAP = 10_000


class CappedPaginator(Paginator):  # type: ignore[type-arg]  # the admin's paginator is untyped
    @cached_property
    def _counted(self) -> int:
        # A COUNT over a LIMIT subquery: it stops at the cap instead of reading every row.
        head = self.object_list[: COUNT_CAP + 1]
        return head.count() if isinstance(head, QuerySet) else len(head)

    @cached_property
    def count(self) -> int:
        """The number of entries, at most COUNT_CAP."""
        return min(self._counted, COUNT_CAP)

    @cached_property
    def capped(self) -> bool:
        """Whether there are more entries than `count` says."""
        return self._counted > COUNT_CAP


def actions_in_use() -> list[str]:
    """Every distinct action in the trail, found by a loose index scan: one probe of
    the action index per distinct value (a few dozen) instead of a DISTINCT over
    every row. Written in SQL because the ORM has no recursive query."""
    sql = """
        WITH RECURSIVE seen(action) AS (
            SELECT MIN(action) FROM audit_auditevent
            UNION ALL
            SELECT (SELECT MIN(e.action) FROM audit_auditevent e WHERE e.action > seen.action)
            FROM seen WHERE seen.action IS NOT NULL
        )
        SELECT action FROM seen WHERE action IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]

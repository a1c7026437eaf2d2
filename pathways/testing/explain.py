"""Which reads of a page find their rows through an index, from PostgreSQL's plans
(issue 14 §4): the SQL a request sent, each SELECT explained, and every scan of a
large table that does not start from an index condition."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection

# The tables that grow with the practice (at 10,000 clients: 236,000 appointments,
# 340,000 responses, 2.5 million audit entries, 12,000 requests, the clients).
LARGE_TABLES = frozenset(
    {
        "audit_auditevent",
        "clients_client",
        "intake_appointmentrequest",
        "measures_response",
        "scheduling_appointment",
    }
)
SCANS = ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan")


@dataclass(frozen=True)
class Finding:
    """A read of a large table that no index narrows: what, and the statement."""

    problem: str
    table: str
    node: dict[str, Any]
    sql: str

    def __str__(self) -> str:
        node = self.node
        where = node.get("Filter") or "no condition"
        index = node.get("Index Name", "")
        return (
            f"{self.problem}: {node['Node Type']} {index} on {self.table} ({where})\n  {self.sql}"
        )


def selects(statements: Iterable[str]) -> list[str]:
    """The statements that read (a page's writes, savepoints and locks aside)."""
    return [sql for sql in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))]


def plan(sql: str) -> dict[str, Any]:
    """PostgreSQL's plan of `sql` (as the request sent it: values in place)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        (found,) = cursor.fetchone()
    document = json.loads(found) if isinstance(found, str) else found
    top: dict[str, Any] = document[0]["Plan"]
    return top


# Nodes that pass their rows on as they come, rather than reading all of them first (as
# a sort, a hash, a merge, a window or a grouping does).
STREAMING = frozenset({"Incremental Sort", "Result", "Subquery Scan", "Gather", "Gather Merge"})


def _walk(node: dict[str, Any], bounded: bool) -> Iterator[tuple[dict[str, Any], bool]]:
    """Each node, and whether what it reads is bounded from above: a LIMIT that its rows
    stream to (a first page in an index's own order), or a count of a whole table. Only
    then may a scan walk a whole index."""
    yield node, bounded
    kind = node["Node Type"]
    for position, child in enumerate(node.get("Plans", [])):
        if child.get("Parent Relationship") in ("InitPlan", "SubPlan"):
            passes = False  # a statement of its own (a SubPlan: run for each row above)
        elif kind == "Limit":
            passes = True
        elif kind in STREAMING:
            passes = bounded
        elif kind == "Nested Loop":
            passes = bounded and position == 0  # the inner side runs once per outer row
        elif kind == "Aggregate" and node.get("Strategy") == "Plain":
            passes = child["Node Type"] in SCANS  # a count (or a sum) of a table
        else:
            passes = False
        yield from _walk(child, passes)


def _narrowed(node: dict[str, Any]) -> bool:
    """The scan starts from an index condition (a seek or a bitmap of one)."""
    return bool(node.get("Index Cond") or node.get("Recheck Cond"))


def findings(sql: str, tables: frozenset[str] = LARGE_TABLES) -> list[Finding]:
    """What in `sql`'s plan reads a large table without an index to narrow it:
    - a sequential scan;
    - an index scan with no index condition but a filter (the index only walks the
      table, and the filter reads every row);
    - a walk of a whole index whose rows are all read: returned, sorted, hashed,
      merged, grouped, or read again for each row of a loop.
    A walk of a whole index that streams to a LIMIT (the first page of a list in the
    index's own order) or a count of every row reads what was asked for."""
    found: list[Finding] = []
    for node, bounded in _walk(plan(sql), bounded=False):
        table = node.get("Relation Name", "")
        if node["Node Type"] not in SCANS or table not in tables or _narrowed(node):
            continue
        if node["Node Type"] == "Seq Scan":
            found.append(Finding("sequential scan", table, node, sql))
        elif node.get("Filter"):
            found.append(Finding("filter without an index", table, node, sql))
        elif not bounded:
            found.append(Finding("whole table read", table, node, sql))
    return found

"""The practice outcomes report's per-course scores, worked out in the database.

`measures.outcomes.build` once read every score of every client (340,000 rows at
10,000 clients) and sorted them into courses in Python. Here one query returns, for
each dosed course × instrument with a score in the course's dates, the baseline, the
latest score in the range, and whether there is any score after the first dose. The
rules are those of the `build` module doc, written in SQL:

- a course's dates come from window functions over the client's courses in
  (created_at, id) order: ``ROW_NUMBER`` (the first course also takes the scores from
  before it) and ``LEAD`` (a course ends where the next one starts);
- the baseline is the newest score by (answered_at, id) before the first dose; the
  latest, the newest at or after it whose practice-local date is within the range
  (passed in as [start_at, end_at) instants). Each is an index seek on
  (client, instrument, answered_at) (`Response.Meta.indexes`).

The first dose comes from `queries.first_doses_queryset`, embedded as a common table
expression, so this module names no table of ``dosing``. Only courses with a dose are
looked at: a course without one is listed as not included for that reason alone.
Test: measures/tests/test_outcomes_aggregate.py compares the figures with the old
computation.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.dateparse import parse_datetime

from measures.models import Instrument, Response
from measures.outcomes.queries import ScorePoint, first_doses_queryset
from treatment.models import TreatmentCourse

# The open ends of a client's first and latest course.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class CourseScores:
    """One dosed course × instrument with at least one score in the course's dates."""

    course_id: int
    instrument_id: int
    after: bool  # a score at or after the first dose (in range or not)
    baseline: ScorePoint | None  # None: no score before the first dose
    latest: ScorePoint | None  # None: no score after it within the range


def _as_datetime(value: Any) -> dt.datetime:
    """A datetime as the backend returns it from a raw query (SQLite: UTC text)."""
    if isinstance(value, dt.datetime):
        found = value
    else:
        parsed = parse_datetime(str(value))
        if parsed is None:  # pragma: no cover - a stored datetime always parses
            raise ValueError(f"not a datetime: {value!r}")
        found = parsed
    return found if found.tzinfo else found.replace(tzinfo=dt.UTC)


def _by_id(column: str, pk: str) -> str:
    """A column of the score `pk` (NULL for none), read by its primary key. A scalar
    subquery rather than a join: PostgreSQL would hash every score for a join of a few
    thousand rows, where each lookup here is an index seek (pathways/tests/
    test_explain_pages.py)."""
    return f"(SELECT s.{column} FROM {Response._meta.db_table} s WHERE s.id = {pk})"  # noqa: S608


def materialized(connection: BaseDatabaseWrapper) -> str:
    """``MATERIALIZED`` where the database knows it (PostgreSQL 12+, SQLite 3.35+). Without
    it PostgreSQL inlines ``picked`` and runs each score lookup three times (once for the
    id, once per column read by it): 1.1 s instead of 0.27 s at 10,000 clients."""
    knows = connection.vendor == "postgresql" or (
        connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 35)
    )
    return "MATERIALIZED" if knows else ""


def _sql(connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
    dose_sql, dose_params = first_doses_queryset().query.sql_with_params()
    course = TreatmentCourse._meta.db_table
    instrument = Instrument._meta.db_table
    response = Response._meta.db_table
    # Each course × instrument looks its scores up through the (client, instrument,
    # answered_at) index: a few index seeks each, never a scan of every score. ``lo`` and
    # ``hi`` are the course's dates, open ends filled with the earliest and latest
    # instants so that each bound is a plain comparison the index can use.
    in_course = f"""FROM {response} r WHERE r.client_id = x.client_id
            AND r.instrument_id = x.instrument_id
            AND r.answered_at >= x.lo AND r.answered_at < x.hi"""
    newest = "ORDER BY r.answered_at DESC, r.id DESC LIMIT 1"
    # Only the models' own table names and Django's compiled SQL are interpolated; every
    # value (the dose kind, the bounds, the range) is a parameter.
    sql = f"""
WITH dose(course_id, first_at) AS ({dose_sql}),
period AS (
    SELECT c.id, c.client_id,
           CASE WHEN ROW_NUMBER() OVER (PARTITION BY c.client_id ORDER BY c.created_at, c.id) = 1
                THEN %s ELSE c.created_at END AS lo,
           COALESCE(LEAD(c.created_at) OVER (
               PARTITION BY c.client_id ORDER BY c.created_at, c.id), %s) AS hi
    FROM {course} c
),
pair AS (
    SELECT p.id AS course_id, p.client_id, p.lo, p.hi, d.first_at, i.id AS instrument_id
    FROM period p JOIN dose d ON d.course_id = p.id CROSS JOIN {instrument} i
),
picked AS {materialized(connection)} (
    SELECT x.course_id, x.instrument_id, x.client_id,
        (SELECT r.id {in_course} AND r.answered_at < x.first_at {newest}) AS baseline_id,
        (SELECT r.id {in_course} AND r.answered_at >= x.first_at
            AND r.answered_at >= %s AND r.answered_at < %s {newest}) AS latest_id,
        EXISTS (SELECT 1 {in_course} AND r.answered_at >= x.first_at) AS after
    FROM pair x
)
SELECT p.course_id, p.instrument_id, p.after,
       p.baseline_id, p.client_id, {_by_id("total", "p.baseline_id")},
       {_by_id("answered_at", "p.baseline_id")},
       p.latest_id, p.client_id, {_by_id("total", "p.latest_id")},
       {_by_id("answered_at", "p.latest_id")}
FROM picked p
WHERE p.baseline_id IS NOT NULL OR p.after
"""  # noqa: S608
    return sql, list(dose_params)


def _point(instrument_id: int, row: tuple[Any, ...]) -> ScorePoint | None:
    pk, client_id, total, answered_at = row
    if pk is None:
        return None
    return ScorePoint(pk, client_id, instrument_id, total, _as_datetime(answered_at))


def course_scores(
    *, start_at: dt.datetime, end_at: dt.datetime
) -> dict[tuple[int, int], CourseScores]:
    """(course id, instrument id) -> its counts and scores; one query. ``start_at`` and
    ``end_at`` bound the range: start_at <= answered_at < end_at."""
    # A raw query: the database router is asked here, as a queryset would ask it (the
    # report reads from the read replica when there is one: pathways.db_router).
    connection = connections[router.db_for_read(Response)]
    sql, params = _sql(connection)
    adapt = connection.ops.adapt_datetimefield_value
    params += [adapt(EARLIEST), adapt(LATEST), adapt(start_at), adapt(end_at)]
    found: dict[tuple[int, int], CourseScores] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            course_id, instrument_id, after = row[:3]
            found[(course_id, instrument_id)] = CourseScores(
                course_id=course_id,
                instrument_id=instrument_id,
                after=bool(after),
                baseline=_point(instrument_id, row[3:7]),
                latest=_point(instrument_id, row[7:11]),
            )
    return found

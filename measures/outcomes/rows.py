"""The rows of the outcomes report's two lists, written from a format string
(common.rows: a page of each list is 100 rows, and writing them through the template
was 87% of the report's work at 10,000 clients, issue 14). The page around them is
measures/reports/report.html."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString

from common.reversing import reverse_numbered
from common.rows import day, rows
from measures.outcomes.build import Excluded, Included

INCLUDED_ROW = """
    <tr><td><a href="{url}">#{client_id}</a></td>
      <td>Course {course_number}</td>
      <td>{modality}</td><td>{instrument}</td>
      <td>{baseline} ({baseline_day}); first dose {first_dose_day}</td>
      <td>{latest} ({latest_day})</td>
      <td class="denominator">{denominator}</td></tr>
    """

EXCLUDED_ROW = """
    <tr><td><a href="{url}">#{client_id}</a></td><td>{course}</td><td>{instrument}</td><td>{reason}</td></tr>
    """  # noqa: E501  (one row of the table, as the page shows it)


def included_rows(items: Iterable[Included]) -> SafeString:
    return rows(
        INCLUDED_ROW,
        (
            {
                "url": reverse_numbered("clients:detail", item.client_id),
                "client_id": item.client_id,
                "course_number": item.course_number,
                "modality": item.modality_label,
                "instrument": item.instrument.short_name,
                "baseline": item.baseline.total,
                "baseline_day": day(item.baseline.answered_at),
                "first_dose_day": day(item.first_dose_at),
                "latest": item.latest.total,
                "latest_day": day(item.latest.answered_at),
                "denominator": _denominator(item),
            }
            for item in items
        ),
    )


def _denominator(item: Included) -> str:
    if item.in_denominator is None:
        return "—"
    return "In the denominator" if item.in_denominator else item.denominator_note


def excluded_rows(items: Iterable[Excluded]) -> SafeString:
    return rows(
        EXCLUDED_ROW,
        (
            {
                "url": reverse_numbered("clients:detail", item.client_id),
                "client_id": item.client_id,
                "course": f"Course {item.course_number}" if item.course_id else "—",
                "instrument": item.instrument or "All",
                "reason": item.reason,
            }
            for item in items
        ),
    )

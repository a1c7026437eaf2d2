"""The rows of the outcomes report's two lists, written from a format string
(common.rows: a page of each list is 100 rows, and writing them through the template
was 87% of the report's work at 10,000 clients, issue 14). The page around them is
measures/reports/report.html. And the rows of a client's scores on their measure
charts' page (measures/reports/client.html), for the same reason: two years of
fortnightly scores, 46 rows for the bench's client, were half of that page's work."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString, mark_safe

from common.reversing import Reverser
from common.rows import day, rows
from common.template_dates import date as date_filter
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
    url = Reverser()  # the URLconf read once for the page's links
    return rows(
        INCLUDED_ROW,
        (
            {
                "url": url("clients:detail", item.client_id),
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
    url = Reverser()
    return rows(
        EXCLUDED_ROW,
        (
            {
                "url": url("clients:detail", item.client_id),
                "client_id": item.client_id,
                "course": f"Course {item.course_number}" if item.course_id else "—",
                "instrument": item.instrument or "All",
                "reason": item.reason,
            }
            for item in items
        ),
    )


SCORE_ROW = """
    <tr>
      <td><time datetime="{at}">{day}</time></td>
      <td>{instrument}</td>
      <td class="num">{total}</td>
      <td>{flags}</td>
      <td>{band}</td>
      <td>{source}</td>
      <td>{change}</td>
    </tr>
    """
SOURCES = {"paper": "Paper form", "fhir": "Previous provider (FHIR file)"}
# The rules a change is judged by, in the order the page names them.
RULES = ("response", "remission", "meaningful", "reliable")


def score_rows(items: Iterable[Any]) -> SafeString:
    """The client's scores (measures.outcomes.views.ScoreRow), newest first."""
    return rows(
        SCORE_ROW,
        (
            {
                "at": date_filter(row.response.answered_at, "c"),
                "day": date_filter(row.response.answered_at, "Y-m-d"),
                "instrument": row.response.instrument.short_name,
                "total": row.response.total,
                "flags": _flags(row.flags),
                "band": row.response.band_label,
                "source": SOURCES.get(row.response.source, "Secure link"),
                "change": "Baseline" if row.is_baseline else _change(row.change, row.rules),
            }
            for row in items
        ),
    )


def _flags(flags: Iterable[Any]) -> SafeString | str:
    # Each value escaped as format_html escapes a text (html.escape): the item, the
    # value and the threshold are numbers, written as str() writes them.
    written = "<br>".join(
        '<span class="item-flag"><span aria-hidden="true">▲</span> '
        f"Item {escape(str(f.item))}: {escape(str(f.value))} (above {escape(str(f.threshold))})"
        "</span>"
        for f in flags
    )
    # The markup is the code's; every value in it was escaped just above.
    return mark_safe(written) if written else "—"  # noqa: S308


def _change(change: Any, rules: dict[str, str]) -> SafeString:
    """The change from baseline: its points, its percentage, each published rule's
    verdict, and that it is not a diagnosis. Written with html.escape rather than
    format_html, which took three quarters of the page's rows (issue 14); the same
    text (measures/tests/test_score_rows.py)."""
    percent = f" ({floatformat(change.percent, 1)}%)" if change.percent is not None else ""
    verdicts = "".join(
        f"<br>{escape(str(rules.get(rule, '')))}: {'yes' if verdict else 'no'}"
        for rule in RULES
        if (verdict := getattr(change, rule)) is not None
    )
    # The markup is the code's; the label of each rule (from the instrument's
    # definition) and the percentage were escaped just above.
    return mark_safe(  # noqa: S308
        f"{change.delta:+d} points{escape(percent)}{verdicts}<br><small>(not a diagnosis)</small>"
    )

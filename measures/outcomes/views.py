"""Seeing progress: a client's outcome charts, and the practice outcomes report.

Client charts (`client`, `client_chart`) are for CLIENT_ROLES, through
`clients.access.get_client_for_user` (someone else's client is a 404).

The practice report, its chart and its CSV export are for the practice admin only.
They cover every client of the practice, which a therapist may not see (they see
only their own clients), and intake staff do not need clinical outcomes for their
work (minimum necessary). The CSV is de-identified; the page lists who is included
and who is not by client record number, linking to the record.

Who is in the report, and how it counts (one row per course × instrument; course
dates, baseline = the last score before the course's first dose, the CMS159 response
and remission denominator, reliable and clinically meaningful change): see
`measures.outcomes.build`. The reads are in `measures.outcomes.queries`: a fixed number
of queries, however many clients there are.

The CSV has one row per included course × instrument: a pseudonym per client (new for
each export), the course's number for that client (1, 2, ...), modality, instrument,
baseline and latest totals, the days between them, the change, whether the row is in
the response/remission denominator, response and remission (blank when the row is not
in the denominator or the instrument has no such rule), and reliable improvement,
reliable deterioration and clinically meaningful improvement (blank when the
instrument has no such rule). No names, ids or dates.

The figures are descriptive; they are not a diagnosis and not a comparison of
treatments.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import CLIENT_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from accounts.models import Role
from accounts.reauth import reauth_required
from audit.services import log_action
from clients.access import get_client_for_user
from clients.models import Client
from common.dates import bound_date
from common.replica import reads_from_replica
from measures import charts_cache
from measures.models import Instrument, Response
from measures.outcomes import cache as outcomes_cache
from measures.outcomes import charts, stats
from measures.outcomes import queries as report_queries
from measures.outcomes.aggregate import course_scores
from measures.outcomes.build import (
    Included,
    Outcomes,
    build_outcomes,
    range_instants,
    rule_labels,
)
from measures.outcomes.rows import excluded_rows, included_rows, score_rows
from measures.scoring import Change, change

REPORT_ROLES: tuple[str, ...] = (Role.ADMIN,)
# A picture opened on its own is a document: let matplotlib's own styles apply, nothing else.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
DEFAULT_DAYS = 365
# The lists of who is and is not included are shown a page at a time (the CSV has
# every included row); each list has its own page parameter.
PAGE_SIZE = 100
INCLUDED_PAGE = "included_page"
EXCLUDED_PAGE = "excluded_page"
# Instruments whose response/remission denominator is a practice setting: the lowest
# baseline counted (CMS159 / NQF 0710 counts PHQ-9 baselines above 9).
DENOMINATOR_SETTINGS = {"phq9": "OUTCOMES_PHQ9_DENOMINATOR_MIN"}


# --- The client's charts and scores -------------------------------------------


@dataclass
class ScoreRow:
    response: Response
    is_baseline: bool
    change: Change | None
    rules: dict[str, str]
    # Safety items answered above their threshold (PHQ-9 item 9 above 0), as the
    # chart marks them: the table is the chart's text alternative.
    flags: tuple[charts.Flag, ...] = ()


def _instruments() -> list[Instrument]:
    return list(Instrument.objects.order_by("short_name"))


def _responses(client: Client) -> list[Response]:
    """Every score of the client, oldest first (the chart's order, and the table's
    reversed)."""
    return list(
        Response.objects.filter(client=client)
        .defer("unscored", "subscores")
        .order_by("answered_at", "id")
    )


def client_scores(
    client: Client,
    *,
    instruments: Sequence[Instrument] | None = None,
    responses: Sequence[Response] | None = None,
) -> list[ScoreRow]:
    """Every score of the client, newest first, each with its change from the
    client's baseline (earliest score) of that instrument."""
    # each definition read once
    by_pk = {i.pk: i for i in (instruments if instruments is not None else _instruments())}
    baselines: dict[int, Response] = {}
    rows: list[ScoreRow] = []
    for r in responses if responses is not None else _responses(client):
        r.instrument = by_pk[r.instrument_id]
        baseline = baselines.setdefault(r.instrument_id, r)
        definition = r.instrument.definition
        judged = None if baseline is r else change(definition, baseline.total, r.total)
        flags = charts.safety_flags(definition, r.answers)
        rows.append(ScoreRow(r, baseline is r, judged, rule_labels(definition), flags))
    return rows[::-1]


def client_charts(
    client: Client,
    *,
    instruments: Sequence[Instrument] | None = None,
    rows: Sequence[ScoreRow] | None = None,
) -> list[dict[str, Any]]:
    """The instruments the client has answered, each with its chart's version and the
    scores whose safety item is marked on it (the chart's words, for the page).

    From the client's scores read once (`rows`, from `client_scores`, when the page has
    them): each instrument's points are `charts.client_points`, and its version
    `charts.chart_version`, which the picture's own request reads afresh. Reading them
    for each instrument, twice, with the dosing sessions each time, was a fifth of the
    measure charts' work and 8 of its 20 queries (issue 14)."""
    instruments = instruments if instruments is not None else _instruments()
    by_pk = {i.pk: i for i in instruments}
    points: dict[int, list[charts.Point]] = {}
    if rows is not None:
        for row in reversed(rows):  # oldest first, as the chart
            r = row.response
            points.setdefault(r.instrument_id, []).append(
                charts.Point(r.answered_at, r.total, row.flags)
            )
    else:
        for r in _responses(client):
            flags = charts.safety_flags(by_pk[r.instrument_id].definition, r.answers)
            points.setdefault(r.instrument_id, []).append(
                charts.Point(r.answered_at, r.total, flags)
            )
    if not points:
        return []
    starts = charts.dosing_starts(client)
    found = []
    for i in instruments:
        if i.pk not in points:
            continue
        flagged = [p for p in points[i.pk] if p.flags]
        found.append(
            {
                "instrument": i,
                "version": charts.version_of(points[i.pk], starts, i),
                "flagged": flagged,
                "flag_label": charts.flag_label(i.definition) if flagged else "",
            }
        )
    return found


@require_GET
@role_required(*CLIENT_ROLES)
def client(request: AuthedRequest, client_id: int) -> HttpResponse:
    record = get_client_for_user(request, client_id)
    log_action(actor_from(request), "outcomes.client_view", record, client=record)
    instruments = _instruments()
    scores = client_scores(record, instruments=instruments)
    return render(
        request,
        "measures/reports/client.html",
        {
            "client": record,
            "charts": client_charts(record, instruments=instruments, rows=scores),
            "rows": score_rows(scores),
        },
    )


@require_GET
@role_required(*CLIENT_ROLES)
def client_chart(request: AuthedRequest, client_id: int, code: str) -> HttpResponse:
    record = get_client_for_user(request, client_id)
    instrument = get_object_or_404(Instrument, code=code)
    # Drawn once per change of the scores it shows (measures.charts_cache, issue 14).
    svg = charts_cache.client_instrument_svg(record, instrument)
    log_action(
        actor_from(request),
        "outcomes.chart_view",
        record,
        client=record,
        detail={"instrument": code},
    )
    return _svg_response(svg)


def _svg_response(svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = SVG_CSP
    response["Cache-Control"] = "private, no-store"
    return response


# --- Who is in the report -----------------------------------------------------


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput({"type": "date"}))


class RangeForm(forms.Form):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD ("from" is a Python keyword, so the fields are
    added by name below)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Outside the plausible range the report falls back to its default range, with
        # the message beside the field.
        bound_date(self.fields["from"])
        bound_date(self.fields["to"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", "The end date must be on or after the start date.")
        return data


RangeForm.base_fields["from"] = _date_field("From")
RangeForm.base_fields["to"] = _date_field("To")


def _date_range(request: AuthedRequest) -> tuple[RangeForm, dt.date, dt.date]:
    """The range asked for; the default (and the fallback when the form is invalid,
    with its errors shown beside the fields) is the last DEFAULT_DAYS days."""
    today = timezone.localdate()
    default_start = today - dt.timedelta(days=DEFAULT_DAYS)
    form = RangeForm(request.GET or None)
    if request.GET and form.is_valid():
        start = form.cleaned_data.get("from") or default_start
        end = form.cleaned_data.get("to") or today
        if start <= end:
            return form, start, end
    return form, default_start, today


def denominator_minimums() -> dict[str, int]:
    """Instrument code -> the lowest baseline in its response/remission denominator."""
    return {code: int(getattr(settings, name)) for code, name in DENOMINATOR_SETTINGS.items()}


def outcomes(*, start: dt.date, end: dt.date) -> Outcomes:
    """The report for the range: kept until what it reads changes
    (`measures.outcomes.cache`: one query when kept); otherwise five queries (one
    grouped in the database), then `build_outcomes`."""
    start_at, end_at = range_instants(start=start, end=end)
    minimums = denominator_minimums()
    return outcomes_cache.kept_outcomes(
        start=start,
        end=end,
        settings_used=(start_at, end_at, tuple(sorted(minimums.items()))),
        compute=lambda: build_outcomes(
            data=report_queries.report_data(),
            found=course_scores(start_at=start_at, end_at=end_at),
            start=start,
            end=end,
            denominator_min=minimums,
        ),
    )


def _range_detail(start: dt.date, end: dt.date) -> dict[str, str]:
    return {"from": start.isoformat(), "to": end.isoformat()}


def _page(request: AuthedRequest, rows: Sequence[Any], name: str) -> Page[Any]:
    """One page of a list: at 10,000 clients the lists run to thousands of rows (a bad
    or missing page number shows the first or last page)."""
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get(name))


@require_GET
@role_required(*REPORT_ROLES)
@reads_from_replica
def report(request: AuthedRequest) -> HttpResponse:
    form, start, end = _date_range(request)
    result = outcomes(start=start, end=end)
    log_action(
        actor_from(request),
        "outcomes.report_view",
        detail={**_range_detail(start, end), "included": len(result.included)},
    )
    query = urlencode({"from": start.isoformat(), "to": end.isoformat()})
    included = _page(request, result.included, INCLUDED_PAGE)
    excluded = _page(request, result.excluded, EXCLUDED_PAGE)
    return render(
        request,
        "measures/reports/report.html",
        {
            "form": form,
            "result": result,
            "included": included,
            "included_rows": included_rows(included),
            "excluded": excluded,
            "excluded_rows": excluded_rows(excluded),
            "reasons": Counter(e.reason for e in result.excluded).most_common(),
            "query": query,
            "confidence": int(stats.CONFIDENCE * 100),
            "phq9_below": denominator_minimums()["phq9"] - 1,
        },
    )


@require_GET
@role_required(*REPORT_ROLES)
@reads_from_replica
def report_chart(request: AuthedRequest) -> HttpResponse:
    _form, start, end = _date_range(request)
    result = outcomes(start=start, end=end)
    svg = charts.report_change_svg([(g.label, g.stats) for g in result.groups if g.stats])
    log_action(actor_from(request), "outcomes.chart_view", detail=_range_detail(start, end))
    return _svg_response(svg)


CSV_HEADER = [
    "pseudonym",
    "course",
    "modality",
    "instrument",
    "baseline_total",
    "latest_total",
    "days_between",
    "change",
    "in_response_denominator",
    "response",
    "remission",
    "reliable_improvement",
    "reliable_deterioration",
    "meaningful_improvement",
]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _export_row(*, item: Included, pseudonym: str) -> list[Any]:
    judged = item.judged
    counted = item.in_denominator is True
    return [
        pseudonym,
        item.course_number,
        item.modality_label,
        item.instrument.short_name,
        item.baseline.total,
        item.latest.total,
        item.days_between,
        judged.delta,
        _yes_no(item.in_denominator),
        _yes_no(judged.response if counted else None),
        _yes_no(judged.remission if counted else None),
        _yes_no(judged.reliable),
        _yes_no(judged.reliable_deterioration),
        _yes_no(judged.meaningful),
    ]


def export_rows(result: Outcomes) -> list[list[Any]]:
    """De-identified rows: a random pseudonym per client, new for each export; no
    names, ids or dates (only the days between baseline and latest), in random order."""
    pseudonyms: dict[int, str] = {}
    rows: list[list[Any]] = []
    for item in result.included:
        if item.client_id not in pseudonyms:
            pseudonyms[item.client_id] = f"P-{secrets.token_hex(4)}"
        rows.append(_export_row(item=item, pseudonym=pseudonyms[item.client_id]))
    secrets.SystemRandom().shuffle(rows)
    return rows


@require_GET
@role_required(*REPORT_ROLES)
@reauth_required
@reads_from_replica
def export(request: AuthedRequest) -> HttpResponse:
    _form, start, end = _date_range(request)
    result = outcomes(start=start, end=end)
    rows = export_rows(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    log_action(
        actor_from(request),
        "outcomes.export",
        detail={**_range_detail(start, end), "rows": len(rows)},
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="pathways-outcomes.csv"'
    response["Cache-Control"] = "no-store"
    return response

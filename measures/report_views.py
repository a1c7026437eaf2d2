"""Seeing progress: a client's outcome charts, and the practice outcomes report.

Client charts (`client`, `client_chart`) are for CLIENT_ROLES, through
`clients.access.get_client_for_user` (someone else's client is a 404).

The practice report, its chart and its CSV export are for the practice admin only.
They cover every client of the practice, which a therapist may not see (they see
only their own clients), and intake staff do not need clinical outcomes for their
work (minimum necessary). The CSV is de-identified; the page lists who is included
and who is not by client record number, linking to the record.

Who is in the report (one row per client × instrument):

- Modality: the client's most recent treatment course (by creation). A client with
  both a KAP and a KA-EMDR course is counted once per instrument, under the modality
  of their latest course. A client with scores but no course is "no course".
- Responses answered after the end of the date range are ignored.
- Baseline: the client's earliest response of the instrument. (When the course has a
  started dosing session, this is the earliest response on or before it if there is
  one; with none before it, it is still the earliest response, and the report marks
  it "baseline after the first dosing session".)
- Latest: the latest response after the baseline answered within the date range.
- Not included, and why: "no baseline" (no score of the instrument at all),
  "no follow-up after baseline" (only one score), "outside the date range" (scores
  exist, but no follow-up within the range, or every score is after it), "no course".

Dates are the practice's local dates. The figures are descriptive; they are not a
diagnosis and not a comparison of treatments.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import CLIENT_ROLES, AuthedRequest, role_required
from accounts.models import Role
from audit.services import log_action
from clients.access import get_client_for_user
from clients.models import Client
from measures import charts, stats
from measures.models import Instrument, Response
from measures.scoring import Change, change
from treatment.models import Modality, SessionKind, TreatmentCourse, TreatmentSession

REPORT_ROLES: tuple[str, ...] = (Role.ADMIN,)
# A picture opened on its own is a document: let matplotlib's own styles apply, nothing else.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
DEFAULT_DAYS = 365

NO_COURSE = "no course"
NO_BASELINE = "no baseline"
NO_FOLLOW_UP = "no follow-up after baseline"
OUTSIDE_RANGE = "outside the date range"


# --- The client's charts and scores -------------------------------------------


@dataclass
class ScoreRow:
    response: Response
    is_baseline: bool
    change: Change | None
    rules: dict[str, str]


def _instruments() -> list[Instrument]:
    return list(Instrument.objects.order_by("short_name"))


def _rule_labels(definition: dict[str, Any]) -> dict[str, str]:
    rules = definition.get("change_rules") or {}
    return {key: str(rule["label"]) for key, rule in rules.items()}


def client_scores(client: Client) -> list[ScoreRow]:
    """Every score of the client, newest first, each with its change from the
    client's baseline (earliest score) of that instrument."""
    responses = list(
        Response.objects.filter(client=client)
        .select_related("instrument")
        .order_by("answered_at", "id")
    )
    baselines: dict[int, Response] = {}
    rows: list[ScoreRow] = []
    for r in responses:
        baseline = baselines.setdefault(r.instrument_id, r)
        definition = r.instrument.definition
        judged = None if baseline is r else change(definition, baseline.total, r.total)
        rows.append(ScoreRow(r, baseline is r, judged, _rule_labels(definition)))
    return rows[::-1]


def client_charts(client: Client) -> list[dict[str, Any]]:
    """The instruments the client has answered, each with its chart's version."""
    codes = set(Response.objects.filter(client=client).values_list("instrument__code", flat=True))
    return [
        {"instrument": i, "version": charts.chart_version(client, i)}
        for i in _instruments()
        if i.code in codes
    ]


@require_GET
@role_required(*CLIENT_ROLES)
def client(request: AuthedRequest, client_id: int) -> HttpResponse:
    record = get_client_for_user(request, client_id)
    log_action(request, "outcomes.client_view", record, client=record)
    return render(
        request,
        "measures/reports/client.html",
        {"client": record, "charts": client_charts(record), "rows": client_scores(record)},
    )


@require_GET
@role_required(*CLIENT_ROLES)
def client_chart(request: AuthedRequest, client_id: int, code: str) -> HttpResponse:
    record = get_client_for_user(request, client_id)
    instrument = get_object_or_404(Instrument, code=code)
    svg = charts.client_instrument_svg(record, instrument)
    log_action(request, "outcomes.chart_view", record, client=record, detail={"instrument": code})
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


@dataclass
class Included:
    client_id: int
    modality: str
    instrument: Instrument
    baseline: Response
    latest: Response
    baseline_after_dosing: bool

    @property
    def days_between(self) -> int:
        return (_day(self.latest.answered_at) - _day(self.baseline.answered_at)).days


@dataclass
class Excluded:
    client_id: int
    instrument: str  # short name, or "" for every instrument
    reason: str


@dataclass
class Group:
    modality: str
    modality_label: str
    instrument: Instrument
    members: list[Included] = field(default_factory=list)
    stats: stats.GroupStats | None = None

    @property
    def label(self) -> str:
        return f"{self.modality_label} · {self.instrument.short_name}"

    @property
    def rules(self) -> dict[str, str]:
        return _rule_labels(self.instrument.definition)


@dataclass
class Outcomes:
    start: dt.date
    end: dt.date
    groups: list[Group]
    included: list[Included]
    excluded: list[Excluded]


def _day(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def outcomes(start: dt.date, end: dt.date) -> Outcomes:
    """Everyone with a score or a course, sorted into included and not included."""
    instruments = _instruments()
    responses: dict[int, list[Response]] = defaultdict(list)
    scores = Response.objects.select_related("instrument").defer(
        "answers", "unscored", "subscores"
    )
    for r in scores.order_by("answered_at", "id"):
        responses[r.client_id].append(r)
    latest_course: dict[int, TreatmentCourse] = {}
    for each in TreatmentCourse.objects.order_by("created_at", "id"):
        latest_course[each.client_id] = each  # the last one wins
    first_dose: dict[int, dt.datetime] = {}
    dosing = TreatmentSession.objects.filter(kind=SessionKind.DOSING, started_at__isnull=False)
    for session in dosing.order_by("-started_at").only("course_id", "started_at"):
        if session.started_at is not None:
            first_dose[session.course_id] = session.started_at  # the earliest wins

    included: list[Included] = []
    excluded: list[Excluded] = []
    for client_id in sorted(set(responses) | set(latest_course)):
        course = latest_course.get(client_id)
        if course is None:
            excluded.append(Excluded(client_id, "", NO_COURSE))
            continue
        dosed = first_dose.get(course.pk)
        for instrument in instruments:
            theirs = [r for r in responses[client_id] if r.instrument_id == instrument.pk]
            by_end = [r for r in theirs if _day(r.answered_at) <= end]
            if not by_end:
                reason = OUTSIDE_RANGE if theirs else NO_BASELINE
                excluded.append(Excluded(client_id, instrument.short_name, reason))
                continue
            baseline, later = by_end[0], theirs[1:]
            in_range = [r for r in by_end[1:] if _day(r.answered_at) >= start]
            if not later:
                excluded.append(Excluded(client_id, instrument.short_name, NO_FOLLOW_UP))
            elif not in_range:
                excluded.append(Excluded(client_id, instrument.short_name, OUTSIDE_RANGE))
            else:
                after_dosing = dosed is not None and baseline.answered_at > dosed
                included.append(
                    Included(
                        client_id,
                        course.modality,
                        instrument,
                        baseline,
                        in_range[-1],
                        after_dosing,
                    )
                )

    groups: list[Group] = []
    for modality in Modality:
        for instrument in instruments:
            members = [
                i for i in included if i.modality == modality and i.instrument.pk == instrument.pk
            ]
            if not members:
                continue
            group = Group(modality.value, modality.label, instrument, members)
            pairs = [(m.baseline.total, m.latest.total) for m in members]
            group.stats = stats.summarise(instrument.definition, pairs)
            groups.append(group)
    return Outcomes(start, end, groups, included, excluded)


def _range_detail(start: dt.date, end: dt.date) -> dict[str, str]:
    return {"from": start.isoformat(), "to": end.isoformat()}


@require_GET
@role_required(*REPORT_ROLES)
def report(request: AuthedRequest) -> HttpResponse:
    form, start, end = _date_range(request)
    result = outcomes(start, end)
    log_action(
        request,
        "outcomes.report_view",
        detail={**_range_detail(start, end), "included": len(result.included)},
    )
    query = urlencode({"from": start.isoformat(), "to": end.isoformat()})
    return render(
        request,
        "measures/reports/report.html",
        {
            "form": form,
            "result": result,
            "query": query,
            "confidence": int(stats.CONFIDENCE * 100),
        },
    )


@require_GET
@role_required(*REPORT_ROLES)
def report_chart(request: AuthedRequest) -> HttpResponse:
    _form, start, end = _date_range(request)
    result = outcomes(start, end)
    svg = charts.report_change_svg([(g.label, g.stats) for g in result.groups if g.stats])
    log_action(request, "outcomes.chart_view", detail=_range_detail(start, end))
    return _svg_response(svg)


CSV_HEADER = [
    "pseudonym",
    "modality",
    "instrument",
    "baseline_total",
    "latest_total",
    "days_between",
    "change",
    "response",
    "remission",
]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def export_rows(result: Outcomes) -> list[list[Any]]:
    """De-identified rows: a random pseudonym per client, new for each export; no
    names, ids or dates (only the days between baseline and latest), in random order."""
    pseudonyms: dict[int, str] = {}
    rows: list[list[Any]] = []
    for item in result.included:
        if item.client_id not in pseudonyms:
            pseudonyms[item.client_id] = f"P-{secrets.token_hex(4)}"
        judged = change(item.instrument.definition, item.baseline.total, item.latest.total)
        rows.append(
            [
                pseudonyms[item.client_id],
                Modality(item.modality).label,
                item.instrument.short_name,
                item.baseline.total,
                item.latest.total,
                item.days_between,
                judged.delta,
                _yes_no(judged.response),
                _yes_no(judged.remission),
            ]
        )
    secrets.SystemRandom().shuffle(rows)
    return rows


@require_GET
@role_required(*REPORT_ROLES)
def export(request: AuthedRequest) -> HttpResponse:
    _form, start, end = _date_range(request)
    result = outcomes(start, end)
    rows = export_rows(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    log_action(request, "outcomes.export", detail={**_range_detail(start, end), "rows": len(rows)})
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="pathways-outcomes.csv"'
    response["Cache-Control"] = "no-store"
    return response

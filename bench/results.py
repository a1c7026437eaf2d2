"""From the samples of a bench run to its figures, its verdicts and its report.

Pure functions over plain values (no Django, no locust), so that the table, the JSON
and the judgement against issue 14 §3 are tested from a fixed set of samples
(bench/tests/test_bench_results.py).

The bars (issue 14 §3, at 10,000 clients):
- a staff or partner page: p50 at most 3× the floor's p50 plus 10 ms (aim for 2×);
- a public page: p50 at most 1.5× the floor's p50;
- the outcomes report: p50 under 1 s; the audit report: p50 under 300 ms;
- a chart or timeline picture: p50 under 50 ms;
- a gunicorn worker: peak RSS (VmHWM) under 200 MB.
A page with a bar of its own (the reports, the pictures) is judged by that bar only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

# The kinds of endpoint, each with its bar.
FLOOR = "floor"  # the reference: a bare view behind the same middleware
REFERENCE = "reference"  # shown for comparison, judged by no bar
PUBLIC = "public"
STAFF = "staff"
PARTNER = "partner"
OUTCOMES = "outcomes"
AUDIT = "audit"
PICTURE = "picture"
KINDS = (FLOOR, REFERENCE, PUBLIC, STAFF, PARTNER, OUTCOMES, AUDIT, PICTURE)

STAFF_FACTOR, STAFF_PLUS_MS = 3.0, 10.0
PUBLIC_FACTOR = 1.5
OUTCOMES_MS = 1000.0
AUDIT_MS = 300.0
PICTURE_MS = 50.0
RSS_MB = 200.0

OK, MISSED, FAILED, NO_BAR = "ok", "MISSED", "FAILED", "—"


@dataclass(frozen=True)
class Sample:
    """One request as the load generator saw it."""

    ms: float  # wall time, request sent to body read
    ok: bool  # the status the endpoint must answer (anything else is a failure)
    queries: int | None  # the X-Bench-Queries header, None when absent
    status: int = 0
    error: str = ""


@dataclass(frozen=True)
class Endpoint:
    """What was asked for: a name, the kind that picks its bar, who asked, how."""

    name: str
    kind: str
    method: str
    path: str
    user: str  # "" for anonymous


@dataclass
class Row:
    name: str
    kind: str
    method: str
    user: str
    requests: int
    failures: int
    p50: float | None
    p95: float | None
    rps: float
    ratio: float | None  # p50 / the floor's p50
    queries: int | None  # the median count
    queries_range: tuple[int, int] | None
    bar: str
    verdict: str
    errors: list[str] = field(default_factory=list)


@dataclass
class Report:
    rows: list[Row]
    workers: list[dict[str, Any]]  # {"pid", "hwm_mb", "rss_mb", "verdict"}
    context: dict[str, Any]  # machine, database, clients, seconds, ...

    @property
    def failed(self) -> bool:
        """A request answered otherwise than its endpoint must (or no answer at all)."""
        return any(r.failures or r.requests == 0 for r in self.rows)


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least p% at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def bar_of(kind: str, floor_p50: float | None) -> tuple[str, float | None]:
    """The bar's text and its limit in ms (None: no bar, or no floor to set it)."""
    if kind == OUTCOMES:
        return f"< {OUTCOMES_MS:.0f} ms", OUTCOMES_MS
    if kind == AUDIT:
        return f"< {AUDIT_MS:.0f} ms", AUDIT_MS
    if kind == PICTURE:
        return f"< {PICTURE_MS:.0f} ms", PICTURE_MS
    if kind in (STAFF, PARTNER):
        limit = None if floor_p50 is None else STAFF_FACTOR * floor_p50 + STAFF_PLUS_MS
        return f"≤ {STAFF_FACTOR:g}× floor + {STAFF_PLUS_MS:g} ms", limit
    if kind == PUBLIC:
        limit = None if floor_p50 is None else PUBLIC_FACTOR * floor_p50
        return f"≤ {PUBLIC_FACTOR:g}× floor", limit
    return NO_BAR, None


def judge(kind: str, p50: float | None, floor_p50: float | None, failures: int) -> str:
    """ok / MISSED / FAILED (a failed request outranks any time), "—" when no bar."""
    if failures or p50 is None:
        return FAILED
    text, limit = bar_of(kind, floor_p50)
    if text == NO_BAR:
        return NO_BAR
    if limit is None:
        return FAILED  # a bar relative to a floor that was not measured
    strict = kind in (OUTCOMES, AUDIT, PICTURE)  # "under": the limit itself misses
    met = p50 < limit if strict else p50 <= limit
    return OK if met else MISSED


def judge_rss(hwm_mb: float) -> str:
    return OK if hwm_mb < RSS_MB else MISSED


def row_of(
    endpoint: Endpoint, samples: Sequence[Sample], seconds: float, floor_p50: float | None
) -> Row:
    # Times of the answers the endpoint must give: a fast redirect to sign-in is no page.
    times = [s.ms for s in samples if s.ok]
    failures = sum(1 for s in samples if not s.ok)
    p50 = percentile(times, 50)
    counts = [s.queries for s in samples if s.queries is not None]
    median_queries = percentile(counts, 50)
    errors = sorted({s.error or f"status {s.status}" for s in samples if not s.ok})
    return Row(
        name=endpoint.name,
        kind=endpoint.kind,
        method=endpoint.method,
        user=endpoint.user,
        requests=len(samples),
        failures=failures,
        p50=p50,
        p95=percentile(times, 95),
        rps=len(samples) / seconds if seconds > 0 else 0.0,
        ratio=p50 / floor_p50 if p50 is not None and floor_p50 else None,
        queries=None if median_queries is None else int(median_queries),
        queries_range=(min(counts), max(counts)) if counts else None,
        bar=bar_of(endpoint.kind, floor_p50)[0],
        verdict=judge(endpoint.kind, p50, floor_p50, failures),
        errors=errors[:5],
    )


def build_report(
    runs: Sequence[tuple[Endpoint, Sequence[Sample], float]],
    workers: Sequence[dict[str, Any]],
    context: dict[str, Any],
) -> Report:
    """Rows in the order run; the floor's p50 is that of the first FLOOR endpoint."""
    floor_p50 = next(
        (percentile([s.ms for s in ss if s.ok], 50) for e, ss, _ in runs if e.kind == FLOOR),
        None,
    )
    rows = [row_of(e, samples, seconds, floor_p50) for e, samples, seconds in runs]
    judged = [{**w, "verdict": judge_rss(float(w["hwm_mb"]))} for w in workers]
    return Report(rows, judged, context)


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _queries(row: Row) -> str:
    if row.queries_range is None:
        return "?"
    low, high = row.queries_range
    return str(row.queries) if low == high else f"{row.queries} ({low}–{high})"


def _machine(machine: Any) -> str:
    if not isinstance(machine, dict):
        return str(machine or "?")
    cpu, cores, memory = (machine.get(k, "?") for k in ("cpu", "cores", "memory_gb"))
    return f"{cpu}, {cores} cores, {memory} GB"


def markdown(report: Report) -> str:
    c = report.context
    lines = [
        f"# make bench: {c.get('database', '?')}, {c.get('clients', '?')} clients, "
        f"{c.get('date', '')}",
        "",
        f"gunicorn {c.get('workers', '?')} workers ({c.get('settings', 'production settings')}),"
        f" locust at concurrency {c.get('concurrency', '?')}, {c.get('seconds', '?')} s per "
        f"endpoint. Machine: {_machine(c.get('machine'))}.",
    ]
    load = c.get("load_average")
    if isinstance(load, dict):
        lines.append(f"Load average before and after: {load.get('before')} / {load.get('after')}.")
    if c.get("commit"):
        lines.append(f"Commit {c['commit']}; practice seeded on {c.get('seeded_on', '?')}.")
    lines += [
        "",
        "| endpoint | user | p50 ms | p95 ms | req/s | × floor | queries | failures "
        "| bar | verdict |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for r in report.rows:
        ratio = "–" if r.ratio is None else f"{r.ratio:.1f}×"
        lines.append(
            f"| {r.name} | {r.user or 'anonymous'} | {_ms(r.p50)} | {_ms(r.p95)} "
            f"| {r.rps:.1f} | {ratio} | {_queries(r)} | {r.failures} of {r.requests} "
            f"| {r.bar} | {r.verdict} |"
        )
    lines += ["", "| gunicorn worker | peak RSS (VmHWM) | RSS at the end | bar | verdict |"]
    lines.append("|---|--:|--:|---|---|")
    for w in report.workers:
        lines.append(
            f"| pid {w['pid']} | {w['hwm_mb']:.0f} MB | {w['rss_mb']:.0f} MB "
            f"| < {RSS_MB:.0f} MB | {w['verdict']} |"
        )
    notes = c.get("notes") or []
    errors = [f"- {r.name}: {'; '.join(r.errors)}" for r in report.rows if r.errors]
    if errors:
        lines += ["", "Failures:", *errors]
    if notes:
        lines += ["", *[f"- {n}" for n in notes]]
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    data = {
        "context": report.context,
        "endpoints": [asdict(r) for r in report.rows],
        "workers": report.workers,
        "failed": report.failed,
    }
    return json.dumps(data, indent=2, sort_keys=False) + "\n"

"""Outcome charts: a client's scores on one instrument over time, and the practice
report's mean changes.

The SVG plumbing (a figure on its own canvas, never pyplot, and the accessible
title) is `common.svg`'s. The pictures carry no name, no id and no free text; each
page gives the same data as a table beside the picture.

Bands, the axis range and the instrument's name come from the instrument's JSON
definition (its published source is named there); the bands are severity
descriptors, not a diagnosis. An instrument with a cut-point (PCL-5) is drawn with
the practice's cut-point (`settings.PCL5_CUT_POINT`, through
`measures.services.cut_point_for`), never the definition's default, and its line is
labelled with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates
from matplotlib.figure import Figure

from clients.models import Client
from common import svg
from common.dates import plausible
from common.timefmt import local, local_day
from measures.models import Instrument, Response
from measures.scoring import bands_for
from measures.services import cut_point_for
from treatment.models import SessionKind, TreatmentSession

if TYPE_CHECKING:
    from measures.outcomes.stats import GroupStats

FONT = 11
SCORE_COLOUR = svg.BLUE
DOSING_COLOUR = svg.INK
CHANGE_COLOUR = svg.BLUE
# Light to darker greys-blue for the bands, lowest band first; the labels at the
# right edge name each band, so shading is never the only cue.
BAND_SHADES = ("#f4f6f8", "#e6ebf0", "#d7dee6", "#c8d1dc", "#b9c4d2", "#aab7c8")
NO_SCORES = "No scores yet"
NOTHING_TO_DRAW = "No score has a date the chart can show"
DOSING_LABEL = "Dosing session"
CUT_POINT_COLOUR = "#8a1c1c"
# A safety item answered above its threshold (PHQ-9 item 9 above 0): a dark red
# triangle with a white edge, on the score's point, named in the legend. Shape and
# legend text, not colour alone, tell it from a score.
FLAG_COLOUR = "#8a1c1c"
FLAG_MARKER = "^"
# The x-axis: at most this many dated ticks, so their labels never overlap.
MAX_TICKS = 7


@dataclass(frozen=True)
class Flag:
    """A safety item of the instrument answered above its threshold."""

    item: int
    value: int
    threshold: int


@dataclass(frozen=True)
class Point:
    at: dt.datetime
    total: int
    flags: tuple[Flag, ...] = ()


def safety_flags(definition: Mapping[str, Any], answers: Mapping[str, Any]) -> tuple[Flag, ...]:
    """The definition's safety items (``"safety_item": true``; PHQ-9 item 9, Simon et
    al. 2013, see measures.alerts.safety) answered above their threshold."""
    flags = []
    for item in definition.get("items") or []:
        if item.get("safety_item") is not True:
            continue
        number, threshold = int(item["number"]), int(item.get("safety_threshold", 0))
        value = answers.get(str(number), answers.get(number))  # type: ignore[call-overload]  # JSON keys are strings; older rows may hold ints
        if isinstance(value, int) and not isinstance(value, bool) and value > threshold:
            flags.append(Flag(number, value, threshold))
    return tuple(flags)


def flag_label(definition: Mapping[str, Any]) -> str:
    """The legend's words for the flag marker ("Item 9 above 0 (safety item)")."""
    items = [i for i in definition.get("items") or [] if i.get("safety_item") is True]
    named = ", ".join(f"item {i['number']} above {i.get('safety_threshold', 0)}" for i in items)
    return f"{named[:1].upper()}{named[1:]} (safety item)"


def client_points(client: Client, instrument: Instrument) -> list[Point]:
    rows = Response.objects.filter(client=client, instrument=instrument).order_by(
        "answered_at", "id"
    )
    definition = instrument.definition
    return [
        Point(r.answered_at, r.total, safety_flags(definition, r.answers))
        for r in rows.only("answered_at", "total", "answers")
    ]


def dosing_starts(client: Client) -> list[dt.datetime]:
    """When each of the client's dosing sessions started, across all their courses."""
    sessions = TreatmentSession.objects.filter(
        course__client=client, kind=SessionKind.DOSING, started_at__isnull=False
    ).order_by("started_at")
    return [s.started_at for s in sessions.only("started_at") if s.started_at is not None]


def left_out_note(count: int) -> str:
    """What the chart says about stored scores it could not place on its axis."""
    if count == 1:
        return "1 score with a date outside the chart was left out (see the table)."
    return f"{count} scores with a date outside the chart were left out (see the table)."


def drawable(points: Sequence[Point]) -> tuple[list[Point], int]:
    """The points whose day the axis can show (common.dates.plausible), and how many
    were left out. Stored data is drawn as it is: a day at the end of the calendar
    (0001-01-01, from before the range was checked) is skipped, never an error."""
    days = plausible()
    kept = [p for p in points if p.at in days]
    return kept, len(points) - len(kept)


def chart_version(client: Client, instrument: Instrument) -> str:
    """Changes when the picture would: for the image URL, so a browser reloads it.
    A hash of numbers and times, never PHI."""
    return version_of(client_points(client, instrument), dosing_starts(client), instrument)


def version_of(
    points: Sequence[Point], starts: Sequence[dt.datetime], instrument: Instrument
) -> str:
    """`chart_version` of the client's `points` of `instrument` (`client_points`) and
    their dosing `starts` (`dosing_starts`), for a page that has read them already."""
    seen = repr(
        (
            [(p.at.isoformat(), p.total, p.flags) for p in points],
            [at.isoformat() for at in starts],
            instrument.version,
            cut_point_for(instrument),
        )
    )
    return hashlib.sha256(seen.encode()).hexdigest()[:12]


def _local(at: dt.datetime) -> float:
    """matplotlib's date number of the practice's local time (so the axis shows local
    dates without touching the process-wide timezone setting)."""
    return float(mdates.date2num(local(at).replace(tzinfo=None)))  # type: ignore[no-untyped-call]  # matplotlib.dates has no type hints


def date_ticks(first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    """The x-axis ticks between two local days and their labels, as a person writes
    dates: "22 Nov", the month named once ("8 Nov", "15", "22", "6 Dec"), the year
    only on the first tick and where it changes; no offset text. Days, weeks or
    months apart, so that there are at most MAX_TICKS and their labels never meet."""
    span = (last - first).days
    ticks: list[dt.date]
    if span > 120:
        step = next(m for m in (1, 2, 3, 4, 6, 12, 24) if (span / 30.4) / m < MAX_TICKS)
        month = dt.date(first.year, first.month, 1)
        ticks = []
        while month <= last:
            if month >= first and (month.year * 12 + month.month - 1) % step == 0:
                ticks.append(month)
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    else:
        step = next(d for d in (1, 2, 3, 7, 14, 21, 28) if span / d < MAX_TICKS)
        start = first
        if step >= 7:  # weeks start on a Monday
            start = first + dt.timedelta(days=-first.weekday() % 7)
        ticks = [start + dt.timedelta(days=i) for i in range(0, span + 1, step)]
        ticks = [t for t in ticks if t <= last]
    labels: list[tuple[dt.date, str]] = []
    previous: dt.date | None = None
    for tick in ticks:
        new_year = previous is None or previous.year != tick.year
        if span > 120:
            text = f"{tick:%b}" + (f" {tick.year}" if new_year else "")
        elif previous is None or previous.month != tick.month:
            text = f"{tick.day} {tick:%b}" + (f" {tick.year}" if new_year else "")
        else:
            text = str(tick.day)
        labels.append((tick, text))
        previous = tick
    return labels


def _set_date_axis(ax: Any, first: float, last: float) -> None:
    """Ticks at the days of `date_ticks`, labelled by it (matplotlib date numbers in,
    no ConciseDateFormatter and so no "2026-Dec" offset)."""
    start = mdates.num2date(first).date()  # type: ignore[no-untyped-call]  # matplotlib.dates has no type hints
    end = mdates.num2date(last).date()  # type: ignore[no-untyped-call]  # matplotlib.dates has no type hints
    ticks = date_ticks(start, end)
    positions = [float(mdates.date2num(dt.datetime.combine(d, dt.time()))) for d, _ in ticks]  # type: ignore[no-untyped-call]  # matplotlib.dates has no type hints
    ax.set_xticks(positions, [label for _, label in ticks])
    ax.xaxis.get_offset_text().set_visible(False)


def client_instrument_svg(client: Client, instrument: Instrument) -> str:
    """One instrument's scores over time for a client, as an SVG document."""
    drawn = client_instrument_figure(client, instrument)
    return drawn if isinstance(drawn, str) else svg.to_svg(*drawn)


def client_instrument_figure(client: Client, instrument: Instrument) -> str | tuple[Figure, str]:
    """The chart as a figure and its description; or, with nothing to draw, the SVG
    document that says so."""
    definition = instrument.definition
    stored = client_points(client, instrument)
    points, left_out = drawable(stored)
    days = plausible()
    doses = [at for at in dosing_starts(client) if at in days]
    name = str(definition.get("short_name") or instrument.short_name)
    if not stored:
        return svg.message_svg(
            f"{name}: {NO_SCORES}",
            f"{name} scores over time: no scores yet.",
            size=(8, 1.6),
            fontsize=FONT + 3,
            y=0.6,
        )
    if not points:
        note = left_out_note(left_out)
        return svg.message_svg(
            f"{name}: {NOTHING_TO_DRAW}",
            f"{name} scores over time: {note}",
            size=(8, 1.6),
            fontsize=FONT + 3,
            y=0.6,
        )
    figure = svg.figure(8, 3.6)
    ax = figure.subplots()
    low, high = definition["total"]["min"], definition["total"]["max"]
    cut_point = cut_point_for(instrument)
    bands = bands_for(definition, cut_point)
    _draw_bands(ax, bands, low, high)
    if cut_point is not None:
        _draw_cut_point(ax, cut_point)
    xs = [_local(p.at) for p in points]
    ax.plot(
        xs,
        [p.total for p in points],
        color=SCORE_COLOUR,
        marker="o",
        markersize=6,
        linewidth=2,
        label=f"{name} total",
        zorder=5,
    )
    flagged = [p for p in points if p.flags]
    if flagged:
        ax.plot(
            [_local(p.at) for p in flagged],
            [p.total for p in flagged],
            linestyle="none",
            marker=FLAG_MARKER,
            markersize=11,
            markerfacecolor=FLAG_COLOUR,
            markeredgecolor="white",
            markeredgewidth=1.2,
            color=FLAG_COLOUR,
            label=flag_label(definition),
            zorder=6,
        )
    for i, at in enumerate(doses):
        ax.axvline(
            _local(at),
            color=DOSING_COLOUR,
            linestyle="--",
            linewidth=1.2,
            zorder=3,
            label=DOSING_LABEL if i == 0 else None,
        )
    moments = xs + [_local(at) for at in doses]
    first, last = min(moments), max(moments)
    pad = max(3.0, (last - first) * 0.04)  # days
    ax.set_xlim(first - pad, last + pad)
    _set_date_axis(ax, first - pad, last + pad)
    ax.set_ylim(low - 0.5, high + 0.5)
    # Whole-number ticks at the band cut-points and the top of the scale.
    ax.set_yticks(sorted({*(b["min"] for b in bands), high}))
    ax.set_ylabel(f"{name} total ({low}–{high})", fontsize=FONT)
    # Under the axis, in the picture itself: what the line does not show.
    xlabel = "Date answered" + (f"\n{left_out_note(left_out)}" if left_out else "")
    ax.set_xlabel(xlabel, fontsize=FONT)
    ax.set_title(f"{name} scores over time", fontsize=FONT + 1, loc="left")
    ax.tick_params(labelsize=FONT - 1)
    # In a row of its own above the plot (constrained layout keeps room for it): never
    # over a score, and never over the title when long band labels narrow the plot.
    figure.legend(loc="outside upper right", ncols=2, fontsize=FONT - 1, frameon=False)
    description = (
        f"{name} scores over time: {len(points)} score(s) from "
        f"{local_day(points[0].at)} to {local_day(points[-1].at)}, latest {points[-1].total}; "
        f"{len(doses)} dosing session(s) marked. "
        + (
            f"{flag_label(definition)} on {len(flagged)} date(s): "
            + ", ".join(local_day(p.at) for p in flagged)
            + ". "
            if flagged
            else ""
        )
        + "Shaded bands are severity descriptors, "
        "not a diagnosis."
        + (f" The line marks the practice's cut-point, {cut_point}." if cut_point else "")
        + (f" {left_out_note(left_out)}" if left_out else "")
        + " The table gives the same data."
    )
    return figure, description


def _draw_cut_point(ax: Any, cut_point: int) -> None:
    """The practice's cut-point as a dotted line at the edge between its two bands,
    named in the right margin (between the band labels), not in the legend."""
    edge = cut_point - 0.5
    ax.axhline(edge, color=CUT_POINT_COLOUR, linestyle=":", linewidth=1.5, zorder=2)
    ax.text(
        1.01,
        edge,
        f"Cut-point {cut_point} (practice setting)",
        transform=ax.get_yaxis_transform(),
        ha="left",
        va="center",
        fontsize=FONT - 1,
        color=CUT_POINT_COLOUR,
        clip_on=False,
    )


def _draw_bands(ax: Any, bands: Sequence[Mapping[str, Any]], low: int, high: int) -> None:
    label_transform = ax.get_yaxis_transform()  # x in axes fraction, y in data
    for i, band in enumerate(bands):
        # Whole-number totals: a band from 5 to 9 covers 4.5–9.5, so a point on a
        # cut-point sits clearly inside its band, not on the edge.
        bottom, top = max(band["min"] - 0.5, low - 0.5), min(band["max"] + 0.5, high + 0.5)
        ax.axhspan(bottom, top, color=BAND_SHADES[i % len(BAND_SHADES)], zorder=0, linewidth=0)
        if i:
            ax.axhline(bottom, color="#8a96a3", linewidth=0.6, zorder=1)
        ax.text(
            1.01,
            (bottom + top) / 2,
            f"{band['label']} ({band['min']}–{band['max']})",
            transform=label_transform,
            ha="left",
            va="center",
            fontsize=FONT - 1,
            color=svg.TEXT,
            clip_on=False,
        )


def report_change_svg(groups: Sequence[tuple[str, GroupStats]]) -> str:
    """The report's mean change (latest − baseline) with its 95% CI, one row per
    modality × instrument, as an SVG document. Scales differ between instruments;
    each row says its own."""
    rows = [(label, g, g.mean_change) for label, g in groups if g.mean_change is not None]
    if not rows:
        return svg.message_svg(
            "No one in this date range",
            "Outcomes: no one is included in this date range.",
            size=(8, 1.8),
            fontsize=FONT + 3,
        )
    figure = svg.figure(8, max(1.8, 0.6 * len(rows) + 1.4))
    ax = figure.subplots()
    ys = list(range(len(rows)))[::-1]
    for y, (_label, g, centre) in zip(ys, rows, strict=True):
        if g.ci_low is not None and g.ci_high is not None:
            ax.errorbar(
                centre,
                y,
                xerr=[[centre - g.ci_low], [g.ci_high - centre]],
                fmt="o",
                color=CHANGE_COLOUR,
                ecolor=CHANGE_COLOUR,
                elinewidth=2,
                capsize=5,
                markersize=7,
                zorder=4,
            )
        else:
            ax.plot([centre], [y], marker="D", color=CHANGE_COLOUR, markersize=7)
            ax.annotate(
                "no CI (n = 1)",
                xy=(centre, y),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                fontsize=FONT - 1,
                color=svg.TEXT,
            )
    ax.axvline(0, color="#333333", linewidth=1, zorder=2)
    ax.set_yticks(ys, [f"{label} (n={g.n})" for label, g, _ in rows], fontsize=FONT - 1)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(
        "Mean change, latest − baseline (points; below 0 is a fall), with 95% CI", fontsize=FONT
    )
    ax.set_title("Mean change from baseline", fontsize=FONT + 1, loc="left")
    ax.tick_params(axis="x", labelsize=FONT - 1)
    svg.light_grid(ax, "x")
    parts = [f"{label}: n={g.n}, mean change {centre:+.1f}" for label, g, centre in rows]
    return svg.to_svg(figure, "Mean change from baseline. " + "; ".join(parts) + ".")

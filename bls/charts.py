"""The session timeline: one picture of the dose, the EMDR phases, SUD and VOC, and
the vital signs across a session, for the chart and for the prescriber's summary.

What it shows is gathered by `bls.timeline`; the SVG plumbing (a figure on its own
canvas, never pyplot, and the accessible title) is `common.svg`'s. The picture
carries no name and no free text; the same data is given as a table beside it
(`bls.timeline.timeline_rows`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from bls.models import EmdrRecord
from bls.timeline import TimelineData, timeline_data
from common import svg
from common.dates import plausible, session_window
from common.timefmt import local_day_hm_zone
from treatment.models import TreatmentSession

if TYPE_CHECKING:
    from matplotlib.axes import Axes

FONT = 12
# Okabe-Ito colours (safe for colour-blind readers), each at least 3:1 on white;
# every series also has its own marker or line style, so colour is never the only cue.
SUD_COLOUR = "#c0392b"
VOC_COLOUR = svg.BLUE
DOSE_COLOUR = svg.INK
SYSTOLIC_COLOUR = svg.BLUE
DIASTOLIC_COLOUR = "#4a7fb5"
HR_COLOUR = "#00704a"
SPO2_COLOUR = "#882255"
PHASE_SHADES = ("#eef1f5", "#ffffff")

SCORE_AXIS_LABEL = "SUD (0–10)\nVOC (1–7)"
VITALS_AXIS_LABEL = "Vital signs\nmmHg · bpm · %"
NO_DATA = "No data yet"
NOTHING_TO_DRAW = "No entry has a time the chart can show"


def left_out_note(count: int) -> str:
    """What the picture says about stored entries it could not place on its axis."""
    if count == 1:
        return "1 entry with a time outside the session was left out (see the table)."
    return f"{count} entries with a time outside the session were left out (see the table)."


def drawable(data: TimelineData) -> tuple[TimelineData, int]:
    """The entries the axis can show, and how many were left out. Stored data is
    drawn as it is: a time far from the session (0001-01-01, stored before the times
    were checked) is skipped, never an error. With a start in the plausible range,
    an entry belongs within `common.dates.SESSION_WINDOW` of it; without one, any
    plausible day will do."""
    days = plausible()
    start = data.start if data.start is not None and data.start in days else None

    def fits(at: dt.datetime) -> bool:
        if start is not None:
            return at in session_window(start)
        return at in days

    kept = replace(
        data,
        start=start,
        doses=[d for d in data.doses if fits(d[1])],
        phases=[p for p in data.phases if fits(p[1])],
        sud=[x for x in data.sud if fits(x.at)],
        voc=[x for x in data.voc if fits(x.at)],
        vitals=[v for v in data.vitals if fits(v.taken_at)],
    )
    return kept, len(data.moments()) - len(kept.moments())


def session_timeline_svg(source: TreatmentSession | EmdrRecord) -> str:
    """The session timeline as an SVG document (no XML prolog, so it can also be
    inlined). Never fails for want of data: it then says "No data yet"."""
    data, left_out = drawable(timeline_data(source))
    if data.empty and not left_out:
        return svg.message_svg(
            NO_DATA, "Session timeline: no data yet.", size=(10, 2), fontsize=FONT + 4
        )
    if data.empty:
        note = left_out_note(left_out)
        return svg.message_svg(
            NOTHING_TO_DRAW, f"Session timeline: {note}", size=(10, 2), fontsize=FONT + 4
        )
    figure = svg.figure(10, 6.6)
    scores_ax, vitals_ax = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    _draw_phases(data, scores_ax, vitals_ax)
    _draw_doses(data, scores_ax, vitals_ax)
    _draw_scores(data, scores_ax)
    _draw_vitals(data, vitals_ax)
    _set_x_range(data, vitals_ax)
    start = data.start or min(data.moments())
    xlabel = f"Minutes from session start ({local_day_hm_zone(start)})"
    if left_out:  # in the picture itself: what it does not show
        xlabel += f"\n{left_out_note(left_out)}"
    vitals_ax.set_xlabel(xlabel, fontsize=FONT)
    figure.suptitle(
        "Session timeline: dose, EMDR phases, SUD/VOC and vital signs", fontsize=FONT + 2
    )
    for ax in (scores_ax, vitals_ax):
        ax.tick_params(labelsize=FONT - 1)
        svg.light_grid(ax, "y")
    description = _description(data)
    if left_out:
        description += " " + left_out_note(left_out)
    return svg.to_svg(figure, description)


def _draw_phases(data: TimelineData, scores_ax: Axes, vitals_ax: Axes) -> None:
    if not data.phases:
        return
    ends = [data.minutes(at) for _, at in data.phases[1:]] + [None]
    everything = [data.minutes(at) for at in data.moments()]
    right = max(everything)
    # Marks closer than 1/25 of the picture share one label ("P5·6"), not a smudge.
    near = max(right - min([*everything, 0]), 1) / 25
    labels: list[tuple[float, list[int]]] = []
    for i, ((phase, at), end) in enumerate(zip(data.phases, ends, strict=True)):
        x = data.minutes(at)
        x_end = end if end is not None else max(right, x + 5)
        for ax in (scores_ax, vitals_ax):
            ax.axvspan(x, x_end, color=PHASE_SHADES[i % 2], zorder=0, linewidth=0)
            label = "EMDR phase (P1–P8)" if ax is scores_ax and i == 0 else None
            ax.axvline(x, color="#6b7785", linestyle=":", linewidth=1, zorder=1, label=label)
        if labels and x - labels[-1][0] < near:
            labels[-1][1].append(phase)
        else:
            labels.append((x, [phase]))
    for x, phases in labels:
        scores_ax.annotate(
            "P" + "·".join(str(p) for p in phases),
            xy=(x, 1),
            xycoords=("data", "axes fraction"),
            xytext=(3, -3),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=FONT - 1,
            color=svg.TEXT,
        )


def _draw_doses(data: TimelineData, scores_ax: Axes, vitals_ax: Axes) -> None:
    for label, at in data.doses:
        x = data.minutes(at)
        style = "-" if label == "Dose" else "--"
        for ax in (scores_ax, vitals_ax):
            ax.axvline(
                x,
                color=DOSE_COLOUR,
                linestyle=style,
                linewidth=2,
                zorder=3,
                label=label if ax is scores_ax else None,
            )
        scores_ax.annotate(
            f"{label} ({round(x)} min)",
            xy=(x, 0.88),
            xycoords=("data", "axes fraction"),
            xytext=(4, 0),
            textcoords="offset points",
            fontsize=FONT,
            fontweight="bold",
            color=DOSE_COLOUR,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": DOSE_COLOUR},
            zorder=4,
        )


def _draw_scores(data: TimelineData, ax: Axes) -> None:
    ax.set_ylim(-0.5, 10.5)
    ax.set_yticks(range(0, 11, 2))
    ax.set_ylabel(SCORE_AXIS_LABEL, fontsize=FONT)
    if data.sud:
        ax.plot(
            [data.minutes(s.at) for s in data.sud],
            [s.value for s in data.sud],
            color=SUD_COLOUR,
            marker="o",
            markersize=7,
            linewidth=2,
            label="SUD (0–10)",
            zorder=5,
        )
    if data.voc:
        ax.plot(
            [data.minutes(s.at) for s in data.voc],
            [s.value for s in data.voc],
            color=VOC_COLOUR,
            marker="s",
            markersize=7,
            linewidth=1.5,
            linestyle="--",
            label="VOC (1–7)",
            zorder=5,
        )
    if ax.get_legend_handles_labels()[0]:
        _legend(ax)
    if not (data.sud or data.voc):
        svg.note(ax, "No SUD or VOC recorded yet", FONT)


def _draw_vitals(data: TimelineData, ax: Axes) -> None:
    ax.set_ylabel(VITALS_AXIS_LABEL, fontsize=FONT)
    if not data.vitals:
        ax.set_ylim(40, 180)
        svg.note(ax, "No vital signs recorded", FONT)
        return
    xs = [data.minutes(v.taken_at) for v in data.vitals]
    series = [
        ("Systolic BP", "systolic", SYSTOLIC_COLOUR, "v", "-"),
        ("Diastolic BP", "diastolic", DIASTOLIC_COLOUR, "^", "-"),
        ("Heart rate (bpm)", "heart_rate", HR_COLOUR, "o", "-."),
        ("SpO2 (%)", "spo2", SPO2_COLOUR, "D", ":"),
    ]
    for label, attr, colour, marker, style in series:
        ax.plot(
            xs,
            [getattr(v, attr) for v in data.vitals],
            color=colour,
            marker=marker,
            linestyle=style,
            linewidth=1.8,
            markersize=6,
            label=label,
            zorder=5,
        )
    values = [getattr(v, a) for v in data.vitals for _, a, *_ in series]
    ax.set_ylim(min(40, min(values) - 10), max(180, max(values) + 10))
    _legend(ax)


def _legend(ax: Axes) -> None:
    """The axes' legend in the right margin, beside (never over) the data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=FONT - 1, frameon=False)


def _set_x_range(data: TimelineData, ax: Axes) -> None:
    xs = [data.minutes(at) for at in data.moments()]
    low, high = min([*xs, 0]), max(xs)
    pad = max(5.0, (high - low) * 0.05)
    ax.set_xlim(low - pad, high + pad)


def _description(data: TimelineData) -> str:
    parts = [f"{label} at {round(data.minutes(at))} min" for label, at in data.doses]
    parts.append(f"{len(data.phases)} phase mark(s)")
    parts.append(f"{len(data.sud)} SUD and {len(data.voc)} VOC value(s)")
    parts.append(f"{len(data.vitals)} set(s) of vital signs")
    return "Session timeline: " + "; ".join(parts) + ". The table below gives the same data."

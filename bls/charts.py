"""The session timeline: one picture per modality, for the dosing record and for the
prescriber's summary (issue 11 §3).

- KAP: the vital signs against the prescriber's limits (horizontal lines from the
  prescription version in force now, `dosing.rules.rx_in_force`, each labelled) and
  the dose(s) as markers. No EMDR panel.
- KA-EMDR (and an EMDR session without ketamine): the same, under a panel of the
  EMDR phases and SUD/VOC. Phase labels never overlap: each is placed on the first
  row where its box meets no label already placed (`place_labels`), after the
  layout is fixed, so the boxes checked are the boxes drawn.

What it shows is gathered by `bls.timeline`; the SVG plumbing (a figure on its own
canvas, never pyplot, and the accessible title) is `common.svg`'s. The picture
carries no name and no free text; the same data is given as a table beside it
(`bls.timeline.timeline_rows`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.transforms import Bbox

from bls.models import EmdrRecord
from bls.timeline import TimelineData, timeline_data
from common import svg
from common.dates import plausible, session_window
from common.pictures import cached_picture, row_values
from common.timefmt import local_day_hm_zone
from dosing.effect_window import PLANNING_NOTE, window_for
from dosing.models import DosingRecord
from dosing.rules import rx_in_force
from dosing.vitals import Limits
from treatment.models import Modality, TreatmentSession

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation, Text

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
# The expected effect window (issue 12 §3): a light hatched band, so it reads over the
# phases' shades; its peak a dash-dot line labelled "Peak".
WINDOW_COLOUR = "#e69f00"
PEAK_LABEL = "Peak"

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

    routes = data.dose_routes or [""] * len(data.doses)
    doses = [(d, r) for d, r in zip(data.doses, routes, strict=True) if fits(d[1])]
    kept = replace(
        data,
        start=start,
        doses=[d for d, _ in doses],
        dose_routes=[r for _, r in doses],
        phases=[p for p in data.phases if fits(p[1])],
        sud=[x for x in data.sud if fits(x.at)],
        voc=[x for x in data.voc if fits(x.at)],
        vitals=[v for v in data.vitals if fits(v.taken_at)],
    )
    return kept, len(data.moments()) - len(kept.moments())


KAP_TITLE = "Session timeline: dose and vital signs against the prescriber's limits"
EMDR_TITLE = "Session timeline: dose, EMDR phases, SUD/VOC and vital signs"
# Phase labels are stacked in rows this far apart (points) when they would overlap.
LABEL_ROW_POINTS = FONT + 4


def is_emdr(source: TreatmentSession | EmdrRecord, data: TimelineData) -> bool:
    """Does the session have an EMDR part (an EMDR record, a KA-EMDR course, or EMDR
    data already gathered)?"""
    if isinstance(source, EmdrRecord) or data.phases or data.sud or data.voc:
        return True
    return bool(source.course.modality == Modality.KA_EMDR)


def limits_of(source: TreatmentSession | EmdrRecord) -> Limits | None:
    """The vital-sign limits of the prescription version in force now, for a session
    with a dosing record (an EMDR session without ketamine has none)."""
    session = source.session if isinstance(source, EmdrRecord) else source
    if session is None:
        return None
    try:
        # The reverse one-to-one: already cached when the session came from its record.
        record = session.dosing_record
    except DosingRecord.DoesNotExist:
        return None
    return rx_in_force(record)


def session_timeline_svg(source: TreatmentSession | EmdrRecord) -> str:
    """The session timeline as an SVG document (no XML prolog, so it can also be
    inlined). Never fails for want of data: it then says "No data yet".

    Drawn once for the data it shows (`common.pictures`): the data is read (a few
    small queries), and matplotlib runs only when it differs from the cached picture's."""
    data = timeline_data(source)
    limits = limits_of(source)
    emdr = is_emdr(source, drawable(data)[0])
    kind = "emdr-timeline" if isinstance(source, EmdrRecord) else "session-timeline"
    return cached_picture(
        kind,
        source.pk,
        timeline_fingerprint(data, limits, emdr=emdr),
        lambda: draw_session_timeline(data, limits, emdr=emdr),
    )


def timeline_fingerprint(data: TimelineData, limits: Limits | None, *, emdr: bool) -> object:
    """Everything the picture is drawn from, as values: the timeline's data, the
    prescriber's limits, the modality's layout, and the plausible days (they move with
    today, and decide what is left out)."""
    return (
        data.start,
        data.doses,
        data.dose_routes,
        data.phases,
        [(s.at, s.value, s.label) for s in data.sud],
        [(s.at, s.value, s.label) for s in data.voc],
        row_values(data.vitals),
        row_values([limits] if limits is not None else []),
        emdr,
        plausible(),
    )


def draw_session_timeline(data: TimelineData, limits: Limits | None, *, emdr: bool) -> str:
    """The picture of `data` (matplotlib: the costly part)."""
    data, left_out = drawable(data)
    if data.empty and not left_out:
        return svg.message_svg(
            NO_DATA, "Session timeline: no data yet.", size=(10, 2), fontsize=FONT + 4
        )
    if data.empty:
        note = left_out_note(left_out)
        return svg.message_svg(
            NOTHING_TO_DRAW, f"Session timeline: {note}", size=(10, 2), fontsize=FONT + 4
        )
    figure, _labels = timeline_figure(data, limits, emdr=emdr, left_out=left_out)
    description = _description(data, emdr) + window_description(data)
    if limits is not None:
        named = "; ".join(text for _, text, _ in limit_lines(limits))
        description += f" The prescriber's limits, drawn as dashed lines: {named}."
    if left_out:
        description += " " + left_out_note(left_out)
    return svg.to_svg(figure, description)


def timeline_figure(
    data: TimelineData, limits: Limits | None, *, emdr: bool, left_out: int = 0
) -> tuple[Figure, list[Annotation]]:
    """The drawn figure, its layout fixed, and its phase labels (for the tests)."""
    if emdr:
        figure = svg.figure(10, 6.6)
        scores_ax, vitals_ax = figure.subplots(
            2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]}
        )
        axes = [scores_ax, vitals_ax]
        _draw_phase_marks(data, scores_ax, vitals_ax)
        dose_labels = _draw_doses(data, scores_ax, vitals_ax)
        _draw_windows(data, axes)
        _draw_scores(data, scores_ax)
        title = EMDR_TITLE
    else:
        figure = svg.figure(10, 4.2)
        vitals_ax = figure.subplots(1, 1)
        axes = [vitals_ax]
        dose_labels = _draw_doses(data, vitals_ax, vitals_ax)
        _draw_windows(data, axes)
        title = KAP_TITLE
    _draw_vitals(data, vitals_ax, limits)
    _set_x_range(data, vitals_ax)
    start = data.start or min(data.moments())
    xlabel = f"Minutes from session start ({local_day_hm_zone(start)})"
    if left_out:  # in the picture itself: what it does not show
        xlabel += f"\n{left_out_note(left_out)}"
    vitals_ax.set_xlabel(xlabel, fontsize=FONT)
    figure.suptitle(title, fontsize=FONT + 2)
    for ax in axes:
        ax.tick_params(labelsize=FONT - 1)
        svg.light_grid(ax, "y")
    # Fix the layout now, so that the labels placed below are checked where they
    # will be drawn; then keep it (saving would otherwise lay the figure out again).
    engine = figure.get_layout_engine()
    if engine is not None:
        engine.execute(figure)
    figure.set_layout_engine("none")
    labels: list[Annotation] = []
    if emdr:
        labels = place_labels(figure, axes[0], phase_labels(data), avoid=dose_labels)
    # The peaks' labels, placed after the phases' and clear of them and of the doses'.
    peaks = [(peak, PEAK_LABEL) for _, peak, _ in effect_bands(data).values()]
    # Every text already on the panel (the dose and phase labels, a "no data" note).
    peak_labels = place_labels(figure, axes[0], peaks, avoid=list(axes[0].texts))
    if limits is not None:
        place_limit_labels(figure, vitals_ax, limit_lines(limits), avoid=peak_labels)
    return figure, labels


# Room kept around each label's box (pixels): the SVG's text may be a hair wider
# than the measuring renderer's.
LABEL_MARGIN = 2


def measuring_renderer(figure: Figure) -> RendererAgg:
    """A renderer of the figure's size, to measure text boxes (the SVG canvas has none)."""
    return RendererAgg(figure.bbox.width, figure.bbox.height, figure.dpi)  # type: ignore[no-untyped-call]


def label_box(label: Text, renderer: RendererAgg) -> Bbox:
    """The label's box on the page, with LABEL_MARGIN around it."""
    return label.get_window_extent(renderer).padded(LABEL_MARGIN)


def phase_labels(data: TimelineData) -> list[tuple[float, str]]:
    """One label per phase mark ("P3"); marks made in the same minute share one ("P5·6")."""
    labels: list[tuple[float, list[int]]] = []
    for phase, at in data.phases:
        x = data.minutes(at)
        if labels and abs(x - labels[-1][0]) < 1:
            labels[-1][1].append(phase)
        else:
            labels.append((x, [phase]))
    return [(x, "P" + "·".join(str(p) for p in phases)) for x, phases in labels]


def place_labels(
    figure: Figure,
    ax: Axes,
    labels: list[tuple[float, str]],
    avoid: Sequence[Text] | None = None,
) -> list[Annotation]:
    """Each label at the top of `ax` at its x, on the first row (stacked downwards)
    where its box meets none of those already placed nor those in `avoid` (the
    doses' labels): labels never overlap, however close the marks."""
    renderer = measuring_renderer(figure)
    placed: list[Annotation] = []
    boxes: list[Bbox] = [label_box(other, renderer) for other in avoid or []]
    for x, text in sorted(labels):
        row = 0
        while True:
            label = ax.annotate(
                text,
                xy=(x, 1),
                xycoords=("data", "axes fraction"),
                xytext=(3, -3 - row * LABEL_ROW_POINTS),
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize=FONT - 1,
                color=svg.TEXT,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
                zorder=6,
            )
            box = label_box(label, renderer)
            if not any(box.overlaps(other) for other in boxes):
                break
            label.remove()
            row += 1
        placed.append(label)
        boxes.append(box)
    return placed


def effect_bands(data: TimelineData) -> dict[int, tuple[float, float, float | None]]:
    """Per dose (its index in `data.doses`): the expected (onset, peak, offset) in
    minutes on the chart's axis, from dosing.effect_window by the dose's route.
    A dose whose route has no figures has no band."""
    bands: dict[int, tuple[float, float, float | None]] = {}
    for i, ((_label, at), route) in enumerate(zip(data.doses, data.dose_routes, strict=False)):
        window = window_for(route)
        if window is not None:
            bands[i] = window.band(data.minutes(at))
    return bands


def _draw_windows(data: TimelineData, axes: list[Axes]) -> None:
    """Each dose's expected window: a hatched onset→offset band (onset→peak when the
    reference gives no offset) and a dash-dot line at the peak, on every panel."""
    for n, (onset, peak, offset) in enumerate(effect_bands(data).values()):
        for ax in axes:
            ax.axvspan(
                onset,
                offset if offset is not None else peak,
                facecolor="none",
                edgecolor=WINDOW_COLOUR,
                hatch="//",
                linewidth=0,
                zorder=0.5,
                label="Expected effect window" if ax is axes[0] and n == 0 else None,
            )
            ax.axvline(
                peak,
                color=WINDOW_COLOUR,
                linestyle="-.",
                linewidth=1.5,
                zorder=2,
                label="Expected peak" if ax is axes[0] and n == 0 else None,
            )


def window_description(data: TimelineData) -> str:
    """The text alternative's words for the windows drawn."""
    parts = []
    for i, (onset, peak, offset) in effect_bands(data).items():
        label = data.doses[i][0]
        end = f" to {round(offset)} min" if offset is not None else " (no end given)"
        parts.append(
            f"{label}'s expected effect window from {round(onset)} min{end}, "
            f"peak at about {round(peak)} min"
        )
    if not parts:
        return ""
    return " " + "; ".join(parts) + f" ({PLANNING_NOTE.rstrip('.')})."


def _draw_phase_marks(data: TimelineData, scores_ax: Axes, vitals_ax: Axes) -> None:
    """The shaded spans and dotted lines of the phases (their labels come last)."""
    if not data.phases:
        return
    ends = [data.minutes(at) for _, at in data.phases[1:]] + [None]
    right = max(data.minutes(at) for at in data.moments())
    for i, ((_phase, at), end) in enumerate(zip(data.phases, ends, strict=True)):
        x = data.minutes(at)
        x_end = end if end is not None else max(right, x + 5)
        for ax in (scores_ax, vitals_ax):
            ax.axvspan(x, x_end, color=PHASE_SHADES[i % 2], zorder=0, linewidth=0)
            label = "EMDR phase (P1–P8)" if ax is scores_ax and i == 0 else None
            ax.axvline(x, color="#6b7785", linestyle=":", linewidth=1, zorder=1, label=label)


def _draw_doses(data: TimelineData, scores_ax: Axes, vitals_ax: Axes) -> list[Annotation]:
    """Each dose as a line across the panels and a labelled marker on the first
    (`scores_ax`; the vitals panel itself on a KAP chart, where both are one)."""
    panels = [scores_ax] if scores_ax is vitals_ax else [scores_ax, vitals_ax]
    labels: list[Annotation] = []
    xs = [data.minutes(at) for at in data.moments()]
    low, high = min([*xs, 0]), max(xs)
    for label, at in data.doses:
        x = data.minutes(at)
        style = "-" if label == "Dose" else "--"
        for ax in panels:
            ax.axvline(
                x,
                color=DOSE_COLOUR,
                linestyle=style,
                linewidth=2,
                zorder=3,
                label=label if ax is scores_ax else None,
            )
        scores_ax.plot(
            [x],
            [1],
            marker="v",
            markersize=10,
            color=DOSE_COLOUR,
            transform=scores_ax.get_xaxis_transform(),
            clip_on=False,
            zorder=4,
        )
        # A dose in the right third is labelled on its left, inside the picture.
        on_left = x > low + (high - low) * 2 / 3
        marker = scores_ax.annotate(
            f"{label} ({round(x)} min)",
            xy=(x, 0.88),
            xycoords=("data", "axes fraction"),
            xytext=(-4 if on_left else 4, 0),
            textcoords="offset points",
            ha="right" if on_left else "left",
            fontsize=FONT,
            fontweight="bold",
            color=DOSE_COLOUR,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": DOSE_COLOUR},
            zorder=4,
        )
        labels.append(marker)
    return labels


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


# The prescriber's limits drawn as lines: (label, Limits attribute, colour of its series).
LIMITS = (
    ("SBP max", "max_systolic", SYSTOLIC_COLOUR),
    ("SBP min", "min_systolic", SYSTOLIC_COLOUR),
    ("DBP max", "max_diastolic", DIASTOLIC_COLOUR),
    ("DBP min", "min_diastolic", DIASTOLIC_COLOUR),
    ("HR max", "hr_max", HR_COLOUR),
    ("HR min", "hr_min", HR_COLOUR),
    ("SpO2 min", "spo2_min", SPO2_COLOUR),
)
LIMIT_STYLE = (0, (6, 3))
LIMITS_LEGEND = "Prescriber's limits (dashed)"


def limit_lines(limits: Limits) -> list[tuple[float, str, str]]:
    """(value, label, colour) per line; limits of the same value share one line and
    label ("SBP min 90 · DBP max 90")."""
    by_value: dict[int, list[tuple[str, str]]] = {}
    for label, attr, colour in LIMITS:
        value = int(getattr(limits, attr))
        by_value.setdefault(value, []).append((label, colour))
    return [
        (float(value), " · ".join(f"{label} {value}" for label, _ in named), named[0][1])
        for value, named in sorted(by_value.items())
    ]


def place_limit_labels(
    figure: Figure,
    ax: Axes,
    lines: list[tuple[float, str, str]],
    avoid: Sequence[Text] | None = None,
) -> list[Annotation]:
    """Each limit's label on its line, at the right; a label that would overlap one
    already placed moves left along its own line, past it."""
    renderer = measuring_renderer(figure)
    to_points = 72 / figure.dpi
    placed: list[Annotation] = []
    boxes: list[Bbox] = [label_box(other, renderer) for other in avoid or []]
    for value, text, colour in sorted(lines, key=lambda line: -line[0]):
        shift = 3.0
        while True:
            label = ax.annotate(
                text,
                xy=(1, value),
                xycoords=("axes fraction", "data"),
                xytext=(-shift, 1),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=FONT - 3,
                color=colour,
                bbox={"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none"},
                zorder=6,
            )
            box = label_box(label, renderer)
            hits = [other for other in boxes if box.overlaps(other)]
            if not hits:
                break
            label.remove()
            shift += (box.x1 - min(other.x0 for other in hits)) * to_points + 4
        placed.append(label)
        boxes.append(box)
    return placed


def _draw_limits(ax: Axes, limits: Limits) -> list[float]:
    lines = limit_lines(limits)
    for i, (value, _text, colour) in enumerate(lines):
        ax.axhline(
            value,
            color=colour,
            linestyle=LIMIT_STYLE,
            linewidth=1.2,
            zorder=2,
            label=LIMITS_LEGEND if i == 0 else None,
        )
    return [value for value, _, _ in lines]


def _draw_vitals(data: TimelineData, ax: Axes, limits: Limits | None = None) -> None:
    ax.set_ylabel(VITALS_AXIS_LABEL, fontsize=FONT)
    bounds = _draw_limits(ax, limits) if limits is not None else []
    if not data.vitals:
        ax.set_ylim(min([40.0, *bounds]) - 5, max([180.0, *bounds]) + 5)
        svg.note(ax, "No vital signs recorded", FONT)
        if bounds:
            _legend(ax)
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
    values = [getattr(v, a) for v in data.vitals for _, a, *_ in series] + bounds
    ax.set_ylim(min(40, min(values) - 10), max(180, max(values) + 10))
    _legend(ax)


def _legend(ax: Axes) -> None:
    """The axes' legend in the right margin, beside (never over) the data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=FONT - 1, frameon=False)


def _set_x_range(data: TimelineData, ax: Axes) -> None:
    xs = [data.minutes(at) for at in data.moments()]
    xs += [x for band in effect_bands(data).values() for x in band if x is not None]
    low, high = min([*xs, 0]), max(xs)
    pad = max(5.0, (high - low) * 0.05)
    ax.set_xlim(low - pad, high + pad)


def _description(data: TimelineData, emdr: bool = True) -> str:
    parts = [f"{label} at {round(data.minutes(at))} min" for label, at in data.doses]
    if emdr:
        parts.append(f"{len(data.phases)} phase mark(s)")
        parts.append(f"{len(data.sud)} SUD and {len(data.voc)} VOC value(s)")
    parts.append(f"{len(data.vitals)} set(s) of vital signs")
    return "Session timeline: " + "; ".join(parts) + ". The table below gives the same data."

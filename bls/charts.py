"""The session timeline: one picture of the dose, the EMDR phases, SUD and VOC, and
the vital signs across a session, for the chart and for the prescriber's summary.

Drawn with matplotlib's object API (a Figure with its own SVG canvas), never
pyplot: no global figure state, so requests in different threads cannot draw on
each other's figures. The picture carries no name and no free text; the same data
is given as a table beside it (`timeline_rows`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import matplotlib
from django.utils import timezone
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from bls import services
from bls.models import EmdrRecord, Phase
from treatment.models import TreatmentSession

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Text as <text> elements, not outlines: smaller, selectable, read by screen
# readers and searchable in tests. Set once at import (a process-wide constant),
# never per request: rc_context() would change global state under other threads.
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["svg.hashsalt"] = "pathways-timeline"  # stable ids, same data → same SVG

FONT = 12
# Okabe-Ito colours (safe for colour-blind readers), each at least 3:1 on white;
# every series also has its own marker or line style, so colour is never the only cue.
SUD_COLOUR = "#c0392b"
VOC_COLOUR = "#0058a3"
DOSE_COLOUR = "#111111"
SYSTOLIC_COLOUR = "#0058a3"
DIASTOLIC_COLOUR = "#4a7fb5"
HR_COLOUR = "#00704a"
SPO2_COLOUR = "#882255"
PHASE_SHADES = ("#eef1f5", "#ffffff")

SCORE_AXIS_LABEL = "SUD (0–10)\nVOC (1–7)"
VITALS_AXIS_LABEL = "Vital signs\nmmHg · bpm · %"
NO_DATA = "No data yet"


@dataclass
class Score:
    at: dt.datetime
    value: int
    label: str  # "SUD at start", "Set 3", … (no free text)


@dataclass
class TimelineData:
    start: dt.datetime | None = None
    doses: list[tuple[str, dt.datetime]] = field(default_factory=list)
    phases: list[tuple[int, dt.datetime]] = field(default_factory=list)
    sud: list[Score] = field(default_factory=list)
    voc: list[Score] = field(default_factory=list)
    vitals: list[Any] = field(default_factory=list)  # dosing.models.VitalSigns

    @property
    def empty(self) -> bool:
        return not (self.doses or self.phases or self.sud or self.voc or self.vitals)

    def moments(self) -> list[dt.datetime]:
        return [
            *(at for _, at in self.doses),
            *(at for _, at in self.phases),
            *(s.at for s in self.sud),
            *(s.at for s in self.voc),
            *(v.taken_at for v in self.vitals),
        ]

    def minutes(self, at: dt.datetime) -> float:
        origin = self.start or min(self.moments(), default=at)
        return (at - origin).total_seconds() / 60


def timeline_data(source: TreatmentSession | EmdrRecord) -> TimelineData:
    """What the timeline shows, for a course session (with or without an EMDR record)
    or for an EMDR record (of a session or of an appointment)."""
    record: EmdrRecord | None
    data = TimelineData()
    if isinstance(source, EmdrRecord):
        record = source
    else:
        record = EmdrRecord.objects.filter(session=source).first()
    if record is not None:
        data.start = services.session_start(record)
        admins = services.administrations(record)
        data.vitals = services.vitals(record)
    elif isinstance(source, TreatmentSession):
        data.start = source.started_at
        admins = _session_administrations(source)
        data.vitals = _session_vitals(source)
    data.doses = [(a.get_kind_display(), a.given_at) for a in admins]
    if record is not None:
        _add_emdr(data, record)
    return data


def _session_administrations(session: TreatmentSession) -> list[Any]:
    from dosing.models import Administration

    return list(Administration.objects.filter(record__session=session))


def _session_vitals(session: TreatmentSession) -> list[Any]:
    from dosing.models import VitalSigns

    return list(VitalSigns.objects.filter(record__session=session))


def _add_emdr(data: TimelineData, record: EmdrRecord) -> None:
    marks = list(record.phase_marks.all())
    sets = list(record.sets.all())
    data.phases = [(m.phase, m.at) for m in marks]

    def first_mark(phase: int) -> dt.datetime | None:
        return next((m.at for m in marks if m.phase == phase), None)

    def last_mark(phase: int) -> dt.datetime | None:
        return next((m.at for m in reversed(marks) if m.phase == phase), None)

    # Start scores belong to the assessment, end scores to closure; without those
    # marks they sit at the first or the last thing recorded.
    recorded = sorted([m.at for m in marks] + [s.at for s in sets])
    first = recorded[0] if recorded else record.created_at
    last = recorded[-1] if recorded else record.created_at
    start_at = first_mark(Phase.ASSESSMENT) or first
    end_at = last_mark(Phase.CLOSURE) or last
    if record.sud_start is not None:
        data.sud.append(Score(start_at, record.sud_start, "SUD at start"))
    data.sud += [Score(s.at, s.sud, f"Set {s.number}") for s in sets if s.sud is not None]
    if record.sud_end is not None:
        data.sud.append(Score(end_at, record.sud_end, "SUD at end"))
    if record.voc_start is not None:
        data.voc.append(Score(start_at, record.voc_start, "VOC at start"))
    if record.installation_voc is not None:
        installed = first_mark(Phase.INSTALLATION) or end_at
        data.voc.append(Score(installed, record.installation_voc, "Installation VOC"))
    if record.voc_end is not None:
        data.voc.append(Score(end_at, record.voc_end, "VOC at end"))
    data.sud.sort(key=lambda s: s.at)
    data.voc.sort(key=lambda s: s.at)


# --- The table beside the picture ---------------------------------------------


@dataclass
class Row:
    at: dt.datetime
    minutes: int
    event: str
    sud: int | None = None
    voc: int | None = None
    vitals: str = ""


def timeline_rows(data: TimelineData) -> list[Row]:
    """The picture's data, row by row in time order (its text alternative)."""
    rows: list[Row] = []

    def add(at: dt.datetime, event: str, **extra: Any) -> None:
        rows.append(Row(at, round(data.minutes(at)), event, **extra))

    for label, at in data.doses:
        add(at, label)
    for phase, at in data.phases:
        add(at, f"Phase {Phase(phase).label}")
    for score in data.sud:
        add(score.at, score.label, sud=score.value)
    for score in data.voc:
        add(score.at, score.label, voc=score.value)
    for v in data.vitals:
        add(
            v.taken_at,
            "Vital signs",
            vitals=f"BP {v.systolic}/{v.diastolic}, HR {v.heart_rate}, SpO2 {v.spo2}%",
        )
    return sorted(rows, key=lambda r: r.at)


# --- The picture --------------------------------------------------------------


def session_timeline_svg(source: TreatmentSession | EmdrRecord) -> str:
    """The session timeline as an SVG document (no XML prolog, so it can also be
    inlined). Never fails for want of data: it then says "No data yet"."""
    data = timeline_data(source)
    figure = Figure(figsize=(10, 6.6), layout="constrained")
    FigureCanvasSVG(figure)
    if data.empty:
        figure.set_size_inches(10, 2)
        figure.text(0.5, 0.5, NO_DATA, ha="center", va="center", fontsize=FONT + 4)
        return _svg(figure, "Session timeline: no data yet.")
    scores_ax, vitals_ax = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    _draw_phases(data, scores_ax, vitals_ax)
    _draw_doses(data, scores_ax, vitals_ax)
    _draw_scores(data, scores_ax)
    _draw_vitals(data, vitals_ax)
    _set_x_range(data, vitals_ax)
    start = data.start or min(data.moments())
    local = timezone.localtime(start)
    vitals_ax.set_xlabel(
        f"Minutes from session start ({local:%Y-%m-%d %H:%M} {local.tzname()})", fontsize=FONT
    )
    figure.suptitle(
        "Session timeline: dose, EMDR phases, SUD/VOC and vital signs", fontsize=FONT + 2
    )
    for ax in (scores_ax, vitals_ax):
        ax.tick_params(labelsize=FONT - 1)
        ax.grid(axis="y", color="#d5dae0", linewidth=0.8)
        ax.set_axisbelow(True)
    return _svg(figure, _description(data))


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
            color="#333333",
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
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=FONT - 1, frameon=False)
    if not (data.sud or data.voc):
        ax.text(
            0.5,
            0.5,
            "No SUD or VOC recorded yet",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=FONT,
            color="#444444",
        )


def _draw_vitals(data: TimelineData, ax: Axes) -> None:
    ax.set_ylabel(VITALS_AXIS_LABEL, fontsize=FONT)
    if not data.vitals:
        ax.set_ylim(40, 180)
        ax.text(
            0.5,
            0.5,
            "No vital signs recorded",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=FONT,
            color="#444444",
        )
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


_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)


def _svg(figure: Figure, description: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = _PROLOG.sub("", buffer.getvalue(), count=1)
    # An accessible name for the image, right after the opening tag.
    title = f"<title>{_escape(description)}</title>"
    return re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + title, svg, count=1)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""Charts as SVG documents: the matplotlib plumbing every Pathways chart shares.

Drawn with matplotlib's object API (a Figure with its own SVG canvas), never pyplot:
no global figure state, so requests in different threads cannot draw on each
other's figures, and nothing needs closing. A chart module builds its picture on
`figure(...)` and hands it to `to_svg`, which gives an SVG document with no XML
prolog (so it can also be inlined) and an accessible name (`<title>`) first.
"""

from __future__ import annotations

import html
import io
import re
from typing import TYPE_CHECKING, Literal

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Text as <text> elements, not outlines: smaller, selectable, read by screen
# readers and searchable in tests. Set once at import (a process-wide constant),
# never per request: rc_context() would change global state under other threads.
matplotlib.rcParams["svg.fonttype"] = "none"
# Stable ids: the same data gives the same SVG, byte for byte (and the salt's
# value is part of the output, so changing it changes every chart).
matplotlib.rcParams["svg.hashsalt"] = "pathways-timeline"

# Colours shared by the charts, each at least 3:1 on white (Okabe-Ito blue and
# near-black); a chart never makes colour the only cue.
BLUE = "#0058a3"
INK = "#111111"
TEXT = "#333333"  # annotations and labels
MUTED = "#444444"  # "nothing recorded" notes
GRID = "#d5dae0"

_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_OPENING_TAG = re.compile(r"(<svg\b[^>]*>)")


def figure(width: float, height: float) -> Figure:
    """A blank figure of `width` × `height` inches with constrained layout, on its
    own SVG canvas."""
    made = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasSVG(made)
    return made


def to_svg(drawn: Figure, description: str) -> str:
    """The figure as an SVG document: no XML prolog, no date or creator in its
    metadata (same data, same bytes), and `description` as its accessible name,
    right after the opening tag. The description is plain text (escaped here)."""
    buffer = io.StringIO()
    drawn.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = _PROLOG.sub("", buffer.getvalue(), count=1)
    title = f"<title>{html.escape(description, quote=False)}</title>"
    return _OPENING_TAG.sub(lambda m: m.group(1) + title, svg, count=1)


def message_svg(
    message: str, description: str, *, size: tuple[float, float], fontsize: float, y: float = 0.5
) -> str:
    """A picture that only says `message` (e.g. "No data yet"), centred, for a chart
    with nothing to draw: a chart never fails for want of data."""
    drawn = figure(*size)
    drawn.text(0.5, y, message, ha="center", va="center", fontsize=fontsize)
    return to_svg(drawn, description)


def note(ax: Axes, message: str, fontsize: float) -> None:
    """`message` in the middle of an axes with nothing to plot ("No vital signs
    recorded"), so an empty panel says why it is empty."""
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=fontsize,
        color=MUTED,
    )


def light_grid(ax: Axes, axis: Literal["x", "y"]) -> None:
    """Faint grid lines along `axis` ("x" or "y"), behind the data."""
    ax.grid(axis=axis, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)

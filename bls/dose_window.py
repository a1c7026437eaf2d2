"""Where the dose's expected effect window fell against the EMDR phases (issue 12 §3).

`bls.timing` says where the dose itself fell (and flags a dose given before the
assessment). This adds its expected peak, from dosing.effect_window by the dose's
route: "Expected peak at about 10:57 (45 min after the dose), during desensitisation."
A peak after reprocessing ended (a phase 5–8 mark at or before the peak) gets a
warning badge, never a block. The record has no planned end of reprocessing, so
only a marked end can be compared; a planned-end field would let the record warn
before the session instead of after. A planning aid from published averages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bls.models import Phase, PhaseMark
from bls.timing import phase_at
from common.timefmt import local_hm
from dosing.effect_window import PLANNING_NOTE, window_for

PEAK_AFTER_REPROCESSING = "Expected peak after reprocessing ended"


@dataclass(frozen=True)
class PeakPosition:
    peak_at: dt.datetime
    line: str
    after_reprocessing: bool  # the warning badge
    note: str = PLANNING_NOTE


def peak_position(
    *, dose_at: dt.datetime | None, route: str, marks: Sequence[PhaseMark]
) -> PeakPosition | None:
    """Where the expected peak of a dose given at `dose_at` by `route` fell among the
    phase `marks`; None without a dose or figures for the route."""
    window = window_for(route) if dose_at is not None else None
    if window is None or dose_at is None:
        return None
    peak = window.peak_at(dose_at)
    current = phase_at(marks, peak)
    ended = current is not None and current.phase > Phase.DESENSITISATION
    where = f"during phase {current.get_phase_display()}" if current else "before any phase mark"
    if ended and current is not None:
        where = (
            f"after reprocessing ended (phase {current.get_phase_display()} marked "
            f"{local_hm(current.at)})"
        )
    line = (
        f"Expected peak at about {local_hm(peak)} ({window.peak} min after the dose, "
        f"{route}), {where}."
    )
    return PeakPosition(peak, line, ended)

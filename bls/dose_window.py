"""Where the dose's expected effect window fell against the EMDR phases (issue 12 §3).

`bls.timing` says where the dose itself fell (and flags a dose given before the
assessment). This adds its expected peak, from dosing.effect_window by the dose's
route: "Expected peak at about 10:57 (45 min after the dose), during desensitisation."
A peak after reprocessing ended (a phase 5–8 mark at or before the peak), or after
the end the therapist planned (EmdrRecord.planned_reprocessing_end), gets a warning
badge, never a block. Before the dose, `planned_peak` says where a dose given now by
the prescribed route would peak against the planned end, so the therapist can plan.
A planning aid from published averages.
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
PEAK_AFTER_PLANNED_END = "Expected peak after the planned end of reprocessing"


@dataclass(frozen=True)
class PeakPosition:
    peak_at: dt.datetime
    line: str
    after_reprocessing: bool  # the warning badge: after a marked end
    after_planned_end: bool = False  # the warning badge: after the planned end
    note: str = PLANNING_NOTE


def peak_position(
    *,
    dose_at: dt.datetime | None,
    route: str,
    marks: Sequence[PhaseMark],
    planned_end: dt.datetime | None = None,
) -> PeakPosition | None:
    """Where the expected peak of a dose given at `dose_at` by `route` fell among the
    phase `marks` and against the `planned_end` of reprocessing; None without a dose
    or figures for the route."""
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
    after_plan = planned_end is not None and peak > planned_end
    if after_plan and planned_end is not None:
        line += f" That is after the planned end of reprocessing at {local_hm(planned_end)}."
    return PeakPosition(peak, line, ended, after_plan)


@dataclass(frozen=True)
class PlannedPeak:
    """Before the dose: where a dose given now would peak against the planned end."""

    peak_at: dt.datetime
    line: str
    after_planned_end: bool
    note: str = PLANNING_NOTE


def planned_peak(
    *, now: dt.datetime, route: str, planned_end: dt.datetime | None
) -> PlannedPeak | None:
    """For a session whose dose is not yet given: a dose given `now` by the prescribed
    `route` would peak at about …; flagged when that is after `planned_end`. None
    without a planned end or figures for the route."""
    window = window_for(route) if planned_end is not None else None
    if window is None or planned_end is None:
        return None
    peak = window.peak_at(now)
    after = peak > planned_end
    relation = "after" if after else "before"
    line = (
        f"A dose given now ({route}) would be expected to peak at about {local_hm(peak)}, "
        f"{relation} the planned end of reprocessing at {local_hm(planned_end)}."
    )
    if after:
        minutes = max(1, round((peak - planned_end).total_seconds() / 60))
        line += f" It would come about {minutes} min after the planned end."
    return PlannedPeak(peak, line, after)

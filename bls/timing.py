"""Where the dose fell against the EMDR phases, from the phase marks' times.

The KA-EMDR protocol has the client take the dose during reprocessing, after the
target memory is activated (Topel & Ciccone 2025, Eur J Psychotraumatol;
clinical-reference.md, "KAP practice facts"). In Shapiro's 8 phases the memory is
activated in phase 3 (assessment) and reprocessed in phase 4 (desensitisation)
(clinical-reference.md, "EMDR session data"). So the dose is expected while the
session is in phase 4: the phase of the last mark at or before the dose.

Anything else is flagged: before the assessment (the memory was not activated),
after desensitisation ended, or no phase marked at all (nothing to compare with).
A dose after the assessment but before phase 4 was marked gets a softer note, not
a flag: the memory was activated, as the protocol asks, and with a sublingual dose
peaking at about 45 min (15–60; clinical-reference.md, "Ketamine pharmacokinetics")
a few minutes before the first set fall in the same window; it is often only the
phase-4 mark that lags. Never a block: the record says where the dose fell.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from bls.models import Phase, PhaseMark
from common.timefmt import local_hm


class DosePosition(enum.StrEnum):
    NO_MARKS = "no_marks"
    BEFORE_ASSESSMENT = "before_assessment"
    BEFORE_DESENSITISATION = "before_desensitisation"  # after the assessment
    DURING_DESENSITISATION = "during_desensitisation"  # as the protocol expects
    AFTER_DESENSITISATION = "after_desensitisation"


class Level(enum.StrEnum):
    EXPECTED = "expected"
    NOTE = "note"  # worth knowing; not against the protocol
    FLAG = "flag"  # against the protocol, or cannot be checked


PROTOCOL = "the KA-EMDR protocol doses during desensitisation, after the memory is activated"
NOTES = {
    DosePosition.NO_MARKS: (
        Level.FLAG,
        "No EMDR phase is marked, so the dose cannot be checked against the protocol "
        f"({PROTOCOL})",
    ),
    DosePosition.BEFORE_ASSESSMENT: (
        Level.FLAG,
        f"Dose given before the target memory was activated ({PROTOCOL})",
    ),
    DosePosition.BEFORE_DESENSITISATION: (
        Level.NOTE,
        "Dose given after the target memory was activated but before desensitisation "
        "was marked; the protocol expects it during desensitisation",
    ),
    DosePosition.DURING_DESENSITISATION: (Level.EXPECTED, ""),
    DosePosition.AFTER_DESENSITISATION: (
        Level.FLAG,
        f"Dose given after desensitisation ended ({PROTOCOL})",
    ),
}


@dataclass(frozen=True)
class DoseTiming:
    position: DosePosition
    dose_at: dt.datetime
    phase: PhaseMark | None  # the mark the session was in at the dose
    line: str  # "Dose at 10:42, 6 min into desensitisation (phase 4 marked 10:36)."

    @property
    def level(self) -> Level:
        return NOTES[self.position][0]

    @property
    def note(self) -> str:
        """Empty when the dose fell where the protocol expects it."""
        return NOTES[self.position][1]

    @property
    def flagged(self) -> bool:
        return self.level == Level.FLAG


def phase_at(marks: Sequence[PhaseMark], moment: dt.datetime) -> PhaseMark | None:
    """The phase the session was in at `moment`: the last mark at or before it."""
    before = [m for m in marks if m.at <= moment]
    return max(before, key=lambda m: (m.at, m.id or 0)) if before else None


def dose_timing(*, dose_at: dt.datetime | None, marks: Sequence[PhaseMark]) -> DoseTiming | None:
    """Where a dose given at `dose_at` fell among the record's phase `marks`
    (None without a dose)."""
    if dose_at is None:
        return None
    dose = f"Dose at {local_hm(dose_at)}"
    if not marks:
        line = f"{dose}; no EMDR phase is marked, so where it fell is not known."
        return DoseTiming(DosePosition.NO_MARKS, dose_at, None, line)
    current = phase_at(marks, dose_at)
    if current is None or current.phase < Phase.ASSESSMENT:
        during = f", during phase {current.get_phase_display()}" if current else ""
        line = (
            f"{dose}, before the assessment{during} ({_next(marks, Phase.ASSESSMENT, dose_at)})."
        )
        return DoseTiming(DosePosition.BEFORE_ASSESSMENT, dose_at, current, line)
    since = f"{_minutes(current.at, dose_at)} min"
    if current.phase == Phase.ASSESSMENT:
        line = (
            f"{dose}, {since} after the assessment began (phase 3 marked {local_hm(current.at)}), "
            f"before desensitisation ({_next(marks, Phase.DESENSITISATION, dose_at)})."
        )
        return DoseTiming(DosePosition.BEFORE_DESENSITISATION, dose_at, current, line)
    if current.phase == Phase.DESENSITISATION:
        line = f"{dose}, {since} into desensitisation (phase 4 marked {local_hm(current.at)})."
        return DoseTiming(DosePosition.DURING_DESENSITISATION, dose_at, current, line)
    line = (
        f"{dose}, after desensitisation, {since} into phase {current.get_phase_display()} "
        f"(marked {local_hm(current.at)})."
    )
    return DoseTiming(DosePosition.AFTER_DESENSITISATION, dose_at, current, line)


def _next(marks: Sequence[PhaseMark], phase: int, after: dt.datetime) -> str:
    """When `phase` was next marked after the dose, in words."""
    later = [m for m in marks if m.phase == phase and m.at > after]
    if not later:
        return f"phase {phase} not marked after it"
    at = min(m.at for m in later)
    return f"phase {phase} marked {local_hm(at)}, {_minutes(after, at)} min later"


def _minutes(start: dt.datetime, end: dt.datetime) -> int:
    """Whole minutes from `start` to `end` (as the set log counts them)."""
    return int((end - start).total_seconds() // 60)

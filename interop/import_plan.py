"""What an import would store (interop.importing reads it, interop.import_store stores
it): the measures and medications found in the file, and what was skipped and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from measures.alerts import safety
from measures.models import Instrument


@dataclass(frozen=True)
class Skipped:
    what: str
    reason: str


@dataclass(frozen=True)
class FoundMeasure:
    instrument: Instrument
    answered_at: dt.datetime
    answers: dict[str, int]
    total: int
    band_label: str
    file_total: int | None
    source_id: str

    @property
    def differs(self) -> bool:
        return self.file_total is not None and self.file_total != self.total

    @property
    def flagged(self) -> dict[int, int]:
        """The safety items answered above their threshold: confirming raises an alert."""
        return safety.flagged_items(self.instrument.definition, self.answers)

    def items(self) -> list[tuple[str, int]]:
        return sorted(self.answers.items(), key=lambda kv: (not kv[0].isdigit(), _num(kv[0])))


@dataclass(frozen=True)
class FoundMedication:
    name: str
    dose: str
    source_id: str


@dataclass
class ImportPlan:
    measures: list[FoundMeasure] = field(default_factory=list)
    medications: list[FoundMedication] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.measures and not self.medications


def _num(key: str) -> int:
    return int(key) if key.isdigit() else 0

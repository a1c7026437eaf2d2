"""The dosing console: the sticky bar and the steps of the record page (issue 11 §3).

Read-only: what the page shows about where the session stands, computed from the
record's state and a clock passed in (so that a test can fix it). The rules stay in
dosing.rules and are enforced by the services; this only reads their answers.

- The bar: minutes since the dose (the first dose given), the next vitals due and
  whether the set is overdue (every DOSING_VITALS_EVERY_MINUTES, a setting checked
  in dosing/settings_check.py, and the check about DOSING_PEAK_BP_CHECK_MINUTES after
  the dose: ../shared/clinical-reference.md, "Monitoring"), the prescription version
  in force now (dosing.rules.rx_in_force) and the gate's state; while monitoring,
  the latest dose's expected peak (dosing.effect_window, issue 12 §3).
- The steps: before the dose, dose, monitoring, discharge, note; the server decides
  which one is current from the record's state, and only that one is open (and any
  step whose form has an error to show).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dosing.effect_window import peak_words
from dosing.vitals import Suggestion

BEFORE = "before"
DOSE = "dose"
MONITORING = "monitoring"
DISCHARGE = "discharge"
NOTE = "note"

STEP_TITLES = (
    (BEFORE, "Before the dose"),
    (DOSE, "Dose"),
    (MONITORING, "Monitoring"),
    (DISCHARGE, "Discharge"),
    (NOTE, "Note"),
)

# Which forms belong to which step: a step with a form error opens, so that the
# error beside its field is seen.
STEP_FORMS = {
    BEFORE: ("predose_form", "risk_form", "contact_form", "vitals_form"),
    DOSE: ("dose_form",),
    MONITORING: ("vitals_form", "booster_form", "event_form"),
    DISCHARGE: ("discharge_form",),
    NOTE: ("note_form", "addendum_form"),
}

DONE, CURRENT, TODO, SKIPPED = "done", "current", "todo", "skipped"
STATE_WORDS = {DONE: "done", CURRENT: "current step", TODO: "to do", SKIPPED: "not needed"}
STATE_ICONS = {DONE: "✓", CURRENT: "●", TODO: "○", SKIPPED: "–"}


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    state: str
    open: bool

    @property
    def words(self) -> str:
        return STATE_WORDS[self.state]

    @property
    def icon(self) -> str:
        return STATE_ICONS[self.state]

    @property
    def current(self) -> bool:
        return self.state == CURRENT


def current_step(*, dosed: bool, discharged: bool, cleared: bool, discharge_ready: bool) -> str:
    """The step the session is at, from its state."""
    if discharged:
        return NOTE
    if dosed:
        return DISCHARGE if discharge_ready else MONITORING
    return DOSE if cleared else BEFORE


def steps(
    *,
    dosed: bool,
    discharged: bool,
    cleared: bool,
    discharge_ready: bool,
    note_signed: bool,
    forms: dict[str, Any] | None = None,
) -> list[Step]:
    """The five steps with their state (done, current, to do, or not needed: a
    session discharged without a dose skips the dose and the monitoring)."""
    current = current_step(
        dosed=dosed, discharged=discharged, cleared=cleared, discharge_ready=discharge_ready
    )
    keys = [key for key, _ in STEP_TITLES]
    at = keys.index(current)
    # The vitals form sits in "before the dose" until the dose, then in monitoring.
    vitals_step = MONITORING if dosed else BEFORE
    with_errors = {
        key
        for key, names in STEP_FORMS.items()
        for name in names
        if forms
        and forms.get(name) is not None
        and forms[name].errors
        and (name != "vitals_form" or key == vitals_step)
    }
    made = []
    for i, (key, title) in enumerate(STEP_TITLES):
        if key == NOTE and note_signed:
            state = DONE
        elif i < at:
            state = SKIPPED if key in (DOSE, MONITORING) and not dosed else DONE
        elif i == at:
            state = CURRENT
        else:
            state = TODO
        made.append(Step(key, title, state, key == current or key in with_errors))
    return made


@dataclass(frozen=True)
class Bar:
    """The sticky bar's facts at `now`."""

    now: dt.datetime
    dose_at: dt.datetime | None
    next_due: dt.datetime | None
    due_reason: str
    tracking: bool  # dosed and not discharged: the next set is watched
    gate: str  # "open", "closed", "dosed", "discharged"
    gate_text: str
    # The expected peak of the latest dose (dosing.effect_window), if its route has one.
    peak_at: dt.datetime | None = None

    @property
    def peak_at_iso(self) -> str:
        return self.peak_at.isoformat(timespec="seconds") if self.peak_at else ""

    @property
    def minutes_to_peak(self) -> int | None:
        """Whole minutes until the expected peak (negative once past), as the JS counts."""
        if self.peak_at is None:
            return None
        seconds = (self.peak_at - self.now).total_seconds()
        whole = int(abs(seconds) // 60)
        return whole if seconds >= 0 else -whole

    @property
    def peak_text(self) -> str:
        minutes = self.minutes_to_peak
        return "" if minutes is None else peak_words(minutes)

    @property
    def now_iso(self) -> str:
        return self.now.isoformat(timespec="seconds")

    @property
    def dose_at_iso(self) -> str:
        return self.dose_at.isoformat(timespec="seconds") if self.dose_at else ""

    @property
    def due_iso(self) -> str:
        """The time the JavaScript watches (only while the next set is watched)."""
        if not self.tracking or self.next_due is None:
            return ""
        return self.next_due.isoformat(timespec="seconds")

    @property
    def minutes_since_dose(self) -> int | None:
        if self.dose_at is None:
            return None
        return max(0, int((self.now - self.dose_at).total_seconds() // 60))

    @property
    def overdue_minutes(self) -> int:
        """Minutes the next set is late (0 when not late, or not watched)."""
        if not self.tracking or self.next_due is None or self.now <= self.next_due:
            return 0
        return int((self.now - self.next_due).total_seconds() // 60)

    @property
    def overdue(self) -> bool:
        """At least a whole minute late (as the JavaScript counts it)."""
        return self.overdue_minutes >= 1


def console_bar(
    *,
    now: dt.datetime,
    dose_at: dt.datetime | None,
    suggestion: Suggestion,
    discharged: bool,
    cleared: bool,
    gate_failed: int,
    clearance_reasons: int,
    peak_at: dt.datetime | None = None,
) -> Bar:
    """The bar: `gate_failed` readiness checks failing and `clearance_reasons` reasons
    the dose is not cleared (counts), as of `now`."""
    tracking = dose_at is not None and not discharged
    if discharged:
        gate, text = "discharged", "Discharged"
    elif dose_at is not None:
        gate, text = "dosed", "Dose given"
    elif gate_failed or not cleared:
        blocking = gate_failed + clearance_reasons
        gate = "closed"
        text = f"Closed: {blocking} item{'s' if blocking != 1 else ''} to resolve"
    else:
        gate, text = "open", "Open: cleared to dose"
    return Bar(
        now=now,
        dose_at=dose_at,
        next_due=suggestion.at,
        due_reason=suggestion.reason,
        tracking=tracking,
        gate=gate,
        gate_text=text,
        peak_at=peak_at if tracking else None,
    )

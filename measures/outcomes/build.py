"""Who is in the practice outcomes report, and with which scores: pure functions over
the plain rows `measures.outcomes.queries` reads and the per-course scores
`measures.outcomes.aggregate` works out in the database (no database here).

One row per treatment course × instrument, so a client with two courses contributes a
row for each, with its own baseline and latest score.

- **A course's dates.** A course runs from its creation to the creation of the same
  client's next course; the latest course runs on to today. The first course also
  takes the client's scores from before it was created (an intake score is often
  answered before the course is written up). So every score belongs to exactly one
  course and none is counted twice; follow-up scores after a course ends (the monthly
  follow-up) stay with it until a new course begins; when two courses overlap, a score
  belongs to the one created most recently before it.
- **Baseline**: the course's last score of the instrument answered before the course's
  first dose (the earliest administration of kind "dose" in its dosing records). A
  score after the first dose is never a baseline. A course with no dose yet has no
  baseline, and is listed as not included for that reason.
- **Latest**: the course's last score of the instrument after the first dose answered
  within the date range (the practice's local dates). Scores after the range are
  ignored.
- **Response and remission denominator.** As in CMS159 / NQF 0710 (Depression
  Remission at Twelve Months), response and remission are counted only over rows whose
  PHQ-9 baseline is above 9, i.e. at least OUTCOMES_PHQ9_DENOMINATOR_MIN (default 10).
  A row with a lower baseline still counts in the mean change, and says "not in the
  response/remission denominator: baseline ≤ 9".
- **Reliable and clinically meaningful change**, per instrument, by the thresholds in
  its definition's ``change_rules``, each with its published source there: reliable
  change PCL-5 10 points (VA National Center for PTSD); MCID PHQ-9 5 points (Löwe
  2004), GAD-7 4 points (Toussaint 2020), PCL-5 10 points (National Center for PTSD).
  PHQ-9 and GAD-7 have no reliable-change rule in their definitions, and the report
  says it is not defined for them.

The figures describe the practice's clients; they are not a diagnosis and not a
comparison of treatments.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from measures.models import Instrument
from measures.outcomes import stats
from measures.outcomes.aggregate import CourseScores
from measures.outcomes.queries import CourseRow, ReportData, ScorePoint
from measures.scoring import Change, change
from treatment.models import Modality

NO_COURSE = "no course"
NO_DOSE = "no dose given in this course yet, so no baseline"
NO_SCORES = "no score of this instrument in this course"
NO_BASELINE = "no baseline: no score before the first dose"
NO_FOLLOW_UP = "no score after the first dose"
OUTSIDE_RANGE = "outside the date range"


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def rule_labels(definition: Mapping[str, Any]) -> dict[str, str]:
    rules = definition.get("change_rules") or {}
    return {key: str(rule["label"]) for key, rule in rules.items()}


# --- Course dates ---------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A course's dates: [starts, ends); None is open-ended on that side."""

    course: CourseRow
    number: int  # 1 for the client's first course, 2 for the next, ...
    starts: dt.datetime | None
    ends: dt.datetime | None

    def holds(self, at: dt.datetime) -> bool:
        after_start = self.starts is None or at >= self.starts
        return after_start and (self.ends is None or at < self.ends)


def course_periods(*, courses: Sequence[CourseRow]) -> dict[int, list[Period]]:
    """Each client's courses, oldest first, with their dates (see the module doc)."""
    by_client: dict[int, list[CourseRow]] = defaultdict(list)
    for course in sorted(courses, key=lambda c: (c.client_id, c.created_at, c.id)):
        by_client[course.client_id].append(course)
    periods: dict[int, list[Period]] = {}
    for client_id, theirs in by_client.items():
        periods[client_id] = [
            Period(
                course=course,
                number=index + 1,
                starts=None if index == 0 else course.created_at,
                ends=theirs[index + 1].created_at if index + 1 < len(theirs) else None,
            )
            for index, course in enumerate(theirs)
        ]
    return periods


# --- Rows -----------------------------------------------------------------------


@dataclass
class Included:
    client_id: int
    course_id: int
    course_number: int
    modality: str
    instrument: Instrument
    baseline: ScorePoint
    latest: ScorePoint
    first_dose_at: dt.datetime
    judged: Change
    # None: the instrument has no response or remission rule, so no denominator.
    in_denominator: bool | None = None
    denominator_note: str = ""

    @property
    def days_between(self) -> int:
        return (local_day(self.latest.answered_at) - local_day(self.baseline.answered_at)).days

    @property
    def modality_label(self) -> str:
        return Modality(self.modality).label


@dataclass
class Excluded:
    client_id: int
    course_id: int | None
    course_number: int | None  # the client's 1st, 2nd, ... course; None: no course
    instrument: str  # short name, or "" for every instrument
    reason: str


@dataclass
class Group:
    modality: str
    modality_label: str
    instrument: Instrument
    members: list[Included] = field(default_factory=list)
    stats: stats.GroupStats | None = None
    denominator_rule: str = ""  # "baseline PHQ-9 > 9"; "" when every row counts
    below_note: str = ""

    @property
    def label(self) -> str:
        return f"{self.modality_label} · {self.instrument.short_name}"

    @property
    def rules(self) -> dict[str, str]:
        return rule_labels(self.instrument.definition)


@dataclass(frozen=True)
class RuleInfo:
    label: str
    points: int | float
    source: str


@dataclass
class InstrumentChange:
    instrument: Instrument
    rates: stats.ChangeRates
    reliable: RuleInfo | None
    meaningful: RuleInfo | None


@dataclass
class Outcomes:
    start: dt.date
    end: dt.date
    groups: list[Group]
    included: list[Included]
    excluded: list[Excluded]
    changes: list[InstrumentChange] = field(default_factory=list)


def _rule_info(definition: Mapping[str, Any], name: str) -> RuleInfo | None:
    rule = (definition.get("change_rules") or {}).get(name)
    if not rule:
        return None
    return RuleInfo(str(rule["label"]), rule["min_points_reduction"], str(rule["source"]))


def _has_rate_rules(definition: Mapping[str, Any]) -> bool:
    rules = definition.get("change_rules") or {}
    return "response" in rules or "remission" in rules


def range_instants(*, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start_at, end_at): the instants whose practice-local date is within the range."""
    zone = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start_at, end_at


def _course_rows(
    *,
    period: Period,
    found: Mapping[tuple[int, int], CourseScores],
    instruments: Sequence[Instrument],
    judged: dict[tuple[int, int, int], Change],
) -> tuple[list[Included], list[Excluded]]:
    course = period.course
    dosed = course.first_dose_at
    if dosed is None:
        return [], [Excluded(course.client_id, course.id, period.number, "", NO_DOSE)]
    included: list[Included] = []
    excluded: list[Excluded] = []
    for instrument in instruments:
        theirs = found.get((course.id, instrument.pk))
        reason = ""
        if theirs is None:
            reason = NO_SCORES
        elif theirs.baseline is None:
            reason = NO_BASELINE
        elif not theirs.after:
            reason = NO_FOLLOW_UP
        elif theirs.latest is None:
            reason = OUTSIDE_RANGE
        if theirs is None or theirs.baseline is None or theirs.latest is None:
            excluded.append(
                Excluded(course.client_id, course.id, period.number, instrument.short_name, reason)
            )
            continue
        baseline, latest = theirs.baseline, theirs.latest
        # Few distinct (instrument, baseline, latest) among thousands of rows: judge each once.
        key = (instrument.pk, baseline.total, latest.total)
        if key not in judged:
            judged[key] = change(instrument.definition, baseline.total, latest.total)
        included.append(
            Included(
                client_id=course.client_id,
                course_id=course.id,
                course_number=period.number,
                modality=course.modality,
                instrument=instrument,
                baseline=baseline,
                latest=latest,
                first_dose_at=dosed,
                judged=judged[key],
            )
        )
    return included, excluded


def below(minimum: int | None) -> int | None:
    """The highest baseline left out of the denominator (9 for a minimum of 10)."""
    return None if minimum is None else minimum - 1


def _mark_denominator(*, item: Included, minimum: int | None) -> None:
    if not _has_rate_rules(item.instrument.definition):
        return
    item.in_denominator = minimum is None or item.baseline.total >= minimum
    if not item.in_denominator:
        item.denominator_note = (
            f"not in the response/remission denominator: baseline ≤ {below(minimum)}"
        )


def _groups(
    *,
    included: Sequence[Included],
    instruments: Sequence[Instrument],
    denominator_min: Mapping[str, int],
) -> list[Group]:
    groups: list[Group] = []
    for modality in Modality:
        for instrument in instruments:
            members = [
                i for i in included if i.modality == modality and i.instrument.pk == instrument.pk
            ]
            if not members:
                continue
            minimum = denominator_min.get(instrument.code)
            group = Group(modality.value, modality.label, instrument, members)
            group.stats = stats.summarise(
                instrument.definition,
                [(m.baseline.total, m.latest.total) for m in members],
                baseline_at_least=minimum,
            )
            # A minimum of 0 leaves every baseline in: no denominator to state.
            if minimum and _has_rate_rules(instrument.definition):
                group.denominator_rule = f"baseline {instrument.short_name} > {below(minimum)}"
                group.below_note = f"baseline ≤ {below(minimum)}"
            groups.append(group)
    return groups


def _changes(
    *, included: Sequence[Included], instruments: Sequence[Instrument]
) -> list[InstrumentChange]:
    found: list[InstrumentChange] = []
    for instrument in instruments:
        pairs = [
            (i.baseline.total, i.latest.total)
            for i in included
            if i.instrument.pk == instrument.pk
        ]
        if not pairs:
            continue
        definition = instrument.definition
        found.append(
            InstrumentChange(
                instrument=instrument,
                rates=stats.change_rates(definition=definition, pairs=pairs),
                reliable=_rule_info(definition, "reliable"),
                meaningful=_rule_info(definition, "meaningful"),
            )
        )
    return found


def build_outcomes(
    *,
    data: ReportData,
    found: Mapping[tuple[int, int], CourseScores],
    start: dt.date,
    end: dt.date,
    denominator_min: Mapping[str, int],
) -> Outcomes:
    """Every course (and every client with scores but no course), sorted into included
    and not included, with the groups' figures and the per-instrument change rates.
    ``found`` is `measures.outcomes.aggregate.course_scores` for the same range.
    ``denominator_min`` maps an instrument code to the lowest baseline counted in its
    response and remission rates (PHQ-9: OUTCOMES_PHQ9_DENOMINATOR_MIN)."""
    periods = course_periods(courses=data.courses)
    included: list[Included] = []
    excluded: list[Excluded] = []
    judged: dict[tuple[int, int, int], Change] = {}
    for client_id in sorted(set(data.without_course) | set(periods)):
        theirs = periods.get(client_id)
        if not theirs:
            excluded.append(Excluded(client_id, None, None, "", NO_COURSE))
            continue
        for period in theirs:
            rows, left_out = _course_rows(
                period=period, found=found, instruments=data.instruments, judged=judged
            )
            included.extend(rows)
            excluded.extend(left_out)
    for item in included:
        _mark_denominator(item=item, minimum=denominator_min.get(item.instrument.code))

    groups = _groups(
        included=included, instruments=data.instruments, denominator_min=denominator_min
    )
    changes = _changes(included=included, instruments=data.instruments)
    return Outcomes(start, end, groups, included, excluded, changes)

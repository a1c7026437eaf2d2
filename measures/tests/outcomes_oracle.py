"""The practice outcomes report as it was worked out before issue 14: every score read
into Python and sorted into courses there. Kept only as the oracle that
test_outcomes_aggregate.py compares the database computation with."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

from measures.models import Instrument, Response
from measures.outcomes.build import (
    NO_BASELINE,
    NO_COURSE,
    NO_DOSE,
    NO_FOLLOW_UP,
    NO_SCORES,
    OUTSIDE_RANGE,
    Excluded,
    Included,
    Outcomes,
    Period,
    _changes,
    _groups,
    _mark_denominator,
    course_periods,
    local_day,
)
from measures.outcomes.queries import ScorePoint, courses, instruments
from measures.scoring import change


def scores() -> list[ScorePoint]:
    rows = Response.objects.order_by("answered_at", "id").values_list(
        "id", "client_id", "instrument_id", "total", "answered_at"
    )
    return [ScorePoint(*row) for row in rows]


def split_by_course(
    *, periods: Sequence[Period], scores: Sequence[ScorePoint]
) -> dict[int, list[ScorePoint]]:
    split: dict[int, list[ScorePoint]] = {p.course.id: [] for p in periods}
    for score in scores:
        for period in periods:
            if period.holds(score.answered_at):
                split[period.course.id].append(score)
                break
    return split


def _course_rows(
    *,
    period: Period,
    scores: Sequence[ScorePoint],
    instruments: Sequence[Instrument],
    start: dt.date,
    end: dt.date,
) -> tuple[list[Included], list[Excluded]]:
    course = period.course
    dosed = course.first_dose_at
    if dosed is None:
        return [], [Excluded(course.client_id, course.id, period.number, "", NO_DOSE)]
    included: list[Included] = []
    excluded: list[Excluded] = []
    for instrument in instruments:
        theirs = [s for s in scores if s.instrument_id == instrument.pk]
        before = [s for s in theirs if s.answered_at < dosed]
        after = [s for s in theirs if s.answered_at >= dosed]
        in_range = [s for s in after if start <= local_day(s.answered_at) <= end]
        reason = ""
        if not theirs:
            reason = NO_SCORES
        elif not before:
            reason = NO_BASELINE
        elif not after:
            reason = NO_FOLLOW_UP
        elif not in_range:
            reason = OUTSIDE_RANGE
        if reason:
            excluded.append(
                Excluded(course.client_id, course.id, period.number, instrument.short_name, reason)
            )
            continue
        baseline, latest = before[-1], in_range[-1]
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
                judged=change(instrument.definition, baseline.total, latest.total),
            )
        )
    return included, excluded


def old_outcomes(*, start: dt.date, end: dt.date, denominator_min: Mapping[str, int]) -> Outcomes:
    loaded = instruments()
    periods = course_periods(courses=courses())
    by_client: dict[int, list[ScorePoint]] = defaultdict(list)
    for score in scores():
        by_client[score.client_id].append(score)
    included: list[Included] = []
    excluded: list[Excluded] = []
    for client_id in sorted(set(by_client) | set(periods)):
        theirs = periods.get(client_id)
        if not theirs:
            excluded.append(Excluded(client_id, None, None, "", NO_COURSE))
            continue
        split = split_by_course(periods=theirs, scores=by_client[client_id])
        for period in theirs:
            rows, left_out = _course_rows(
                period=period,
                scores=split[period.course.id],
                instruments=loaded,
                start=start,
                end=end,
            )
            included.extend(rows)
            excluded.extend(left_out)
    for item in included:
        _mark_denominator(item=item, minimum=denominator_min.get(item.instrument.code))
    groups = _groups(included=included, instruments=loaded, denominator_min=denominator_min)
    changes = _changes(included=included, instruments=loaded)
    return Outcomes(start, end, groups, included, excluded, changes)

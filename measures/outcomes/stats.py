"""Descriptive statistics for the practice outcomes report: pure functions, no database.

For a group of clients (one modality, one instrument), each with a baseline and a
latest total, `summarise` gives:

- n, and the baseline and latest means with their sample SDs (n − 1 denominator);
- the paired mean change (latest − baseline; negative is a fall in the score) with its
  95% confidence interval from the t distribution with n − 1 degrees of freedom
  (None when n < 2; `measures.outcomes.student_t`, without SciPy);
- the effect size as Cohen's d_z: the mean change divided by the SD of the changes
  (the paired, within-person effect size; None when n < 2 or that SD is 0). It is
  not comparable with a between-groups d, and the report says so;
- the response and remission rates, each pair judged by the instrument's own published
  rule through `measures.scoring.change` (None when the instrument has no such rule),
  counted only over the pairs whose baseline is at least ``baseline_at_least`` when it
  is given (CMS159 / NQF 0710, Depression Remission at Twelve Months, counts only
  baselines above 9 on the PHQ-9; the threshold is the OUTCOMES_PHQ9_DENOMINATOR_MIN
  setting, passed in by the report).

`change_rates` gives, for one instrument, the share of pairs that improved or
deteriorated reliably and that improved by the minimal clinically important difference,
each by the threshold in the instrument's definition (``change_rules``, which names its
published source: PCL-5 reliable change 10 points, National Center for PTSD; MCID PHQ-9
5 points, Löwe 2004; GAD-7 4 points, Toussaint 2020; PCL-5 10 points). None when the
definition has no such rule (PHQ-9 and GAD-7 have no reliable-change rule there).

The figures describe a practice's clients; they are not a trial result, a comparison
between treatments, or a diagnosis for anyone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from measures.outcomes import student_t
from measures.scoring import change

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Rate:
    count: int
    n: int

    @property
    def percent(self) -> float:
        return round(100 * self.count / self.n, 1) if self.n else 0.0


@dataclass(frozen=True)
class GroupStats:
    n: int
    baseline_mean: float | None
    baseline_sd: float | None
    latest_mean: float | None
    latest_sd: float | None
    mean_change: float | None
    change_sd: float | None
    ci_low: float | None
    ci_high: float | None
    d_z: float | None
    response: Rate | None
    remission: Rate | None
    # How many pairs the response and remission rates are counted over, and how
    # many were left out of them for a baseline below ``baseline_at_least``.
    denominator: int = 0
    below_denominator: int = 0


@dataclass(frozen=True)
class ChangeRates:
    n: int
    reliable_improved: Rate | None
    reliable_deteriorated: Rate | None
    meaningful_improved: Rate | None


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def sd(values: Sequence[float]) -> float | None:
    """The sample standard deviation (n − 1 denominator); None for fewer than 2 values."""
    if len(values) < 2:
        return None
    centre = sum(values) / len(values)
    return math.sqrt(sum((v - centre) ** 2 for v in values) / (len(values) - 1))


def mean_ci(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """The t-based confidence interval of the mean (n − 1 df); None for n < 2."""
    n = len(values)
    spread = sd(values)
    centre = mean(values)
    if n < 2 or spread is None or centre is None:
        return None
    t = student_t.ppf((1 + confidence) / 2, n - 1)
    half = t * spread / math.sqrt(n)
    return centre - half, centre + half


def cohens_dz(changes: Sequence[float]) -> float | None:
    """Mean change / SD of the changes; None when n < 2 or the SD is 0."""
    spread = sd(changes)
    centre = mean(changes)
    if spread is None or centre is None or spread == 0:
        return None
    return centre / spread


def _rate(
    definition: Mapping[str, Any],
    pairs: Sequence[tuple[int, int]],
    rule: str,
    attribute: str | None = None,
) -> Rate | None:
    if rule not in (definition.get("change_rules") or {}):
        return None
    # Totals are small whole numbers, so thousands of pairs hold few distinct ones:
    # each distinct pair is judged once (issue 14: 10,000 clients).
    counts = Counter(pairs)
    count = sum(
        times
        for (b, latest), times in counts.items()
        if getattr(change(definition, b, latest), attribute or rule)
    )
    return Rate(count=count, n=len(pairs))


def summarise(
    definition: Mapping[str, Any],
    pairs: Sequence[tuple[int, int]],
    *,
    baseline_at_least: int | None = None,
) -> GroupStats:
    """The group's figures from (baseline_total, latest_total) pairs. Every pair counts
    in the means and the change; response and remission count only the pairs whose
    baseline is at least ``baseline_at_least`` (all of them when it is None)."""
    counted = [p for p in pairs if baseline_at_least is None or p[0] >= baseline_at_least]
    baselines = [float(b) for b, _ in pairs]
    latests = [float(latest) for _, latest in pairs]
    changes = [latest - b for b, latest in zip(baselines, latests, strict=True)]
    ci = mean_ci(changes)
    return GroupStats(
        n=len(pairs),
        baseline_mean=mean(baselines),
        baseline_sd=sd(baselines),
        latest_mean=mean(latests),
        latest_sd=sd(latests),
        mean_change=mean(changes),
        change_sd=sd(changes),
        ci_low=ci[0] if ci else None,
        ci_high=ci[1] if ci else None,
        d_z=cohens_dz(changes),
        response=_rate(definition, counted, "response"),
        remission=_rate(definition, counted, "remission"),
        denominator=len(counted),
        below_denominator=len(pairs) - len(counted),
    )


def change_rates(
    *, definition: Mapping[str, Any], pairs: Sequence[tuple[int, int]]
) -> ChangeRates:
    """Reliable improvement and deterioration, and MCID improvement, over every pair,
    by the thresholds in the instrument's definition (None where it has no rule)."""
    return ChangeRates(
        n=len(pairs),
        reliable_improved=_rate(definition, pairs, "reliable"),
        reliable_deteriorated=_rate(definition, pairs, "reliable", "reliable_deterioration"),
        meaningful_improved=_rate(definition, pairs, "meaningful"),
    )

"""The one scoring module for outcome instruments: pure functions over a validated
definition (``measures.registry``), no database.

Every number used here (answer values, bands, clusters, the PCL-5 cut-point, the
change thresholds) comes from the instrument's JSON definition, which names its
published source. Results describe scores; they never decide for the clinician, and
nothing here is a diagnosis: band labels are severity descriptors, and the PCL-5 rule
gives "provisional PTSD criteria met (not a diagnosis)".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class ScoringError(ValueError):
    """Answers that cannot be scored; the message says which item and why."""


@dataclass(frozen=True)
class Score:
    total: int
    band_key: str
    band_label: str
    # Cluster key -> sum of its items (PCL-5 B, C, D, E); empty when none are defined.
    subscores: dict[str, int] = field(default_factory=dict)
    # True/False under the instrument's provisional rule; None when it has none.
    provisional: bool | None = None
    provisional_label: str = ""
    # Numbers of the safety items answered above their threshold (PHQ-9 item 9 > 0).
    safety_flags: list[int] = field(default_factory=list)
    # Answers to unscored items (PHQ-9 difficulty question), by key; never in the total.
    unscored: dict[str, int] = field(default_factory=dict)
    cut_point: int | None = None


@dataclass(frozen=True)
class Change:
    # latest - baseline: negative is a fall in the score.
    delta: int
    # Change as a percentage of the baseline (negative is a fall); None if baseline is 0.
    percent: float | None
    # Each is None when the instrument has no such published rule.
    response: bool | None
    remission: bool | None
    meaningful: bool | None
    # Reliable improvement / deterioration: the score fell / rose by at least the
    # instrument's published reliable-change threshold (PCL-5: 10 points, National
    # Center for PTSD); None when the instrument's definition has no such rule.
    reliable: bool | None
    reliable_deterioration: bool | None = None


def _name(definition: Mapping[str, Any]) -> str:
    return str(definition.get("short_name") or definition.get("code") or "instrument")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _option_values(options: list[Mapping[str, Any]]) -> list[int]:
    return [option["value"] for option in options]


def _check_answer(name: str, what: str, value: Any, allowed: list[int]) -> int:
    if not _is_int(value):
        raise ScoringError(f"{name}: {what} must be a whole number, not {value!r}")
    if value not in allowed:
        choices = ", ".join(str(v) for v in allowed)
        raise ScoringError(f"{name}: {what} is {value}, not one of the answers {choices}")
    return int(value)


def validated_answers(definition: Mapping[str, Any], answers: Mapping[Any, Any]) -> dict[int, int]:
    """The scored answers, checked: every item present, each a valid answer value."""
    name = _name(definition)
    numbers = [item["number"] for item in definition["items"]]
    allowed = _option_values(definition["options"])
    unknown = [key for key in answers if not _is_int(key) or key not in numbers]
    if unknown:
        listed = ", ".join(repr(key) for key in unknown)
        raise ScoringError(f"{name}: no such item(s): {listed} (items are 1–{len(numbers)})")
    missing = [number for number in numbers if number not in answers]
    if missing:
        listed = ", ".join(str(number) for number in missing)
        raise ScoringError(f"{name}: item(s) {listed} not answered")
    return {
        number: _check_answer(name, f"item {number}", answers[number], allowed)
        for number in numbers
    }


def _validated_unscored(
    definition: Mapping[str, Any], unscored: Mapping[str, Any] | None
) -> dict[str, int]:
    name = _name(definition)
    items = {item["key"]: item for item in definition.get("unscored_items") or []}
    result: dict[str, int] = {}
    for key, value in (unscored or {}).items():
        if key not in items:
            raise ScoringError(f"{name}: no such unscored item {key!r}")
        allowed = _option_values(items[key]["options"])
        result[key] = _check_answer(name, f"unscored item {key!r}", value, allowed)
    return result


def bands_for(definition: Mapping[str, Any], cut_point: int | None = None) -> list[dict[str, Any]]:
    """The bands in force: the definition's, or, for an instrument with a cut-point,
    the two bands either side of ``cut_point`` (the practice's setting)."""
    if cut_point is None:
        return [dict(band) for band in definition["bands"]]
    rule = definition.get("cut_point")
    if not rule:
        raise ScoringError(f"{_name(definition)} has no cut-point to override")
    low, high = definition["total"]["min"], definition["total"]["max"]
    if not _is_int(cut_point) or not low < cut_point <= high:
        raise ScoringError(
            f"{_name(definition)}: cut-point must be a whole number from {low + 1} to {high}, "
            f"not {cut_point!r}"
        )
    below, above = rule["below"], rule["at_or_above"]
    return [
        {"key": below["key"], "label": below["label"], "min": low, "max": cut_point - 1},
        {"key": above["key"], "label": above["label"], "min": cut_point, "max": high},
    ]


def band_for(
    definition: Mapping[str, Any], total: int, cut_point: int | None = None
) -> dict[str, Any]:
    """The one band a total falls in."""
    for band in bands_for(definition, cut_point):
        if band["min"] <= total <= band["max"]:
            return band
    low, high = definition["total"]["min"], definition["total"]["max"]
    raise ScoringError(f"{_name(definition)}: total {total!r} is outside {low}–{high}")


def score(
    definition: Mapping[str, Any],
    answers: Mapping[int, int],
    *,
    unscored: Mapping[str, int] | None = None,
    cut_point: int | None = None,
) -> Score:
    """Score one complete set of answers (item number -> answer value).

    ``cut_point`` overrides the definition's default cut-point (PCL-5: settings value);
    it is an error for an instrument without one.
    """
    checked = validated_answers(definition, answers)
    extra = _validated_unscored(definition, unscored)
    total = sum(checked.values())
    band = band_for(definition, total, cut_point)

    clusters = definition.get("clusters") or []
    subscores = {
        cluster["key"]: sum(checked[number] for number in cluster["items"]) for cluster in clusters
    }

    provisional: bool | None = None
    provisional_label = ""
    rule = definition.get("provisional")
    if rule:
        level = rule["endorsed_at_or_above"]
        provisional = all(
            sum(1 for number in cluster["items"] if checked[number] >= level)
            >= cluster["min_endorsed"]
            for cluster in clusters
        )
        provisional_label = rule["label"] if provisional else rule["not_met_label"]

    safety_flags = [
        item["number"]
        for item in definition["items"]
        if item.get("safety_item") and checked[item["number"]] > item["safety_threshold"]
    ]
    in_force = cut_point
    if in_force is None and definition.get("cut_point"):
        in_force = definition["cut_point"]["default"]
    return Score(
        total=total,
        band_key=band["key"],
        band_label=band["label"],
        subscores=subscores,
        provisional=provisional,
        provisional_label=provisional_label,
        safety_flags=safety_flags,
        unscored=extra,
        cut_point=in_force,
    )


def change(definition: Mapping[str, Any], baseline_total: int, latest_total: int) -> Change:
    """Change from baseline, judged by the instrument's own published rules only.

    Improvement is a fall in the score for instruments where higher is worse.
    Thresholds are inclusive ("≥50% reduction", "≥5 points"), remission is strictly
    below its threshold ("total <5"). Response needs a baseline above 0. Reliable
    deterioration is a rise by at least the reliable-change threshold.
    """
    name = _name(definition)
    low, high = definition["total"]["min"], definition["total"]["max"]
    for what, value in (("baseline total", baseline_total), ("latest total", latest_total)):
        if not _is_int(value) or not low <= value <= high:
            raise ScoringError(
                f"{name}: {what} must be a whole number {low}–{high}, not {value!r}"
            )

    delta = latest_total - baseline_total
    improvement = -delta if definition["higher_is_worse"] else delta
    percent = round(delta * 100 / baseline_total, 1) if baseline_total else None
    rules = definition.get("change_rules") or {}

    response: bool | None = None
    if "response" in rules:
        needed = rules["response"]["min_percent_reduction"]
        # improvement / baseline >= needed / 100, in exact arithmetic.
        response = baseline_total > 0 and improvement * 100 >= needed * baseline_total

    remission: bool | None = None
    if "remission" in rules:
        remission = latest_total < rules["remission"]["total_below"]

    meaningful: bool | None = None
    if "meaningful" in rules:
        meaningful = improvement >= rules["meaningful"]["min_points_reduction"]

    reliable: bool | None = None
    reliable_deterioration: bool | None = None
    if "reliable" in rules:
        needed = rules["reliable"]["min_points_reduction"]
        reliable = improvement >= needed
        reliable_deterioration = -improvement >= needed

    return Change(
        delta=delta,
        percent=percent,
        response=response,
        remission=remission,
        meaningful=meaningful,
        reliable=reliable,
        reliable_deterioration=reliable_deterioration,
    )

"""Property tests (hypothesis) over every shipped instrument."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from measures.registry import InvalidDefinition, validate_definition
from measures.scoring import band_for, bands_for, score

from .support import DEFINITIONS, PCL5, PHQ9, copy_of

INSTRUMENTS = sorted(DEFINITIONS)


def values_of(definition: dict[str, Any]) -> list[int]:
    return [option["value"] for option in definition["options"]]


@st.composite
def answer_sets(draw: st.DrawFn, definition: dict[str, Any]) -> dict[int, int]:
    values = values_of(definition)
    return {
        item["number"]: draw(st.sampled_from(values), label=f"item {item['number']}")
        for item in definition["items"]
    }


@st.composite
def unscored_sets(draw: st.DrawFn, definition: dict[str, Any]) -> dict[str, int]:
    return {
        item["key"]: draw(st.sampled_from([o["value"] for o in item["options"]]))
        for item in definition.get("unscored_items") or []
    }


@pytest.mark.parametrize("code", INSTRUMENTS)
@given(data=st.data())
def test_total_is_the_sum_of_the_scored_items(code: str, data: st.DataObject) -> None:
    definition = DEFINITIONS[code]
    given_answers = data.draw(answer_sets(definition))
    extra = data.draw(unscored_sets(definition))
    result = score(definition, given_answers, unscored=extra)
    assert result.total == sum(given_answers.values())
    assert definition["total"]["min"] <= result.total <= definition["total"]["max"]
    band = band_for(definition, result.total)
    assert (result.band_key, result.band_label) == (band["key"], band["label"])
    if result.subscores:
        assert sum(result.subscores.values()) == result.total


@pytest.mark.parametrize("code", INSTRUMENTS)
def test_every_total_in_range_is_in_exactly_one_band(code: str) -> None:
    definition = DEFINITIONS[code]
    low, high = definition["total"]["min"], definition["total"]["max"]
    bands = bands_for(definition)
    for total in range(low, high + 1):
        matching = [band for band in bands if band["min"] <= total <= band["max"]]
        assert len(matching) == 1, (code, total, matching)
    # ...and no band reaches outside the range.
    assert min(band["min"] for band in bands) == low
    assert max(band["max"] for band in bands) == high


@given(cut_point=st.integers(min_value=1, max_value=80), total=st.integers(0, 80))
def test_any_pcl5_cut_point_gives_two_bands_without_gap_or_overlap(
    cut_point: int, total: int
) -> None:
    bands = bands_for(PCL5, cut_point)
    matching = [band for band in bands if band["min"] <= total <= band["max"]]
    assert len(matching) == 1
    expected = "at_or_above_cut_point" if total >= cut_point else "below_cut_point"
    assert band_for(PCL5, total, cut_point)["key"] == expected


@pytest.mark.parametrize("code", INSTRUMENTS)
@given(data=st.data())
def test_changing_any_one_answer_changes_the_total(code: str, data: st.DataObject) -> None:
    definition = DEFINITIONS[code]
    before = data.draw(answer_sets(definition))
    number = data.draw(st.sampled_from(sorted(before)), label="item changed")
    new_value = data.draw(
        st.sampled_from([v for v in values_of(definition) if v != before[number]])
    )
    after = before | {number: new_value}
    assert score(definition, after).total != score(definition, before).total
    assert score(definition, after).total - score(definition, before).total == (
        new_value - before[number]
    )


@given(data=st.data())
def test_phq9_safety_flag_follows_item_9_only(data: st.DataObject) -> None:
    given_answers = data.draw(answer_sets(PHQ9))
    result = score(PHQ9, given_answers)
    assert result.safety_flags == ([9] if given_answers[9] > 0 else [])


@st.composite
def contiguous_bands(draw: st.DrawFn, high: int) -> list[dict[str, Any]]:
    """A random partition of 0..high into contiguous bands."""
    cuts = sorted(draw(st.sets(st.integers(1, high), max_size=min(high, 6))))
    starts = [0, *cuts]
    ends = [cut - 1 for cut in cuts] + [high]
    return [
        {"key": f"b{i}", "label": f"Band {i}", "min": start, "max": end}
        for i, (start, end) in enumerate(zip(starts, ends, strict=True))
    ]


@given(bands=contiguous_bands(27), data=st.data())
def test_the_validator_accepts_any_partition_and_rejects_any_gap_or_overlap(
    bands: list[dict[str, Any]], data: st.DataObject
) -> None:
    definition = copy_of(PHQ9)
    definition["bands"] = bands
    validate_definition(definition)

    if len(bands) < 2:
        return
    index = data.draw(st.integers(1, len(bands) - 1), label="band shifted")
    shift = data.draw(st.sampled_from([-1, 1]), label="shift")
    broken = copy_of(definition)
    broken["bands"][index]["min"] += shift  # +1 leaves a gap, -1 makes an overlap
    if broken["bands"][index]["min"] > broken["bands"][index]["max"]:
        return  # a one-value band shifted past its end: rejected for another reason
    with pytest.raises(InvalidDefinition, match="gap" if shift == 1 else "overlap"):
        validate_definition(broken)

"""Worked examples: published cut-points and rules, computed by hand."""

from __future__ import annotations

import pytest

from measures.scoring import ScoringError, band_for, change, score

from .support import GAD7, PCL5, PHQ9, answers, answers_totalling

# --- PHQ-9 ---------------------------------------------------------------------------


def test_phq9_all_zeros_is_0_minimal() -> None:
    result = score(PHQ9, answers(PHQ9, 0))
    assert (result.total, result.band_key, result.band_label) == (0, "minimal", "Minimal")
    assert result.safety_flags == []
    assert result.subscores == {}
    assert result.provisional is None
    assert result.cut_point is None


def test_phq9_all_threes_is_27_severe() -> None:
    result = score(PHQ9, answers(PHQ9, 3))
    assert (result.total, result.band_key) == (27, "severe")


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
    ],
)
def test_phq9_band_boundaries(total: int, band: str) -> None:
    result = score(PHQ9, answers_totalling(PHQ9, total))
    assert (result.total, result.band_key) == (total, band)


@pytest.mark.parametrize("value", [1, 2, 3])
def test_phq9_item_9_above_0_is_flagged(value: int) -> None:
    assert score(PHQ9, answers(PHQ9, 0, q9=value)).safety_flags == [9]


def test_phq9_item_9_at_0_is_not_flagged_even_when_everything_else_is_high() -> None:
    assert score(PHQ9, answers(PHQ9, 3, q9=0)).safety_flags == []


def test_phq9_difficulty_question_is_recorded_but_not_scored() -> None:
    result = score(PHQ9, answers(PHQ9, 1), unscored={"difficulty": 3})
    assert result.total == 9
    assert result.unscored == {"difficulty": 3}


# --- GAD-7 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_boundaries(total: int, band: str) -> None:
    result = score(GAD7, answers_totalling(GAD7, total))
    assert (result.total, result.band_key) == (total, band)
    assert result.safety_flags == []


# --- PCL-5 ---------------------------------------------------------------------------


def test_pcl5_33_is_at_the_cut_point_and_32_below() -> None:
    at = score(PCL5, answers_totalling(PCL5, 33))
    below = score(PCL5, answers_totalling(PCL5, 32))
    assert (at.total, at.band_key) == (33, "at_or_above_cut_point")
    assert (below.total, below.band_key) == (32, "below_cut_point")
    assert at.cut_point == 33


def test_pcl5_cut_point_comes_from_the_caller() -> None:
    thirty_one = answers_totalling(PCL5, 31)
    assert score(PCL5, thirty_one).band_key == "below_cut_point"
    assert score(PCL5, thirty_one, cut_point=31).band_key == "at_or_above_cut_point"
    assert score(PCL5, thirty_one, cut_point=31).cut_point == 31
    assert band_for(PCL5, 30, cut_point=31)["key"] == "below_cut_point"


def test_a_cut_point_outside_the_range_or_on_another_instrument_is_an_error() -> None:
    with pytest.raises(ScoringError, match="cut-point must be a whole number from 1 to 80"):
        score(PCL5, answers(PCL5), cut_point=0)
    with pytest.raises(ScoringError, match="PHQ-9 has no cut-point"):
        score(PHQ9, answers(PHQ9), cut_point=10)


def test_pcl5_cluster_sums() -> None:
    # B items 1–5 = 1 each, C 6–7 = 2 each, D 8–14 = 3 each, E 15–20 = 4 each.
    given = dict.fromkeys(range(1, 6), 1)
    given |= dict.fromkeys((6, 7), 2)
    given |= dict.fromkeys(range(8, 15), 3)
    given |= dict.fromkeys(range(15, 21), 4)
    result = score(PCL5, given)
    assert result.subscores == {"B": 5, "C": 4, "D": 21, "E": 24}
    assert result.total == 54 == sum(result.subscores.values())


def minimum_provisional() -> dict[int, int]:
    """Exactly the minimum: 1 B, 1 C, 2 D and 2 E items at 2 ('Moderately'), others 1."""
    return answers(PCL5, 1, q1=2, q6=2, q8=2, q9=2, q15=2, q16=2)


def test_pcl5_provisional_met_at_exactly_the_minimum_per_cluster() -> None:
    result = score(PCL5, minimum_provisional())
    assert result.provisional is True
    assert result.provisional_label == "Provisional PTSD criteria met (not a diagnosis)"
    # Total 26: criteria can be met below the cut-point; the two are reported separately.
    assert (result.total, result.band_key) == (26, "below_cut_point")


@pytest.mark.parametrize("drop", [1, 6, 9, 16])
def test_pcl5_provisional_not_met_one_short_in_any_cluster(drop: int) -> None:
    given = minimum_provisional()
    given[drop] = 1  # "A little bit" is not endorsed
    result = score(PCL5, given)
    assert result.provisional is False
    assert result.provisional_label == "Provisional PTSD criteria not met (not a diagnosis)"


def test_pcl5_provisional_not_met_with_a_high_total_in_the_wrong_clusters() -> None:
    # Every D and E item at 4 (total 52), but no B or C item endorsed.
    given = answers(PCL5, 4, q1=1, q2=1, q3=1, q4=1, q5=1, q6=0, q7=0)
    result = score(PCL5, given)
    assert result.total == 57
    assert result.band_key == "at_or_above_cut_point"
    assert result.provisional is False


def test_pcl5_all_extremely_is_80_and_provisional() -> None:
    result = score(PCL5, answers(PCL5, 4))
    assert (result.total, result.provisional) == (80, True)


# --- Bad answers ---------------------------------------------------------------------


def test_a_missing_answer_is_an_error() -> None:
    given = answers(PHQ9)
    del given[9]
    with pytest.raises(ScoringError, match=r"PHQ-9: item\(s\) 9 not answered"):
        score(PHQ9, given)


def test_an_out_of_range_answer_is_an_error() -> None:
    with pytest.raises(ScoringError, match="item 3 is 4, not one of the answers 0, 1, 2, 3"):
        score(PHQ9, answers(PHQ9, q3=4))
    with pytest.raises(ScoringError, match="item 3 is -1"):
        score(GAD7, answers(GAD7, q3=-1))


def test_non_integer_answers_and_unknown_items_are_errors() -> None:
    with pytest.raises(ScoringError, match="must be a whole number, not True"):
        score(PHQ9, answers(PHQ9) | {1: True})
    with pytest.raises(ScoringError, match="must be a whole number, not '2'"):
        score(PHQ9, answers(PHQ9) | {1: "2"})  # type: ignore[arg-type]
    with pytest.raises(ScoringError, match=r"no such item\(s\): 10"):
        score(PHQ9, answers(PHQ9) | {10: 0})
    with pytest.raises(ScoringError, match=r"no such item\(s\): '1'"):
        score(PHQ9, {"1": 0, **answers(PHQ9)})  # type: ignore[dict-item]
    with pytest.raises(ScoringError, match="no such unscored item 'mood'"):
        score(PHQ9, answers(PHQ9), unscored={"mood": 1})
    with pytest.raises(ScoringError, match="unscored item 'difficulty' is 4"):
        score(PHQ9, answers(PHQ9), unscored={"difficulty": 4})


def test_scoring_errors_are_value_errors() -> None:
    assert issubclass(ScoringError, ValueError)


# --- Change from baseline ----------------------------------------------------------


def test_phq9_20_to_10_is_a_response() -> None:
    result = change(PHQ9, 20, 10)
    assert (result.delta, result.percent) == (-10, -50.0)
    assert result.response is True
    assert result.remission is False
    assert result.meaningful is True
    assert result.reliable is None  # PHQ-9 has no reliable-change rule here


def test_phq9_20_to_11_is_not_a_response() -> None:
    result = change(PHQ9, 20, 11)
    assert result.response is False
    assert result.percent == -45.0


def test_phq9_below_5_is_remission() -> None:
    assert change(PHQ9, 20, 4).remission is True
    assert change(PHQ9, 20, 5).remission is False


def test_phq9_mcid_is_5_points() -> None:
    assert change(PHQ9, 12, 7).meaningful is True
    assert change(PHQ9, 12, 8).meaningful is False
    assert change(PHQ9, 7, 12).meaningful is False  # worse, not better


def test_response_needs_a_baseline_above_0() -> None:
    result = change(PHQ9, 0, 0)
    assert result.percent is None
    assert result.response is False
    assert result.remission is True


def test_phq9_odd_baseline_response_is_exact() -> None:
    # 50% of 15 is 7.5: a 7-point drop is not a response, an 8-point drop is.
    assert change(PHQ9, 15, 8).response is False
    assert change(PHQ9, 15, 7).response is True


def test_gad7_has_only_the_mcid() -> None:
    result = change(GAD7, 15, 11)
    assert result.meaningful is True
    assert change(GAD7, 15, 12).meaningful is False
    assert (result.response, result.remission, result.reliable) == (None, None, None)


def test_pcl5_reliable_change_is_10_points() -> None:
    result = change(PCL5, 50, 40)
    assert (result.reliable, result.meaningful) == (True, True)
    result = change(PCL5, 50, 41)
    assert (result.reliable, result.meaningful) == (False, False)
    assert (result.response, result.remission) == (None, None)


def test_pcl5_reliable_deterioration_is_a_rise_of_10_points() -> None:
    # The same threshold as reliable improvement, the other way (National Center for PTSD).
    assert change(PCL5, 30, 40).reliable_deterioration is True
    assert change(PCL5, 30, 39).reliable_deterioration is False
    assert change(PCL5, 50, 30).reliable_deterioration is False  # better, not worse
    assert change(PCL5, 30, 40).reliable is False
    # No reliable-change rule in the PHQ-9 or GAD-7 definitions: not judged.
    assert change(PHQ9, 5, 20).reliable_deterioration is None
    assert change(GAD7, 5, 20).reliable_deterioration is None


def test_change_rejects_totals_out_of_range() -> None:
    with pytest.raises(ScoringError, match="latest total must be a whole number 0–27, not 28"):
        change(PHQ9, 20, 28)
    with pytest.raises(ScoringError, match="baseline total"):
        change(GAD7, -1, 3)

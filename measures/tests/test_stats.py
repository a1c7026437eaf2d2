"""The outcome report's statistics, against hand-worked examples."""

from __future__ import annotations

import math

import pytest
from scipy import stats as scipy_stats

from measures.outcomes import stats
from measures.tests.support import GAD7, PCL5, PHQ9


def test_it_gives_mean_sd_and_ci_of_the_paired_change() -> None:
    # Changes -5, -3, -4, -6: mean -4.5, SD sqrt(5/3) = 1.291, t(3, 0.975) = 3.182.
    pairs = [(20, 15), (18, 15), (16, 12), (14, 8)]

    result = stats.summarise(PHQ9, pairs)

    assert result.n == 4
    assert result.mean_change == pytest.approx(-4.5)
    assert result.change_sd == pytest.approx(1.2910, abs=1e-4)
    half = 3.1824 * 1.2910 / 2
    assert result.ci_low == pytest.approx(-4.5 - half, abs=1e-3)
    assert result.ci_high == pytest.approx(-4.5 + half, abs=1e-3)
    assert result.ci_low == pytest.approx(-6.554, abs=1e-3)
    assert result.ci_high == pytest.approx(-2.446, abs=1e-3)


def test_it_gives_baseline_and_latest_mean_and_sample_sd() -> None:
    result = stats.summarise(PHQ9, [(20, 15), (18, 15), (16, 12), (14, 8)])

    assert result.baseline_mean == pytest.approx(17.0)
    assert result.baseline_sd == pytest.approx(math.sqrt(20 / 3))  # 9+1+1+9 over 3
    assert result.latest_mean == pytest.approx(12.5)
    assert result.latest_sd == pytest.approx(math.sqrt(33 / 3))  # 6.25+6.25+0.25+20.25


def test_it_matches_scipy_for_the_ci() -> None:
    changes = [-7.0, -2.0, 0.0, -9.0, -4.0, 1.0]
    low, high = scipy_stats.t.interval(
        0.95, len(changes) - 1, loc=sum(changes) / 6, scale=scipy_stats.sem(changes)
    )

    assert stats.mean_ci(changes) == pytest.approx((low, high))


def test_it_gives_cohens_dz() -> None:
    result = stats.summarise(PHQ9, [(20, 15), (18, 15), (16, 12), (14, 8)])

    assert result.d_z == pytest.approx(-4.5 / 1.2910, abs=1e-3)  # -3.486


def test_it_has_no_ci_and_no_effect_size_for_one_client() -> None:
    result = stats.summarise(PHQ9, [(20, 8)])

    assert result.n == 1
    assert result.mean_change == -12
    assert result.ci_low is None
    assert result.ci_high is None
    assert result.d_z is None
    assert result.baseline_sd is None
    assert result.latest_sd is None


def test_it_has_no_effect_size_when_every_change_is_the_same() -> None:
    result = stats.summarise(PHQ9, [(20, 15), (10, 5)])

    assert result.change_sd == 0
    assert result.d_z is None
    assert result.ci_low == result.ci_high == -5


def test_it_counts_response_and_remission_by_the_instruments_rules() -> None:
    # PHQ-9: response is a drop of 50% or more; remission is a total below 5.
    pairs = [(20, 10), (20, 11), (10, 4), (6, 5)]

    result = stats.summarise(PHQ9, pairs)

    assert result.response == stats.Rate(count=2, n=4)  # 20→10 (50%), 10→4 (60%)
    assert result.response.percent == 50.0
    assert result.remission == stats.Rate(count=1, n=4)  # only 4 is below 5


def test_it_has_no_rate_when_the_instrument_has_no_such_rule() -> None:
    # GAD-7 and PCL-5 define no response or remission rule (clinical-reference.md).
    assert "response" not in GAD7["change_rules"]
    assert stats.summarise(GAD7, [(15, 5), (12, 10)]).response is None
    assert stats.summarise(GAD7, [(15, 5), (12, 10)]).remission is None
    assert stats.summarise(PCL5, [(50, 30)]).remission is None


def test_it_handles_no_pairs() -> None:
    result = stats.summarise(PHQ9, [])

    assert result.n == 0
    assert result.mean_change is None
    assert result.d_z is None
    assert result.response == stats.Rate(0, 0)
    assert result.response.percent == 0.0


def test_response_and_remission_count_only_baselines_at_or_above_the_minimum() -> None:
    # CMS159 / NQF 0710: only PHQ-9 baselines above 9. 8 → 2 counts in the change only.
    pairs = [(20, 8), (12, 4), (8, 2), (9, 9)]

    result = stats.summarise(PHQ9, pairs, baseline_at_least=10)

    assert result.n == 4
    assert result.mean_change == pytest.approx((-12 - 8 - 6 + 0) / 4)
    assert result.response == stats.Rate(count=2, n=2)
    assert result.remission == stats.Rate(count=1, n=2)  # 12 → 4
    assert (result.denominator, result.below_denominator) == (2, 2)
    unrestricted = stats.summarise(PHQ9, pairs)
    assert unrestricted.remission == stats.Rate(count=2, n=4)
    assert (unrestricted.denominator, unrestricted.below_denominator) == (4, 0)


def test_a_baseline_equal_to_the_minimum_is_in_the_denominator() -> None:
    assert stats.summarise(PHQ9, [(10, 4)], baseline_at_least=10).remission == stats.Rate(1, 1)
    assert stats.summarise(PHQ9, [(9, 4)], baseline_at_least=10).remission == stats.Rate(0, 0)


def test_change_rates_use_each_instruments_thresholds() -> None:
    # PCL-5: reliable change and MCID 10 points (National Center for PTSD).
    pairs = [(50, 40), (60, 30), (50, 41), (30, 40), (30, 39)]
    pcl5 = stats.change_rates(definition=PCL5, pairs=pairs)

    assert pcl5.n == 5
    assert pcl5.reliable_improved == stats.Rate(2, 5)  # 50 → 40, 60 → 30
    assert pcl5.reliable_deteriorated == stats.Rate(1, 5)  # 30 → 40
    assert pcl5.meaningful_improved == stats.Rate(2, 5)


def test_change_rates_mcid_for_phq9_and_gad7_and_no_reliable_rule() -> None:
    # MCID: PHQ-9 5 points (Löwe 2004); GAD-7 4 points (Toussaint 2020).
    phq9 = stats.change_rates(definition=PHQ9, pairs=[(20, 15), (20, 16), (10, 20)])
    gad7 = stats.change_rates(definition=GAD7, pairs=[(15, 11), (15, 12)])

    assert phq9.meaningful_improved == stats.Rate(1, 3)
    assert gad7.meaningful_improved == stats.Rate(1, 2)
    assert phq9.reliable_improved is None
    assert phq9.reliable_deteriorated is None
    assert gad7.reliable_improved is None

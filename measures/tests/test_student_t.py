"""Student's t quantile in pure Python (measures/outcomes/student_t.py), against SciPy,
which stays a development dependency for this comparison only."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from measures.outcomes import student_t

DEGREES = [1, 2, 3, 4, 5, 7, 10, 19, 29, 30, 50, 99, 250, 1_000, 9_999, 100_000, 1_000_000]
LEVELS = [0.5, 0.6, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9995]


@pytest.mark.parametrize("df", DEGREES)
def test_it_gives_the_quantiles_scipy_gives(df: int) -> None:
    # To 1 part in 10^8: the report prints an interval to one decimal place. (At a million
    # degrees of freedom the log-gamma differences leave about 10 correct digits.)
    for p in LEVELS:
        assert student_t.ppf(p, df) == pytest.approx(scipy_stats.t.ppf(p, df), rel=1e-8, abs=1e-12)
        assert student_t.ppf(1 - p, df) == pytest.approx(
            scipy_stats.t.ppf(1 - p, df), rel=1e-8, abs=1e-12
        )


def test_it_gives_the_textbook_values() -> None:
    # Two-sided 95%: t(1) = 12.706, t(3) = 3.182, t(10) = 2.228, t(30) = 2.042 (any table
    # of Student's t, e.g. NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.6.7.2).
    assert student_t.ppf(0.975, 1) == pytest.approx(12.706, abs=1e-3)
    assert student_t.ppf(0.975, 3) == pytest.approx(3.182, abs=1e-3)
    assert student_t.ppf(0.975, 10) == pytest.approx(2.228, abs=1e-3)
    assert student_t.ppf(0.975, 30) == pytest.approx(2.042, abs=1e-3)


@settings(max_examples=200, deadline=None)
@given(
    t=st.floats(min_value=-50, max_value=50, allow_nan=False),
    df=st.integers(min_value=1, max_value=20_000),
)
def test_it_gives_the_distribution_scipy_gives(t: float, df: int) -> None:
    assert student_t.cdf(t, df) == pytest.approx(scipy_stats.t.cdf(t, df), rel=1e-9, abs=1e-14)


def test_it_refuses_what_has_no_quantile() -> None:
    for p in (0.0, 1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            student_t.ppf(p, 5)
    with pytest.raises(ValueError, match="degrees of freedom"):
        student_t.cdf(1.0, 0)


def test_it_keeps_scipy_out_of_the_web_workers() -> None:
    """The URL configuration, as a gunicorn worker loads it, imports no scipy: about
    75 MB per worker (issue 14, a worker under 200 MB)."""
    code = (
        "import sys, django; django.setup();"
        " from django.urls import get_resolver; get_resolver().url_patterns;"
        " import measures.outcomes.views, measures.outcomes.stats;"
        " print(sorted(m for m in sys.modules if m == 'scipy' or m.startswith('scipy.')))"
    )
    found = subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert found.stdout.strip().splitlines()[-1] == "[]", found.stdout

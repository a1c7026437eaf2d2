"""The quantile of Student's t distribution, in pure Python, for the outcomes report's
confidence intervals (`measures.outcomes.stats.mean_ci`).

The report needs one number per group: t at (1 + 0.95) / 2 with n − 1 degrees of
freedom. SciPy gave it, but importing scipy.stats added about 75 MB to every web worker
that ever drew the report (issue 14: a worker under 200 MB), for one function. So:

- the distribution function from the regularised incomplete beta function,
  P(T ≤ t) = 1 − ½ I_x(ν/2, ½) with x = ν / (ν + t²) for t > 0 (Abramowitz and Stegun,
  Handbook of Mathematical Functions, 26.7.1 and 26.5.27);
- I_x(a, b) by its continued fraction, evaluated with the modified Lentz method
  (Press et al., Numerical Recipes, 3rd ed., §6.4, "incomplete beta function");
- the quantile by bisection on that function, to the last bits of a float.

measures/tests/test_student_t.py checks it against SciPy (a development dependency)
across degrees of freedom from 1 to a million.
"""

from __future__ import annotations

import math

_EPS = 1e-16
_TINY = 1e-300
_MAX_TERMS = 10_000


def _away_from_zero(value: float) -> float:
    """Lentz's guard: a term that is (almost) zero is replaced by a tiny one."""
    return value if abs(value) > _TINY else _TINY


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b) (Numerical Recipes §6.4, `betacf`)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / _away_from_zero(d)
    h = d
    for m in range(1, _MAX_TERMS + 1):
        m2 = 2 * m
        # The even step of the fraction, then the odd one.
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / _away_from_zero(d)
        c = 1.0 + aa / c
        c = _away_from_zero(c)
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / _away_from_zero(d)
        c = 1.0 + aa / c
        c = _away_from_zero(c)
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            return h
    raise ArithmeticError(f"the incomplete beta fraction did not converge: {a}, {b}, {x}")


def incomplete_beta(a: float, b: float, x: float, y: float | None = None) -> float:
    """The regularised incomplete beta function I_x(a, b), for a, b > 0 and 0 ≤ x ≤ 1.
    `y` is 1 − x when the caller knows it more exactly than 1.0 − x would give (x near 1
    loses its last digits in the subtraction)."""
    y = 1.0 - x if y is None else y
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y)
    )
    # The fraction converges fast only below (a + 1) / (a + b + 2): use the symmetry
    # I_x(a, b) = 1 − I_{1−x}(b, a) above it.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, y) / b


def cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with `df` degrees of freedom."""
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    # x = ν / (ν + t²) and 1 − x = t² / (ν + t²), each computed directly.
    square = t * t
    tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + square), square / (df + square))
    return 1.0 - tail if t > 0 else tail


def ppf(p: float, df: float) -> float:
    """The t with P(T ≤ t) = p (0 < p < 1): the quantile, by bisection on `cdf`."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be strictly between 0 and 1")
    if p < 0.5:
        return -ppf(1.0 - p, df)
    if p == 0.5:
        return 0.0
    low, high = 0.0, 1.0
    while cdf(high, df) < p:
        low, high = high, high * 2.0
    # Until the interval can no longer be halved in floating point (about 60 steps).
    while True:
        middle = (low + high) / 2.0
        if middle in (low, high):
            return high
        if cdf(middle, df) < p:
            low = middle
        else:
            high = middle

"""Difference tests used by the comparison kinds: Welch, two one-sided tests, detectable effect.

Pure functions of per-subject values (NaN ignored). Two groups are compared as ``a - b``;
with ``b = None`` the one-sample versions compare ``a`` with 0.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

__all__ = ["Difference", "difference", "min_detectable_difference", "tost_p"]


class Difference(NamedTuple):
    """Mean difference ``a - b`` with its standard error, degrees of freedom and group sizes."""

    mean: float
    se: float
    df: float
    n_a: int
    n_b: int  # 0 for a one-sample comparison


def _finite(values: ArrayLike) -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    return array[np.isfinite(array)]


def difference(a: ArrayLike, b: ArrayLike | None = None) -> Difference:
    """Welch difference of means ``a - b`` (or one-sample mean of ``a`` when ``b`` is None).

    Returns NaN for ``se`` and ``df`` when a group has fewer than 2 finite values.

    Examples
    --------
    >>> d = difference([1.0, 2.0, 3.0], [0.0, 1.0, 2.0])
    >>> round(d.mean, 3), round(d.df, 3)
    (1.0, 4.0)
    """
    x = _finite(a)
    if b is None:
        if x.size < 2:
            return Difference(float(np.mean(x)) if x.size else math.nan, math.nan, math.nan,
                              int(x.size), 0)
        return Difference(float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)),
                          float(x.size - 1), int(x.size), 0)
    y = _finite(b)
    if x.size < 2 or y.size < 2:
        mean = float(x.mean() - y.mean()) if x.size and y.size else math.nan
        return Difference(mean, math.nan, math.nan, int(x.size), int(y.size))
    va, vb = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1)) if se > 0 else math.inf
    return Difference(float(x.mean() - y.mean()), se, float(df), int(x.size), int(y.size))


def two_sided_p(d: Difference) -> float:
    """Two-sided p of ``d.mean != 0`` (Welch or one-sample t); NaN when undefined."""
    if not math.isfinite(d.se) or not d.se > 0:
        return math.nan
    return float(2.0 * stats.t.sf(abs(d.mean) / d.se, d.df))


def tost_p(d: Difference, margin: float) -> float:
    """p of the two one-sided tests (Schuirmann 1987) that ``-margin < mean < margin``.

    The larger of the two one-sided p values; equivalence is shown when it is below alpha
    (equivalently, the 1 - 2 alpha confidence interval lies inside +- margin).

    Examples
    --------
    >>> round(tost_p(Difference(0.0, 1.0, 30.0, 16, 16), 3.0), 4)
    0.0027
    """
    if not math.isfinite(d.se) or not d.se > 0:
        return math.nan
    lower = stats.t.sf((d.mean + margin) / d.se, d.df)
    upper = stats.t.cdf((d.mean - margin) / d.se, d.df)
    return float(max(lower, upper))


def min_detectable_difference(d: Difference, alpha: float, power: float = 0.8) -> float:
    """Smallest true difference a two-sided test at ``alpha`` detects with ``power``.

    ``(t_{1-alpha/2} + t_{power}) * se`` with the comparison's degrees of freedom.
    """
    if not math.isfinite(d.se) or not math.isfinite(d.df):
        return math.nan
    return float((stats.t.ppf(1 - alpha / 2, d.df) + stats.t.ppf(power, d.df)) * d.se)

"""Group statistics and time-course helpers for LTP experiments, NaN-safe throughout.

Conventions (analysis_conventions.md 4b-4c): each slice is normalised to the mean slope of its own
baseline and expressed as % of baseline; responses are averaged in time bins (1-2 min); LTP
magnitude is the mean normalised slope over a window (the last 10 min); groups are compared
with paired or unpaired (Welch) t tests and reported as mean +- SEM. NaN marks missing or
rejected measurements and is ignored everywhere; too few values give NaN, never a warning or an
exception.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from synpharm.errors import InputError

__all__ = [
    "bin_time_course",
    "describe",
    "normalise_to_baseline",
    "paired_t_test",
    "welch_t_test",
    "window_mean",
]

FloatArray = NDArray[np.float64]


def _finite(values: ArrayLike) -> FloatArray:
    array = np.asarray(values, dtype=float).ravel()
    return array[np.isfinite(array)]


def describe(values: ArrayLike) -> tuple[float, float, int]:
    """Mean, standard error of the mean and count of the finite values.

    Parameters
    ----------
    values
        Any array; NaN and infinite entries are ignored.

    Returns
    -------
    mean, sem, n
        ``sem`` uses the sample sd (``ddof=1``); NaN when ``n < 2`` (mean NaN when ``n == 0``).

    Examples
    --------
    >>> describe([1.0, 2.0, 3.0, float("nan")])
    (2.0, 0.5773502691896258, 3)
    """
    finite = _finite(values)
    n = int(finite.size)
    mean = float(finite.mean()) if n else math.nan
    sem = float(finite.std(ddof=1) / math.sqrt(n)) if n >= 2 else math.nan
    return mean, sem, n


def _t_test(test: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, float]:
    """Run a SciPy t test; its precision-loss warning for a constant group is not an error
    here (a constant group has an exact zero variance, which the t statistic handles)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Precision loss occurred", RuntimeWarning)
        result = test(*args, **kwargs)
    return float(result.statistic), float(result.pvalue)


def welch_t_test(a: ArrayLike, b: ArrayLike) -> tuple[float, float]:
    """Unpaired two-sided t test without assuming equal variances (Welch), ignoring NaN.

    Returns
    -------
    t, p
        NaN when either group has fewer than 2 finite values or both have zero variance.
    """
    x, y = _finite(a), _finite(b)
    if x.size < 2 or y.size < 2 or x.var(ddof=1) / x.size + y.var(ddof=1) / y.size == 0:
        return math.nan, math.nan
    return _t_test(stats.ttest_ind, x, y, equal_var=False)


def paired_t_test(a: ArrayLike, b: ArrayLike) -> tuple[float, float]:
    """Paired two-sided t test on the pairs where both values are finite.

    Parameters
    ----------
    a, b
        Equal-length arrays, e.g. one value per slice before and after a drug.

    Returns
    -------
    t, p
        NaN when fewer than 2 complete pairs remain or all differences are equal.
    """
    x = np.asarray(a, dtype=float).ravel()
    y = np.asarray(b, dtype=float).ravel()
    if x.shape != y.shape:
        raise InputError(
            "a, b",
            f"lengths {x.size} and {y.size} differ",
            "give one value per subject in each array",
        )
    both = np.isfinite(x) & np.isfinite(y)
    difference = x[both] - y[both]
    if difference.size < 2 or difference.var(ddof=1) == 0:
        return math.nan, math.nan
    return _t_test(stats.ttest_rel, x[both], y[both])


def _as_slices(values: ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=float)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2:
        raise InputError(
            name, f"has shape {array.shape}", "give (n_slices, n_pulses) or (n_pulses,)"
        )
    return array


def _row_nanmean(values: FloatArray, mask: NDArray[np.bool_]) -> FloatArray:
    """Mean of the finite entries of each row inside ``mask`` (columns); NaN if none."""
    inside = np.isfinite(values) & mask[None, :]
    count = inside.sum(axis=1)
    total = np.where(inside, values, 0.0).sum(axis=1)
    return np.divide(total, count, out=np.full(count.shape, np.nan), where=count > 0)


def normalise_to_baseline(slopes: ArrayLike, baseline_mask: ArrayLike) -> FloatArray:
    """Express each slice's slopes as % of the mean of its own baseline slopes.

    Parameters
    ----------
    slopes
        fEPSP slopes, shape ``(n_slices, n_pulses)`` or ``(n_pulses,)``, any unit, may hold NaN.
    baseline_mask
        Boolean, shape ``(n_pulses,)``: True for the baseline pulses.

    Returns
    -------
    numpy.ndarray
        ``100 * slopes / baseline_mean`` [% of baseline], shape ``(n_slices, n_pulses)``; rows
        whose baseline has no finite value or a zero mean are NaN.

    Examples
    --------
    >>> normalise_to_baseline([[-0.5, -0.5, -0.75]], [True, True, False]).tolist()
    [[100.0, 100.0, 150.0]]
    """
    array = _as_slices(slopes, "slopes")
    mask = np.asarray(baseline_mask, dtype=bool).ravel()
    if mask.shape != (array.shape[1],):
        raise InputError(
            "baseline_mask",
            f"has {mask.size} entries for {array.shape[1]} pulses",
            "give one boolean per pulse",
        )
    baseline = _row_nanmean(array, mask)
    usable = np.isfinite(baseline) & (baseline != 0)
    scale = np.divide(100.0, baseline, out=np.full(baseline.shape, np.nan), where=usable)
    return array * scale[:, None]


def bin_time_course(
    time: ArrayLike, values: ArrayLike, bin_width: float
) -> tuple[FloatArray, FloatArray]:
    """Average a time course in bins aligned to t = 0 (e.g. induction), ignoring NaN.

    Parameters
    ----------
    time
        Time of each pulse [s], shape ``(n_pulses,)``.
    values
        Values, shape ``(n_slices, n_pulses)`` or ``(n_pulses,)``.
    bin_width
        Bin width [s], e.g. 60 for 1-min bins; bins are ``[k w, (k+1) w)``.

    Returns
    -------
    bin_centres : numpy.ndarray
        Centre of every bin from the first to the last pulse [s], shape ``(n_bins,)``.
    binned : numpy.ndarray
        Mean per slice and bin, shape ``(n_slices, n_bins)``; NaN for bins without finite values.
    """
    t = np.asarray(time, dtype=float).ravel()
    array = _as_slices(values, "values")
    if t.shape != (array.shape[1],) or not np.isfinite(t).all():
        raise InputError(
            "time",
            f"needs {array.shape[1]} finite times, got shape {t.shape}",
            "give one time per pulse",
        )
    if not (math.isfinite(bin_width) and bin_width > 0):
        raise InputError("bin_width", f"must be > 0 s, got {bin_width}", "e.g. 60 for 1 min")
    if t.size == 0:
        return np.zeros(0), np.zeros((array.shape[0], 0))
    index = np.floor(t / bin_width).astype(np.int64)
    first = int(index.min())
    n_bins = int(index.max()) - first + 1
    membership = np.zeros((t.size, n_bins))
    membership[np.arange(t.size), index - first] = 1.0
    finite = np.isfinite(array)
    totals = np.where(finite, array, 0.0) @ membership
    counts = finite.astype(float) @ membership
    binned = np.divide(totals, counts, out=np.full(totals.shape, np.nan), where=counts > 0)
    return (first + np.arange(n_bins) + 0.5) * bin_width, binned


def window_mean(time: ArrayLike, values: ArrayLike, start: float, end: float) -> FloatArray:
    """Per-slice mean of the finite values with ``start <= time < end`` (e.g. LTP magnitude).

    Parameters
    ----------
    time
        Time of each pulse [s], shape ``(n_pulses,)``.
    values
        Values, shape ``(n_slices, n_pulses)`` or ``(n_pulses,)``.
    start, end
        Half-open window [s], e.g. ``(3600, 4200)`` for 60-70 min after induction.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_slices,)``; NaN for slices without finite values in the window.
    """
    t = np.asarray(time, dtype=float).ravel()
    array = _as_slices(values, "values")
    if t.shape != (array.shape[1],):
        raise InputError(
            "time", f"needs {array.shape[1]} times, got shape {t.shape}", "give one time per pulse"
        )
    if not start < end:
        raise InputError("start, end", f"({start}, {end}) is empty", "give start < end in s")
    return _row_nanmean(array, (t >= start) & (t < end))

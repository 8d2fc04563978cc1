"""The steadiest slope window of a block of sweeps (slope method ``"steadiest"``), vectorised.

Private machinery of :mod:`synpharm.analysis.recordings`. Slice tools fix one slope window for
a whole experiment; which window within the rising phase an experimenter takes is a choice
between a long window (less noise per sweep) and the straight part of the rise (no foot, no peak
curvature). ``"steadiest"`` makes that choice from the recording itself:

1. the rising phase is found on the averaged sweep, as ``"segment"`` does: after the fiber
   volley's notch and the 5 % level of the amplitude, before the 90 % level, where the peak's
   rounding begins (:data:`RISE`);
2. among all windows of at least :data:`MIN_SAMPLES` samples inside it, the one whose per-sweep
   regression slopes have the smallest coefficient of variation is kept.

The sweeps it is chosen on are the baseline before the induction when that is known
(:class:`~synpharm.analysis.recordings.MeasureOptions` ``place_before``), so where the response
is measured does not depend on what followed. A change of the response common to the whole
waveform (run-down, LTP) scales every window alike and moves the choice little. The window is
then used for every sweep. With fewer than :data:`MIN_SWEEPS` acceptable sweeps
the variation cannot be estimated and the ``"segment"`` window of the average is kept.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from synpharm.analysis._fepsp_core import (
    FloatArray,
    as_sweeps,
    baseline_sd_of,
    fixed_window,
    make_grid,
    prepare,
)
from synpharm.analysis._fepsp_segment import SegmentRule

#: Fractions of the amplitude bounding the rising phase searched.
RISE = (0.05, 0.9)
#: Fewest samples of a window.
MIN_SAMPLES = 3
#: Fewest acceptable sweeps for a variation estimate.
MIN_SWEEPS = 8

#: The region rule: the widest window of the rise (no straightness limit).
REGION = SegmentRule(rise=RISE, tolerance=math.inf)


def _prefix(values: FloatArray) -> FloatArray:
    zeros = np.zeros((values.shape[0], 1))
    return np.concatenate([zeros, np.cumsum(values, axis=1)], axis=1)


def falling_cv(slopes: FloatArray) -> FloatArray:
    """Per column, the sd (ddof 1) of the rows divided by minus their mean.

    ``slopes`` has one row per sweep and one column per candidate window; a column whose mean
    is not negative (not a falling fEPSP) scores ``inf``.

    Examples
    --------
    >>> falling_cv(np.array([[-1.0, 1.0], [-1.2, 1.0], [-1.1, 1.0]]))
    array([0.09090909,        inf])
    """
    mean = slopes.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mean < 0, slopes.std(axis=0, ddof=1) / -mean, np.inf)


def steadiest_window(relative: FloatArray, first: int, last: int) -> tuple[int, int, float]:
    """Start, stop (exclusive) and score of the steadiest window inside ``[first, last)``.

    Parameters
    ----------
    relative
        Baseline-subtracted, blanked sweeps [V], shape ``(n, m)``.
    first, last
        The region searched (sample indices, ``last`` exclusive).

    Returns
    -------
    tuple
        ``(start, stop, score)``, score = :func:`falling_cv` of the window's slopes;
        ``(first, last, inf)`` when the region is shorter than :data:`MIN_SAMPLES`.
    """
    y = relative[:, first:last]
    m = y.shape[1]
    best = (first, last, math.inf)
    local = np.arange(m, dtype=float)
    sum_y, sum_jy = _prefix(y), _prefix(y * local[None, :])
    for length in range(MIN_SAMPLES, m + 1):
        starts = np.arange(m - length + 1)
        sy = sum_y[:, starts + length] - sum_y[:, starts]
        sxy = sum_jy[:, starts + length] - sum_jy[:, starts] - (starts + (length - 1) / 2) * sy
        score = falling_cv(sxy / (length * (length * length - 1) / 12.0))
        pick = int(np.argmin(score))
        if score[pick] < best[2]:
            best = (first + int(starts[pick]), first + int(starts[pick]) + length, score[pick])
    return best


def acceptable(data: FloatArray, first_post: int, max_baseline_sd: float) -> np.ndarray:
    """Sweeps without NaN whose pre-stimulus sd is within ``max_baseline_sd`` [V]."""
    with np.errstate(invalid="ignore", over="ignore"):
        finite = np.isfinite(np.sum(data, axis=1))
    pre = np.where(finite[:, None], data[:, :first_post], 0.0)
    pre = pre - pre.mean(axis=1, keepdims=True)
    return finite & (baseline_sd_of(pre, first_post) <= max_baseline_sd)


def refine(
    sweeps, sampling_rate: float, stimulus_time: float, placement, common: dict
) -> tuple:
    """``placement`` (found on the average with the :data:`REGION` rule) with the steadiest
    window of the acceptable ``sweeps`` inside its window, and the window's score.

    ``common`` holds the measuring options ``blank_duration``, ``search_window``,
    ``max_baseline_sd`` and ``polarity`` (resolved). With fewer than :data:`MIN_SWEEPS`
    acceptable sweeps the placement is returned unchanged with a NaN score.
    """
    data = as_sweeps(sweeps)
    grid = make_grid(data.shape[1], sampling_rate, stimulus_time, common["blank_duration"],
                     common["search_window"])  # fmt: skip
    keep = acceptable(data, grid.first_post, common["max_baseline_sd"])
    if keep.sum() < MIN_SWEEPS:
        return placement, math.nan
    sign = -1.0 if common["polarity"] == "positive" else 1.0
    region = fixed_window(1, grid, placement.window)
    first, last = int(region[0][0]), int(region[1][0])
    prepared = prepare(sign * data[keep], grid, last, peak_smoothing=0.0)
    start, stop, score = steadiest_window(prepared.relative, first, last)
    window = (float(grid.time_after_stimulus(start)), float(grid.time_after_stimulus(stop - 1)))
    return replace(placement, window=window), float(score)

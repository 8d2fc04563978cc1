"""The widest linear segment of the rising phase (slope method ``"segment"``), vectorised.

Private machinery of :mod:`synpharm.analysis.fepsp`. Meant for the averaged sweep of a block,
as slice tools fit the slope over a linear segment of the average: among the windows that start
after the fiber volley (at the notch), end at or before the negative peak, contain the steepest
point of the rise and fall, the longest one whose least-squares line the trace follows within a
noise-based tolerance. A longer window has a smaller slope standard error,
``sd_noise / sqrt(sum((t - tbar)**2))``; the tolerance keeps it on the straight part of the rise
(no foot, no peak curvature, no population spike).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synpharm.analysis._fepsp_core import (
    FloatArray,
    Grid,
    IntArray,
    Landmarks,
    max_window,
    rise_crossings,
)
from synpharm.errors import InputError

#: Fewest samples of a segment.
MIN_SAMPLES = 3


@dataclass(frozen=True)
class SegmentRule:
    """Where the ``"segment"`` slope window may lie and how straight it must be.

    Attributes
    ----------
    rise
        ``(low, high)`` fractions of the amplitude: the segment starts after the trace last
        leaves ``low`` (and after the fiber volley's notch) and ends before it first passes
        ``high`` on the way to the peak (default 5-90 %: the initial rising phase, before the
        peak's curvature).
    tolerance
        Largest root-mean-square distance of the trace from its regression line over the
        segment, in noise sds (default 1: on the averaged sweep, the curvature of the segment
        is below the noise of one sweep).
    steepest_span
        The segment holds the middle of the steepest ``steepest_span`` [s] of the rise.
    """

    rise: tuple[float, float] = (0.05, 0.9)
    tolerance: float = 1.0
    steepest_span: float = 1e-3

    def __post_init__(self) -> None:
        low, high = self.rise
        if not 0 <= low < high <= 1:
            raise InputError(
                "segment rise", f"{self.rise} is not 0 <= low < high <= 1", "(0.05, 0.9)"
            )
        if not (self.tolerance > 0 and self.steepest_span > 0):
            raise InputError("segment tolerance", "must be > 0", "give e.g. 1.0 (noise sds)")


def segment_bounds(
    relative: FloatArray,
    shifted: FloatArray,
    marks: Landmarks,
    grid: Grid,
    noise: FloatArray,
    rule: SegmentRule,
) -> tuple[IntArray, IntArray]:
    """Start/stop of the ``"segment"`` window of each sweep (:func:`segment_window` inside
    ``rule.rise`` of the sweeps relative to their amplitude reference, ``shifted``)."""
    steep_start, steep_stop = max_window(relative, marks, grid, rule.steepest_span)
    foot, last = rise_crossings(shifted, grid, marks.peak, marks.amplitude, rule.rise)
    first = np.maximum(marks.notch, foot)
    middle = (steep_start + steep_stop) // 2
    return segment_window(relative, first, last + 1, middle, rule.tolerance * noise)


def _prefix(values: FloatArray) -> FloatArray:
    zeros = np.zeros((values.shape[0], 1))
    return np.concatenate([zeros, np.cumsum(values, axis=1)], axis=1)


def segment_window(
    relative: FloatArray,
    first: IntArray,
    last: IntArray,
    steepest: IntArray,
    tolerance: FloatArray,
) -> tuple[IntArray, IntArray]:
    """Start/stop (exclusive) of the longest linear falling segment of each row.

    Parameters
    ----------
    relative
        Baseline-subtracted, blanked sweeps [V], shape ``(n, m)``.
    first, last
        Per row, the first sample a segment may start at (the notch after the fiber volley)
        and the last it may end at (where the rise reaches the ceiling fraction of the
        amplitude); shape ``(n,)``.
    steepest
        Sample each segment must contain (the middle of the steepest part), shape ``(n,)``.
    tolerance
        Largest root-mean-square distance [V] of the row from its regression line over the
        segment, shape ``(n,)``.

    Returns
    -------
    tuple of int arrays
        ``start`` and ``stop`` per row; ``start == stop == 0`` where no segment qualifies.
        Of equally long segments the one closest to its line wins.
    """
    n = relative.shape[0]
    best_start, best_stop = np.zeros(n, dtype=np.intp), np.zeros(n, dtype=np.intp)
    if n == 0:
        return best_start, best_stop
    lo, hi = int(first.min()), int(last.max()) + 1
    if hi - lo < MIN_SAMPLES:
        return best_start, best_stop
    y = relative[:, lo:hi]
    local = np.arange(hi - lo, dtype=float)
    sum_y, sum_yy, sum_jy = _prefix(y), _prefix(y * y), _prefix(y * local[None, :])
    limit = (tolerance**2)[:, None]
    for length in range(MIN_SAMPLES, hi - lo + 1):
        starts = np.arange(hi - lo - length + 1)
        sy = sum_y[:, starts + length] - sum_y[:, starts]
        syy = sum_yy[:, starts + length] - sum_yy[:, starts]
        sxy = sum_jy[:, starts + length] - sum_jy[:, starts] - (starts + (length - 1) / 2) * sy
        sxx = length * (length * length - 1) / 12.0
        residual = np.maximum(syy - sy * sy / length - sxy * sxy / sxx, 0.0) / length
        begin = lo + starts[None, :]
        valid = (begin >= first[:, None]) & (begin + length - 1 <= last[:, None])
        valid &= (begin <= steepest[:, None]) & (begin + length > steepest[:, None])
        valid &= (sxy < 0) & (residual <= limit)
        found = valid.any(axis=1)
        pick = np.argmin(np.where(valid, residual, np.inf), axis=1)
        best_start = np.where(found, lo + pick, best_start)
        best_stop = np.where(found, lo + pick + length, best_stop)
    return best_start, best_stop

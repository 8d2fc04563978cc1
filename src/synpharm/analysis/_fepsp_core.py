"""Machinery of the fEPSP measurement (:mod:`synpharm.analysis.fepsp`), vectorised over sweeps.

Sample grid, baseline subtraction and artefact blanking, landmark detection (negative peak, rise
crossings, fiber volley), regression slopes and slope windows. Private: the public functions and
the conventions they follow are documented in :mod:`synpharm.analysis.fepsp`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import uniform_filter1d

from synpharm.errors import InputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

SLOPE_METHODS = ("rise", "window", "max", "linear", "segment", "steadiest")

#: Relative tolerance when converting a time to a sample index (0.01 s * 20e3 Hz = 199.99...).
_INDEX_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Grid:
    """Sample indices of the landmarks shared by all sweeps."""

    sampling_rate: float
    stimulus_time: float
    first_post: int  # first sample at or after the stimulus
    blank_end: int  # first sample after the blanked span
    search_start: int
    search_stop: int  # exclusive

    def time_after_stimulus(self, index: ArrayLike) -> FloatArray:
        return np.asarray(index, dtype=float) / self.sampling_rate - self.stimulus_time


@dataclass(frozen=True)
class Prepared:
    """Blanked, baseline-subtracted sweeps and per-sweep baseline statistics."""

    relative: FloatArray  # (n, m) [V] relative to baseline, artefact blanked
    smooth: FloatArray  # (n, m) boxcar-smoothed ``relative`` for landmark detection
    baseline_sd: FloatArray  # (n,) [V] raw pre-stimulus sd
    smooth_baseline_sd: FloatArray  # (n,) [V] pre-stimulus sd of ``smooth``
    finite: NDArray[np.bool_]  # (n,)


@dataclass(frozen=True)
class Landmarks:
    peak: IntArray  # index of the negative peak
    amplitude: FloatArray  # positive size of the peak [V]
    rise_low: IntArray  # last index before the peak still above the low level (-1 if none)
    rise_high: IntArray  # last index before the peak still above the high level (-1 if none)
    notch: IntArray  # end of the fiber volley / start of the fEPSP
    volley: IntArray  # index of the fiber volley negative peak
    volley_amplitude: FloatArray  # positive size of the volley [V]
    onset: IntArray  # index of the amplitude reference (-1: the pre-stimulus baseline)


# ---------------------------------------------------------------------------- validation


def as_sweeps(sweeps: ArrayLike) -> FloatArray:
    data = np.asarray(sweeps, dtype=float)
    if data.ndim == 1:
        data = data[None, :]
    if data.ndim != 2:
        raise InputError(
            "sweeps", f"has shape {data.shape}", "give (n_sweeps, n_samples) or (n_samples,)"
        )
    return data


def index_at_or_after(time: float, sampling_rate: float) -> int:
    return math.ceil(time * sampling_rate * (1 - _INDEX_TOLERANCE) - _INDEX_TOLERANCE)


def check_positive(name: str, value: float, unit: str, example: str) -> None:
    if not (math.isfinite(value) and value > 0):
        raise InputError(name, f"must be > 0 {unit}, got {value}", f"give e.g. {example}")


def check_span(name: str, span: tuple[float, float] | None, after_stimulus: float) -> None:
    if span is None:
        return
    start, end = span
    if not (0 <= start < end <= after_stimulus):
        raise InputError(
            name,
            f"({start}, {end}) s is not inside (0, {after_stimulus:g}) s after "
            "the stimulus with start < end",
            "give (start, end) in seconds after it",
        )


def make_grid(
    n_samples: int,
    sampling_rate: float,
    stimulus_time: float,
    blank_duration: float,
    search_window: tuple[float, float] | None,
) -> Grid:
    check_positive("sampling_rate", sampling_rate, "Hz", "20e3")
    duration = n_samples / sampling_rate
    first_post = index_at_or_after(stimulus_time, sampling_rate)
    if not (math.isfinite(stimulus_time) and first_post >= 2 and stimulus_time < duration):
        raise InputError(
            "stimulus_time",
            f"{stimulus_time} s leaves fewer than 2 baseline samples "
            f"or is outside the {duration:g} s sweep",
            "give the stimulus time in s from the sweep start",
        )
    if not (math.isfinite(blank_duration) and blank_duration >= 0):
        raise InputError("blank_duration", f"must be >= 0 s, got {blank_duration}", "e.g. 1e-3")
    blank_end = max(index_at_or_after(stimulus_time + blank_duration, sampling_rate), first_post)
    after = duration - stimulus_time
    if blank_end >= n_samples - 2:
        raise InputError(
            "blank_duration",
            f"{blank_duration} s reaches the end of the sweep",
            "blank about 1e-3 s",
        )
    window = search_window if search_window is not None else (blank_duration, min(0.015, after))
    check_span("search_window", window, after)
    start = max(index_at_or_after(stimulus_time + window[0], sampling_rate), blank_end)
    stop = min(index_at_or_after(stimulus_time + window[1], sampling_rate) + 1, n_samples)
    if stop - start < 3:
        raise InputError(
            "search_window", f"{window} s holds fewer than 3 samples after blanking", "widen it"
        )
    return Grid(sampling_rate, stimulus_time, first_post, blank_end, start, stop)


# ---------------------------------------------------------------------------- preprocessing


def blank_span(data: FloatArray, last_before: int, first_after: int) -> None:
    """Replace ``data[:, last_before+1:first_after]`` in place by a line between the two anchors."""
    gap = first_after - last_before
    if gap < 2:
        return
    weight = np.arange(1, gap) / gap
    left, right = data[:, last_before, None], data[:, first_after, None]
    with np.errstate(invalid="ignore"):
        data[:, last_before + 1 : first_after] = left + (right - left) * weight


def odd_width(duration: float, sampling_rate: float) -> int:
    return 2 * max(round(duration * sampling_rate / 2), 0) + 1


def analysis_stop(
    grid: Grid, n_samples: int, window: tuple[float, float] | None, peak_smoothing: float
) -> int:
    """Columns needed: the peak search (plus smoothing margin) and the fixed slope window."""
    stop = grid.search_stop + odd_width(peak_smoothing, grid.sampling_rate)
    if window is not None:
        stop = max(stop, int(fixed_window(1, grid, window)[1][0]))
    return min(stop, n_samples)


def prepare(data: FloatArray, grid: Grid, stop: int, peak_smoothing: float) -> Prepared:
    """Baseline-subtract and blank columns ``[0, stop)``; NaN-containing sweeps become zeros."""
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf in rows that are dropped
        finite = np.isfinite(np.sum(data, axis=1))
        baseline = np.mean(data[:, : grid.first_post], axis=1)
        relative = data[:, :stop] - baseline[:, None]
    if not finite.all():
        relative[~finite] = 0.0
    blank_span(relative, grid.first_post - 1, grid.blank_end)
    smooth = uniform_filter1d(
        relative, odd_width(peak_smoothing, grid.sampling_rate), axis=1, mode="nearest"
    )
    return Prepared(
        relative=relative,
        smooth=smooth,
        baseline_sd=baseline_sd_of(relative, grid.first_post),
        smooth_baseline_sd=baseline_sd_of(smooth, grid.first_post),
        finite=finite,
    )


def baseline_sd_of(relative: FloatArray, first_post: int) -> FloatArray:
    """Sd of the pre-stimulus samples of baseline-subtracted sweeps (no large temporaries)."""
    pre = relative[:, :first_post]
    mean = pre.mean(axis=1)
    mean_square = np.einsum("ij,ij->i", pre, pre) / first_post
    return np.sqrt(np.maximum(mean_square - mean * mean, 0.0))


# ---------------------------------------------------------------------------- landmarks


def rows_of(n: int) -> IntArray:
    return np.arange(n)


def last_index(mask: NDArray[np.bool_], offset: int) -> IntArray:
    """Per row, the last column where ``mask`` is true (plus ``offset``), or -1."""
    columns = np.arange(mask.shape[1]) + offset
    return np.max(np.where(mask, columns, -1), axis=1, initial=-1)


def rise_crossings(
    smooth: FloatArray,
    grid: Grid,
    peak: IntArray,
    amplitude: FloatArray,
    rise_fraction: tuple[float, float],
) -> tuple[IntArray, IntArray]:
    stop = int(peak.max()) if peak.size else grid.blank_end
    segment = smooth[:, grid.blank_end : stop]
    columns = np.arange(grid.blank_end, stop)
    before_peak = columns[None, :] < peak[:, None]
    low = last_index(
        before_peak & (segment > -rise_fraction[0] * amplitude[:, None]), grid.blank_end
    )
    high = last_index(
        before_peak & (segment > -rise_fraction[1] * amplitude[:, None]), grid.blank_end
    )
    return low, high


def find_volley(
    relative: FloatArray, grid: Grid, end: IntArray, smoothing: float
) -> tuple[IntArray, IntArray, FloatArray]:
    """Notch (largest rebound after a minimum), volley trough and its size, blanking to ``end``."""
    stop = max(int(end.max()) + 1 if end.size else 0, grid.blank_end + 1)
    width = odd_width(smoothing, grid.sampling_rate)
    pad_lo, pad_hi = max(grid.blank_end - width, 0), min(stop + width, relative.shape[1])
    fine = uniform_filter1d(relative[:, pad_lo:pad_hi], width, axis=1, mode="nearest")
    segment = fine[:, grid.blank_end - pad_lo : stop - pad_lo]
    columns = np.arange(grid.blank_end, stop)[None, :]
    inside = columns <= np.maximum(end, grid.blank_end)[:, None]
    rebound = np.where(inside, segment - np.minimum.accumulate(segment, axis=1), -np.inf)
    notch = grid.blank_end + np.argmax(rebound, axis=1)
    masked = np.where(columns <= notch[:, None], segment, np.inf)
    trough = np.argmin(masked, axis=1)
    size = -segment[rows_of(trough.size), trough]
    return notch, grid.blank_end + trough, size


def find_landmarks(
    prepared: Prepared,
    grid: Grid,
    rise_fraction: tuple[float, float],
    volley_smoothing: float,
    reference: str = "baseline",
) -> tuple[Landmarks, FloatArray]:
    """Landmarks of each sweep, and the smoothed sweeps relative to the amplitude reference.

    ``reference="baseline"`` measures the amplitude from the pre-stimulus mean;
    ``"onset"`` from the response onset (the maximum between the end of blanking and the
    negative peak), with the rise fractions taken of that amplitude.
    """
    smooth = prepared.smooth
    peak = grid.search_start + np.argmin(smooth[:, grid.search_start : grid.search_stop], axis=1)
    rows = rows_of(peak.size)
    onset = np.full(peak.size, -1, dtype=np.intp)
    shifted = smooth
    if reference == "onset":
        hi = int(peak.max()) + 1 if peak.size else grid.blank_end + 1
        columns = np.arange(grid.blank_end, hi)[None, :]
        before = np.where(columns <= peak[:, None], smooth[:, grid.blank_end : hi], -np.inf)
        onset = grid.blank_end + np.argmax(before, axis=1)
        shifted = smooth - smooth[rows, onset][:, None]
    amplitude = -shifted[rows, peak]
    low, high = rise_crossings(shifted, grid, peak, amplitude, rise_fraction)
    notch, volley, volley_amplitude = find_volley(prepared.relative, grid, low, volley_smoothing)
    marks = Landmarks(peak, amplitude, low, high, notch, volley, volley_amplitude, onset)
    return marks, shifted


def centred_mean(relative: FloatArray, index: int, width: int) -> FloatArray:
    """Per row, the mean of the ``width`` samples centred on column ``index`` (a boxcar value)."""
    lo = max(index - width // 2, 0)
    return relative[:, lo : min(index + width // 2 + 1, relative.shape[1])].mean(axis=1)


def volley_at(
    prepared: Prepared, grid: Grid, marks: Landmarks, time: float, smoothing: float
) -> Landmarks:
    """``marks`` with the fiber volley read at a fixed ``time`` [s after the stimulus]: the
    boxcar value (width ``smoothing``) of every sweep there. A cursor placed once does not move
    with the fEPSP (CNQX, baclofen), and without a volley (TTX) reads noise around zero, not the
    largest noise dip."""
    index = index_at_or_after(grid.stimulus_time + time, grid.sampling_rate)
    if not grid.blank_end <= index < prepared.relative.shape[1]:
        raise InputError(
            "volley_time",
            f"{time} s lies in the blanked span or beyond the analysed part of the sweep",
            "give the volley's negative peak in s after the stimulus, after the blanking",
        )
    size = -centred_mean(prepared.relative, index, odd_width(smoothing, grid.sampling_rate))
    n = size.shape[0]
    return replace(marks, volley=np.full(n, index, dtype=np.intp), volley_amplitude=size)


def placed_landmarks(
    prepared: Prepared, grid: Grid, average: Landmarks, volley_smoothing: float
) -> tuple[Landmarks, FloatArray]:
    """Landmarks of every sweep at the sample positions found on the averaged sweep.

    The amplitude is the boxcar value at the average's peak (relative to the baseline, or to
    the boxcar value at the average's onset), the volley the lighter boxcar value at the
    average's volley trough; rise crossings and notch are the average's.
    """
    n = prepared.smooth.shape[0]
    peak, onset, volley = (int(average.peak[0]), int(average.onset[0]), int(average.volley[0]))
    level = prepared.smooth[:, peak]
    shifted = prepared.smooth
    if onset >= 0:
        shifted = prepared.smooth - prepared.smooth[:, onset][:, None]
        level = level - prepared.smooth[:, onset]
    width = odd_width(volley_smoothing, grid.sampling_rate)
    volley_size = -centred_mean(prepared.relative, volley, width)

    def fill(values: IntArray) -> IntArray:
        return np.full(n, int(values[0]), dtype=np.intp)

    marks = Landmarks(
        fill(average.peak),
        -level,
        fill(average.rise_low),
        fill(average.rise_high),
        fill(average.notch),
        fill(average.volley),
        volley_size,
        fill(average.onset),
    )
    return marks, shifted


# ---------------------------------------------------------------------------- slopes


def regression_slope(
    relative: FloatArray, start: IntArray, stop: IntArray, sampling_rate: float
) -> FloatArray:
    """Least-squares slope [V/s] over columns ``start <= j < stop`` of each row (NaN if < 2)."""
    start = np.clip(start, 0, relative.shape[1])  # invalid windows (flagged) become empty
    stop = np.clip(stop, start, relative.shape[1])
    lo = int(start.min()) if start.size else 0
    hi = max(int(stop.max()) if stop.size else 0, lo)
    columns = np.arange(lo, hi, dtype=float)[None, :]
    inside = (columns >= start[:, None]) & (columns < stop[:, None])
    count = inside.sum(axis=1)
    centre = np.divide(
        np.where(inside, columns, 0.0).sum(axis=1),
        count,
        out=np.zeros(count.shape),
        where=count > 0,
    )
    x = np.where(inside, columns - centre[:, None], 0.0)
    sxx = np.sum(x * x, axis=1)
    sxy = np.sum(x * relative[:, lo:hi], axis=1)
    slope = np.divide(sxy, sxx, out=np.full(count.shape, np.nan), where=count >= 2)
    return slope * sampling_rate


def rise_window(marks: Landmarks) -> tuple[IntArray, IntArray]:
    """Samples strictly between the low and high crossings; widened to the brackets if < 2."""
    start, stop = marks.rise_low + 1, marks.rise_high + 1
    narrow = stop - start < 2
    return np.where(narrow, marks.rise_low, start), np.where(narrow, stop + 1, stop)


def fixed_window(n: int, grid: Grid, window: tuple[float, float]) -> tuple[IntArray, IntArray]:
    start = index_at_or_after(grid.stimulus_time + window[0], grid.sampling_rate)
    stop = (
        math.floor(
            (grid.stimulus_time + window[1]) * grid.sampling_rate * (1 + _INDEX_TOLERANCE)
            + _INDEX_TOLERANCE
        )
        + 1
    )
    return np.full(n, start, dtype=np.intp), np.full(n, stop, dtype=np.intp)


def max_window(
    relative: FloatArray, marks: Landmarks, grid: Grid, span: float
) -> tuple[IntArray, IntArray]:
    """Start/stop of the steepest negative ``span``-long segment between notch and peak."""
    k = max(round(span * grid.sampling_rate) + 1, 2)
    lo = int(marks.notch.min()) if marks.notch.size else 0
    hi = max(int(marks.peak.max()) + 1 if marks.peak.size else 0, lo + k)
    segment = relative[:, lo:hi]
    zeros = np.zeros((segment.shape[0], 1))
    local = np.arange(segment.shape[1], dtype=float)
    cumulative = np.concatenate([zeros, np.cumsum(segment, axis=1)], axis=1)
    weighted = np.concatenate([zeros, np.cumsum(segment * local[None, :], axis=1)], axis=1)
    sums = cumulative[:, k:] - cumulative[:, :-k]  # sum of y over each segment
    position = local[: sums.shape[1]]
    # sum over the segment of (i - (k-1)/2) y_(p+i), proportional to the regression slope
    slope = weighted[:, k:] - weighted[:, :-k] - (position + (k - 1) / 2) * sums
    starts = lo + np.arange(sums.shape[1])[None, :]
    valid = (starts >= marks.notch[:, None]) & (starts + k - 1 <= marks.peak[:, None])
    best = lo + np.argmin(np.where(valid, slope, np.inf), axis=1)
    has_valid = valid.any(axis=1)
    return np.where(has_valid, best, 0), np.where(has_valid, best + k, 0)


def linear_window(
    relative: FloatArray, marks: Landmarks, tolerance: float
) -> tuple[IntArray, IntArray]:
    """Start/stop of the longest window between notch and peak over which each sweep stays
    within ``tolerance`` x its amplitude of its own regression line (at least 3 samples).

    Meant for averaged sweeps (nearly noiseless): the linear part of the rising phase.
    """
    n = relative.shape[0]
    lo = int(marks.notch.min()) if n else 0
    hi = int(marks.peak.max()) + 1 if n else 0
    best_start, best_stop = np.zeros(n, dtype=np.intp), np.zeros(n, dtype=np.intp)
    limit = tolerance * marks.amplitude
    for a in range(lo, hi - 2):
        for b in range(a + 3, hi + 1):
            y = relative[:, a:b]
            x = np.arange(b - a, dtype=float) - (b - a - 1) / 2
            slope = (y @ x) / (x @ x)
            fitted = y.mean(axis=1)[:, None] + slope[:, None] * x[None, :]
            good = (np.max(np.abs(y - fitted), axis=1) <= limit) & (slope < 0)
            good &= (a >= marks.notch) & (b - 1 <= marks.peak) & (b - a > best_stop - best_start)
            best_start[good], best_stop[good] = a, b
    return best_start, best_stop


# ---------------------------------------------------------------------------- flags


def largest_reversal(segment: FloatArray, inside: NDArray[np.bool_], rising: bool) -> FloatArray:
    """Per row, inside the (contiguous) mask: the largest rise after a running minimum
    (``rising``) or the largest fall after a running maximum."""
    extreme, fill = (np.minimum, np.inf) if rising else (np.maximum, -np.inf)
    work = np.where(inside, segment, fill)
    extreme.accumulate(work, axis=1, out=work)
    if rising:
        np.subtract(segment, work, out=work)
    else:
        np.subtract(work, segment, out=work)
    np.copyto(work, 0.0, where=~inside)
    return np.max(work, axis=1, initial=0.0)


def population_spike(
    smooth: FloatArray, marks: Landmarks, grid: Grid, low_fraction: float, threshold: FloatArray
) -> NDArray[np.bool_]:
    """A positive-going notch between the low-level crossings around the peak (vectorised).

    Before the peak: the largest rise after a running minimum; after the peak, until the trace
    returns above the low level: the largest fall after a running maximum.
    """
    if not marks.peak.size:
        return np.zeros(0, dtype=bool)
    lo, hi = int(max(marks.rise_low.min(), grid.blank_end)), int(marks.peak.max()) + 1
    columns = np.arange(lo, hi)[None, :]
    before = (columns >= marks.rise_low[:, None]) & (columns <= marks.peak[:, None])
    rise = largest_reversal(smooth[:, lo:hi], before, rising=True)
    lo, hi = int(marks.peak.min()), grid.search_stop
    segment = smooth[:, lo:hi]
    columns = np.arange(lo, hi)[None, :]
    returned = (columns > marks.peak[:, None]) & (
        segment > -low_fraction * marks.amplitude[:, None]
    )
    end = np.where(returned.any(axis=1), lo + np.argmax(returned, axis=1), hi)
    after = (columns >= marks.peak[:, None]) & (columns < end[:, None])
    fall = largest_reversal(segment, after, rising=False)
    return np.maximum(rise, fall) > threshold


def flags_of(
    prepared: Prepared,
    marks: Landmarks,
    slope_ok: NDArray[np.bool_],
    spike: NDArray[np.bool_],
    max_baseline_sd: float,
    min_snr: float,
) -> NDArray[np.str_]:
    noisy = prepared.baseline_sd > max_baseline_sd
    silent = (marks.amplitude <= min_snr * prepared.baseline_sd) | (marks.amplitude <= 0)
    reasons = [
        (~prepared.finite, "nan_in_sweep"),
        (noisy, "noisy_baseline"),
        (silent, "no_response"),
        (~slope_ok, "slope_window_invalid"),
        (spike, "population_spike"),
    ]
    flag = np.full(marks.peak.shape, "", dtype="<U20")
    for condition, reason in reversed(reasons):
        flag[condition] = reason
    return flag

"""Measurement of extracellular field EPSPs (fEPSPs) on sweeps, vectorised over sweeps.

Written for real recordings (ABF/NWB) and applied unchanged to simulated sweeps
(:mod:`synpharm.model.field_potential`). Input sweeps are voltages [V] of shape
``(n_sweeps, n_samples)`` or ``(n_samples,)``; times given to the functions are seconds, either
from the sweep start (``stimulus_time``) or after the stimulus (windows). Outputs always have one
entry per sweep (length 1 for a single 1-D sweep).

Conventions (analysis_conventions.md 4a, WinLTP manual 4.5.2 and 4.11.4)
-----------------------------------------------------------------------
* Baseline: mean of the samples before the stimulus; all voltages are taken relative to it.
* Artefact blanking: samples from the stimulus up to ``blank_duration`` (1 ms) later are replaced
  by a straight line between the flanking samples.
* fEPSP: the negative peak inside ``search_window``; amplitude is baseline minus peak (positive).
* Slope: least-squares regression over all samples in the slope window, signed [V/s]
  (numerically mV/ms; negative for the usual negative-going fEPSP). Windows:
  ``"rise"`` the low%-high% (default 20-80 %) part of the rising phase of each sweep;
  ``"window"`` a fixed (start, end) window after the stimulus, the same for all sweeps;
  ``"max"`` the steepest ``max_slope_span`` (1 ms) segment between fiber volley and peak.
* Fiber volley: the negative peak between the end of blanking and the fEPSP onset, its size
  relative to the baseline.

Bad sweeps never raise: their measures are NaN and ``flag`` says why (see :class:`FepspMeasures`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import uniform_filter1d

from synpharm.errors import InputError

__all__ = [
    "SLOPE_METHODS",
    "FepspMeasures",
    "blank_stimulus_artifact",
    "detect_fiber_volley",
    "measure_fepsp",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

SLOPE_METHODS = ("rise", "window", "max")

#: Relative tolerance when converting a time to a sample index (0.01 s * 20e3 Hz = 199.99...).
_INDEX_TOLERANCE = 1e-9


@dataclass(frozen=True)
class FepspMeasures:
    """fEPSP measures, one entry per sweep.

    Attributes
    ----------
    fepsp_slope
        Initial slope [V/s] (numerically mV/ms), signed; shape ``(n,)``.
    fepsp_amplitude
        Baseline to negative peak [V], positive for a negative-going fEPSP; shape ``(n,)``.
    fiber_volley_amplitude
        Size of the negative fiber volley relative to the baseline [V]; shape ``(n,)``.
    fiber_volley_time
        Time of the volley's negative peak after the stimulus [s]; shape ``(n,)``.
    slope_window
        First and last sample time of the slope regression after the stimulus [s]; shape ``(n, 2)``.
    peak_time
        Time of the fEPSP negative peak after the stimulus [s]; shape ``(n,)``.
    flag
        ``""`` for a good sweep, else the reason its measures are NaN: ``"nan_in_sweep"``,
        ``"noisy_baseline"``, ``"no_response"``, ``"slope_window_invalid"``; or
        ``"population_spike"``, for which the slope is kept (it precedes the spike) and only
        the amplitude is NaN. Shape ``(n,)``.
    """

    fepsp_slope: FloatArray
    fepsp_amplitude: FloatArray
    fiber_volley_amplitude: FloatArray
    fiber_volley_time: FloatArray
    slope_window: FloatArray
    peak_time: FloatArray
    flag: NDArray[np.str_]

    def __len__(self) -> int:
        return int(self.fepsp_slope.shape[0])

    @property
    def ok(self) -> NDArray[np.bool_]:
        """True for sweeps without a flag."""
        return self.flag == ""


@dataclass(frozen=True)
class _Grid:
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
class _Prepared:
    """Blanked, baseline-subtracted sweeps and per-sweep baseline statistics."""

    relative: FloatArray  # (n, m) [V] relative to baseline, artefact blanked
    smooth: FloatArray  # (n, m) boxcar-smoothed ``relative`` for landmark detection
    baseline_sd: FloatArray  # (n,) [V] raw pre-stimulus sd
    smooth_baseline_sd: FloatArray  # (n,) [V] pre-stimulus sd of ``smooth``
    finite: NDArray[np.bool_]  # (n,)


@dataclass(frozen=True)
class _Landmarks:
    peak: IntArray  # index of the negative peak
    amplitude: FloatArray  # positive size of the peak [V]
    rise_low: IntArray  # last index before the peak still above the low level (-1 if none)
    rise_high: IntArray  # last index before the peak still above the high level (-1 if none)
    notch: IntArray  # end of the fiber volley / start of the fEPSP
    volley: IntArray  # index of the fiber volley negative peak
    volley_amplitude: FloatArray  # positive size of the volley [V]


# ---------------------------------------------------------------------------- validation


def _as_sweeps(sweeps: ArrayLike) -> FloatArray:
    data = np.asarray(sweeps, dtype=float)
    if data.ndim == 1:
        data = data[None, :]
    if data.ndim != 2:
        raise InputError(
            "sweeps", f"has shape {data.shape}", "give (n_sweeps, n_samples) or (n_samples,)"
        )
    return data


def _index_at_or_after(time: float, sampling_rate: float) -> int:
    return math.ceil(time * sampling_rate * (1 - _INDEX_TOLERANCE) - _INDEX_TOLERANCE)


def _check_positive(name: str, value: float, unit: str, example: str) -> None:
    if not (math.isfinite(value) and value > 0):
        raise InputError(name, f"must be > 0 {unit}, got {value}", f"give e.g. {example}")


def _check_span(name: str, span: tuple[float, float] | None, after_stimulus: float) -> None:
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


def _make_grid(
    n_samples: int,
    sampling_rate: float,
    stimulus_time: float,
    blank_duration: float,
    search_window: tuple[float, float] | None,
) -> _Grid:
    _check_positive("sampling_rate", sampling_rate, "Hz", "20e3")
    duration = n_samples / sampling_rate
    first_post = _index_at_or_after(stimulus_time, sampling_rate)
    if not (math.isfinite(stimulus_time) and first_post >= 2 and stimulus_time < duration):
        raise InputError(
            "stimulus_time",
            f"{stimulus_time} s leaves fewer than 2 baseline samples "
            f"or is outside the {duration:g} s sweep",
            "give the stimulus time in s from the sweep start",
        )
    if not (math.isfinite(blank_duration) and blank_duration >= 0):
        raise InputError("blank_duration", f"must be >= 0 s, got {blank_duration}", "e.g. 1e-3")
    blank_end = max(_index_at_or_after(stimulus_time + blank_duration, sampling_rate), first_post)
    after = duration - stimulus_time
    if blank_end >= n_samples - 2:
        raise InputError(
            "blank_duration",
            f"{blank_duration} s reaches the end of the sweep",
            "blank about 1e-3 s",
        )
    window = search_window if search_window is not None else (blank_duration, min(0.015, after))
    _check_span("search_window", window, after)
    start = max(_index_at_or_after(stimulus_time + window[0], sampling_rate), blank_end)
    stop = min(_index_at_or_after(stimulus_time + window[1], sampling_rate) + 1, n_samples)
    if stop - start < 3:
        raise InputError(
            "search_window", f"{window} s holds fewer than 3 samples after blanking", "widen it"
        )
    return _Grid(sampling_rate, stimulus_time, first_post, blank_end, start, stop)


# ---------------------------------------------------------------------------- preprocessing


def _blank(data: FloatArray, last_before: int, first_after: int) -> None:
    """Replace ``data[:, last_before+1:first_after]`` in place by a line between the two anchors."""
    gap = first_after - last_before
    if gap < 2:
        return
    weight = np.arange(1, gap) / gap
    left, right = data[:, last_before, None], data[:, first_after, None]
    with np.errstate(invalid="ignore"):
        data[:, last_before + 1 : first_after] = left + (right - left) * weight


def blank_stimulus_artifact(
    sweeps: ArrayLike, sampling_rate: float, stimulus_time: float, blank_duration: float = 1e-3
) -> FloatArray:
    """Blank the stimulus artefact by linear interpolation across the blanked span.

    Samples from the stimulus up to (not including) the first sample at or after
    ``stimulus_time + blank_duration`` are replaced by a straight line between the last sample
    before the stimulus and that first sample after the span (WinLTP manual 4.5.2; ~1 ms by
    convention, analysis_conventions.md 4a).

    Parameters
    ----------
    sweeps
        Voltages [V], shape ``(n_sweeps, n_samples)`` or ``(n_samples,)``.
    sampling_rate
        Samples per second [Hz].
    stimulus_time
        Time of the stimulus from the sweep start [s].
    blank_duration
        Length of the blanked span [s].

    Returns
    -------
    numpy.ndarray
        A blanked copy, same shape as ``sweeps``.

    Examples
    --------
    >>> import numpy as np
    >>> trace = np.zeros(100); trace[50:53] = 5.0
    >>> blank_stimulus_artifact(trace, 10e3, 0.005, 0.5e-3)[48:57].tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    """
    data = np.array(sweeps, dtype=float)
    grid = _make_grid(data.shape[-1], sampling_rate, stimulus_time, blank_duration, None)
    blanked = data.reshape(-1, data.shape[-1])
    _blank(blanked, grid.first_post - 1, grid.blank_end)
    return blanked.reshape(data.shape)


def _odd_width(duration: float, sampling_rate: float) -> int:
    return 2 * max(round(duration * sampling_rate / 2), 0) + 1


def _analysis_stop(
    grid: _Grid, n_samples: int, window: tuple[float, float] | None, peak_smoothing: float
) -> int:
    """Columns needed: the peak search (plus smoothing margin) and the fixed slope window."""
    stop = grid.search_stop + _odd_width(peak_smoothing, grid.sampling_rate)
    if window is not None:
        stop = max(stop, int(_fixed_window(1, grid, window)[1][0]))
    return min(stop, n_samples)


def _prepare(data: FloatArray, grid: _Grid, stop: int, peak_smoothing: float) -> _Prepared:
    """Baseline-subtract and blank columns ``[0, stop)``; NaN-containing sweeps become zeros."""
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf in rows that are dropped
        finite = np.isfinite(np.sum(data, axis=1))
        baseline = np.mean(data[:, : grid.first_post], axis=1)
        relative = data[:, :stop] - baseline[:, None]
    if not finite.all():
        relative[~finite] = 0.0
    _blank(relative, grid.first_post - 1, grid.blank_end)
    smooth = uniform_filter1d(
        relative, _odd_width(peak_smoothing, grid.sampling_rate), axis=1, mode="nearest"
    )
    return _Prepared(
        relative=relative,
        smooth=smooth,
        baseline_sd=_baseline_sd(relative, grid.first_post),
        smooth_baseline_sd=_baseline_sd(smooth, grid.first_post),
        finite=finite,
    )


def _baseline_sd(relative: FloatArray, first_post: int) -> FloatArray:
    """Sd of the pre-stimulus samples of baseline-subtracted sweeps (no large temporaries)."""
    pre = relative[:, :first_post]
    mean = pre.mean(axis=1)
    mean_square = np.einsum("ij,ij->i", pre, pre) / first_post
    return np.sqrt(np.maximum(mean_square - mean * mean, 0.0))


# ---------------------------------------------------------------------------- landmarks


def _rows(n: int) -> IntArray:
    return np.arange(n)


def _last_index(mask: NDArray[np.bool_], offset: int) -> IntArray:
    """Per row, the last column where ``mask`` is true (plus ``offset``), or -1."""
    columns = np.arange(mask.shape[1]) + offset
    return np.max(np.where(mask, columns, -1), axis=1, initial=-1)


def _rise_crossings(
    smooth: FloatArray,
    grid: _Grid,
    peak: IntArray,
    amplitude: FloatArray,
    rise_fraction: tuple[float, float],
) -> tuple[IntArray, IntArray]:
    stop = int(peak.max()) if peak.size else grid.blank_end
    segment = smooth[:, grid.blank_end : stop]
    columns = np.arange(grid.blank_end, stop)
    before_peak = columns[None, :] < peak[:, None]
    low = _last_index(
        before_peak & (segment > -rise_fraction[0] * amplitude[:, None]), grid.blank_end
    )
    high = _last_index(
        before_peak & (segment > -rise_fraction[1] * amplitude[:, None]), grid.blank_end
    )
    return low, high


def _volley(
    relative: FloatArray, grid: _Grid, end: IntArray, smoothing: float
) -> tuple[IntArray, IntArray, FloatArray]:
    """Notch (largest rebound after a minimum), volley trough and its size, blanking to ``end``."""
    stop = max(int(end.max()) + 1 if end.size else 0, grid.blank_end + 1)
    width = _odd_width(smoothing, grid.sampling_rate)
    pad_lo, pad_hi = max(grid.blank_end - width, 0), min(stop + width, relative.shape[1])
    fine = uniform_filter1d(relative[:, pad_lo:pad_hi], width, axis=1, mode="nearest")
    segment = fine[:, grid.blank_end - pad_lo : stop - pad_lo]
    columns = np.arange(grid.blank_end, stop)[None, :]
    inside = columns <= np.maximum(end, grid.blank_end)[:, None]
    rebound = np.where(inside, segment - np.minimum.accumulate(segment, axis=1), -np.inf)
    notch = grid.blank_end + np.argmax(rebound, axis=1)
    masked = np.where(columns <= notch[:, None], segment, np.inf)
    trough = np.argmin(masked, axis=1)
    size = -segment[_rows(trough.size), trough]
    return notch, grid.blank_end + trough, size


def _landmarks(
    prepared: _Prepared,
    grid: _Grid,
    rise_fraction: tuple[float, float],
    volley_smoothing: float,
) -> _Landmarks:
    window = prepared.smooth[:, grid.search_start : grid.search_stop]
    peak = grid.search_start + np.argmin(window, axis=1)
    amplitude = -prepared.smooth[_rows(peak.size), peak]
    low, high = _rise_crossings(prepared.smooth, grid, peak, amplitude, rise_fraction)
    notch, volley, volley_amplitude = _volley(prepared.relative, grid, low, volley_smoothing)
    return _Landmarks(peak, amplitude, low, high, notch, volley, volley_amplitude)


# ---------------------------------------------------------------------------- slopes


def _regression_slope(
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


def _rise_window(marks: _Landmarks) -> tuple[IntArray, IntArray]:
    """Samples strictly between the low and high crossings; widened to the brackets if < 2."""
    start, stop = marks.rise_low + 1, marks.rise_high + 1
    narrow = stop - start < 2
    return np.where(narrow, marks.rise_low, start), np.where(narrow, stop + 1, stop)


def _fixed_window(n: int, grid: _Grid, window: tuple[float, float]) -> tuple[IntArray, IntArray]:
    start = _index_at_or_after(grid.stimulus_time + window[0], grid.sampling_rate)
    stop = (
        math.floor(
            (grid.stimulus_time + window[1]) * grid.sampling_rate * (1 + _INDEX_TOLERANCE)
            + _INDEX_TOLERANCE
        )
        + 1
    )
    return np.full(n, start, dtype=np.intp), np.full(n, stop, dtype=np.intp)


def _max_window(
    relative: FloatArray, marks: _Landmarks, grid: _Grid, span: float
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


# ---------------------------------------------------------------------------- flags


def _largest_reversal(segment: FloatArray, inside: NDArray[np.bool_], rising: bool) -> FloatArray:
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


def _population_spike(
    smooth: FloatArray, marks: _Landmarks, grid: _Grid, low_fraction: float, threshold: FloatArray
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
    rise = _largest_reversal(smooth[:, lo:hi], before, rising=True)
    lo, hi = int(marks.peak.min()), grid.search_stop
    segment = smooth[:, lo:hi]
    columns = np.arange(lo, hi)[None, :]
    returned = (columns > marks.peak[:, None]) & (
        segment > -low_fraction * marks.amplitude[:, None]
    )
    end = np.where(returned.any(axis=1), lo + np.argmax(returned, axis=1), hi)
    after = (columns >= marks.peak[:, None]) & (columns < end[:, None])
    fall = _largest_reversal(segment, after, rising=False)
    return np.maximum(rise, fall) > threshold


def _flags(
    prepared: _Prepared,
    marks: _Landmarks,
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


# ---------------------------------------------------------------------------- public API


def _check_method(
    slope_method: str,
    rise_fraction: tuple[float, float],
    window: tuple[float, float] | None,
    max_slope_span: float,
) -> None:
    if slope_method not in SLOPE_METHODS:
        raise InputError(
            "slope_method",
            f"unknown method {slope_method!r}",
            f"use one of {', '.join(SLOPE_METHODS)}",
        )
    low, high = rise_fraction
    if not 0 < low < high < 1:
        raise InputError(
            "rise_fraction",
            f"must satisfy 0 < low < high < 1, got {rise_fraction}",
            "use e.g. (0.2, 0.8)",
        )
    if slope_method == "window" and window is None:
        raise InputError(
            "window",
            "is required for slope_method='window'",
            "give (start, end) in seconds after the stimulus, e.g. (2.5e-3, 3.8e-3)",
        )
    _check_positive("max_slope_span", max_slope_span, "s", "1e-3")


def _slope_bounds(
    method: str,
    prepared: _Prepared,
    marks: _Landmarks,
    grid: _Grid,
    window: tuple[float, float] | None,
    max_slope_span: float,
) -> tuple[IntArray, IntArray, NDArray[np.bool_]]:
    if method == "rise":
        start, stop = _rise_window(marks)
        ok = (marks.rise_low >= grid.blank_end) & (marks.rise_high > marks.rise_low)
    elif method == "window":
        assert window is not None
        start, stop = _fixed_window(marks.peak.size, grid, window)
        ok = np.ones(marks.peak.size, dtype=bool)
    else:
        start, stop = _max_window(prepared.relative, marks, grid, max_slope_span)
        ok = stop > start
    return start, stop, ok


def measure_fepsp(
    sweeps: ArrayLike,
    sampling_rate: float,
    stimulus_time: float,
    *,
    slope_method: str = "rise",
    rise_fraction: tuple[float, float] = (0.2, 0.8),
    window: tuple[float, float] | None = None,
    max_slope_span: float = 1e-3,
    blank_duration: float = 1e-3,
    search_window: tuple[float, float] | None = None,
    peak_smoothing: float = 0.5e-3,
    volley_smoothing: float = 0.1e-3,
    min_snr: float = 5.0,
    max_baseline_sd: float = 1e-4,
    population_spike_fraction: float = 0.1,
    population_spike_snr: float = 8.0,
) -> FepspMeasures:
    """Measure fEPSP slope, amplitude and fiber volley on every sweep.

    Parameters
    ----------
    sweeps
        Voltages [V], shape ``(n_sweeps, n_samples)`` or ``(n_samples,)``.
    sampling_rate
        Samples per second [Hz].
    stimulus_time
        Time of the stimulus from the sweep start [s]; at least 2 samples must precede it.
    slope_method
        ``"rise"`` (low%-high% of the peak, per sweep), ``"window"`` (fixed ``window``) or
        ``"max"`` (steepest ``max_slope_span`` segment) -- WinLTP's three methods
        (analysis_conventions.md 4a).
    rise_fraction
        ``(low, high)`` fractions of the peak for ``"rise"``, ``0 < low < high < 1``; 20-80 %.
    window
        ``(start, end)`` [s after the stimulus] of the fixed regression window (``"window"``).
    max_slope_span
        Length [s] of the sliding segment for ``"max"`` (1 ms, WinLTP MaxSlope).
    blank_duration
        Artefact blanking after the stimulus [s] (~1 ms, WinLTP manual 4.5.2).
    search_window
        ``(start, end)`` [s after the stimulus] searched for the negative peak; default from the
        end of blanking to 15 ms (the CA1 fEPSP peaks 3-8 ms after the stimulus).
    peak_smoothing
        Width [s] of the boxcar smoothing used only to locate the peak and the rise crossings
        (regressions use the unsmoothed samples).
    volley_smoothing
        Width [s] of the lighter boxcar smoothing used to locate the fast fiber volley.
    min_snr
        A sweep whose amplitude is at most ``min_snr`` times the baseline sd is ``"no_response"``.
    max_baseline_sd
        Baseline sd [V] above which a sweep is ``"noisy_baseline"`` (100 uV; typical field
        recording noise is 10-30 uV rms).
    population_spike_fraction, population_spike_snr
        A positive-going notch larger than both this fraction of the amplitude and this many
        baseline sds (of the smoothed trace) flags ``"population_spike"``.

    Returns
    -------
    FepspMeasures
        One entry per sweep; flagged sweeps carry NaN (see :class:`FepspMeasures`).

    Raises
    ------
    InputError
        Bad arguments (never bad sweeps).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(600) / 20e3 - 0.01
    >>> onset = np.clip(t - 0.002, 0, None)
    >>> trace = -1e-3 * (np.exp(-onset / 8e-3) - np.exp(-onset / 1.5e-3)) / 0.56
    >>> measures = measure_fepsp(trace, 20e3, 0.01)
    >>> bool(measures.fepsp_slope[0] < 0), measures.flag.tolist()
    (True, [''])
    """
    _check_method(slope_method, rise_fraction, window, max_slope_span)
    data = _as_sweeps(sweeps)
    grid = _make_grid(data.shape[1], sampling_rate, stimulus_time, blank_duration, search_window)
    _check_span("window", window, data.shape[1] / sampling_rate - stimulus_time)
    stop = _analysis_stop(grid, data.shape[1], window, peak_smoothing)
    prepared = _prepare(data, grid, stop, peak_smoothing)
    marks = _landmarks(prepared, grid, rise_fraction, volley_smoothing)
    start, stop, slope_ok = _slope_bounds(
        slope_method, prepared, marks, grid, window, max_slope_span
    )
    slope = _regression_slope(prepared.relative, start, stop, sampling_rate)
    threshold = np.maximum(
        population_spike_fraction * marks.amplitude,
        population_spike_snr * prepared.smooth_baseline_sd,
    )
    spike = _population_spike(prepared.smooth, marks, grid, rise_fraction[0], threshold)
    flag = _flags(prepared, marks, slope_ok & np.isfinite(slope), spike, max_baseline_sd, min_snr)
    return _assemble(flag, slope, marks, prepared, grid, start, stop)


def _assemble(
    flag: NDArray[np.str_],
    slope: FloatArray,
    marks: _Landmarks,
    prepared: _Prepared,
    grid: _Grid,
    start: IntArray,
    stop: IntArray,
) -> FepspMeasures:
    bad = (flag != "") & (flag != "population_spike")

    def masked(values: FloatArray, mask: NDArray[np.bool_]) -> FloatArray:
        return np.where(mask, np.nan, values)

    window = np.stack([grid.time_after_stimulus(start), grid.time_after_stimulus(stop - 1)], axis=1)
    return FepspMeasures(
        fepsp_slope=masked(slope, bad),
        fepsp_amplitude=masked(marks.amplitude, flag != ""),
        fiber_volley_amplitude=masked(marks.volley_amplitude, bad),
        fiber_volley_time=masked(grid.time_after_stimulus(marks.volley), bad),
        slope_window=np.where(bad[:, None], np.nan, window),
        peak_time=masked(grid.time_after_stimulus(marks.peak), bad),
        flag=flag,
    )


def detect_fiber_volley(
    sweeps: ArrayLike,
    sampling_rate: float,
    stimulus_time: float,
    *,
    blank_duration: float = 1e-3,
    search_window: tuple[float, float] | None = None,
    onset_fraction: float = 0.2,
    peak_smoothing: float = 0.5e-3,
    volley_smoothing: float = 0.1e-3,
) -> tuple[FloatArray, FloatArray]:
    """Fiber-volley amplitude and time: the negative deflection between blanking and fEPSP onset.

    The fEPSP onset is where the trace, going back from the fEPSP negative peak, last rises above
    ``onset_fraction`` of the peak; between the end of blanking and that point the volley ends at
    the largest rebound after a minimum, and its negative peak is the minimum before that rebound.
    The volley is the standard check that axon recruitment stayed constant
    (analysis_conventions.md 4a).

    Parameters
    ----------
    sweeps
        Voltages [V], shape ``(n_sweeps, n_samples)`` or ``(n_samples,)``.
    sampling_rate
        Samples per second [Hz].
    stimulus_time
        Time of the stimulus from the sweep start [s].
    blank_duration
        Artefact blanking after the stimulus [s].
    search_window
        ``(start, end)`` [s after the stimulus] searched for the fEPSP negative peak.
    onset_fraction
        Fraction of the fEPSP peak taken as its onset, ``0 < onset_fraction < 1``.
    peak_smoothing, volley_smoothing
        Boxcar widths [s] used to locate the fEPSP peak and the volley.

    Returns
    -------
    amplitude : numpy.ndarray
        Size of the negative deflection relative to the pre-stimulus baseline [V] (positive for
        a negative volley), shape ``(n,)``; NaN for sweeps containing NaN.
    time : numpy.ndarray
        Time of the volley's negative peak after the stimulus [s], shape ``(n,)``.
    """
    if not 0 < onset_fraction < 1:
        raise InputError("onset_fraction", f"must be in (0, 1), got {onset_fraction}", "e.g. 0.2")
    data = _as_sweeps(sweeps)
    grid = _make_grid(data.shape[1], sampling_rate, stimulus_time, blank_duration, search_window)
    stop = _analysis_stop(grid, data.shape[1], None, peak_smoothing)
    prepared = _prepare(data, grid, stop, peak_smoothing)
    marks = _landmarks(prepared, grid, (onset_fraction, (1 + onset_fraction) / 2), volley_smoothing)
    amplitude = marks.volley_amplitude
    time = grid.time_after_stimulus(marks.volley)
    bad = ~prepared.finite
    return np.where(bad, np.nan, amplitude), np.where(bad, np.nan, time)

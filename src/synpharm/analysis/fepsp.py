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
  ``"max"`` the steepest ``max_slope_span`` (1 ms) segment between fiber volley and peak;
  ``"linear"`` the longest window between volley and peak within 5 % of the amplitude of its
  regression line; ``"segment"`` the widest linear segment of the rise (after the volley,
  between 5 and 90 % of the amplitude, holding the steepest part, straight within the noise
  sd of one sweep: :class:`SegmentRule`), meant for the averaged sweep.
* Fiber volley: the negative peak between the end of blanking and the fEPSP onset, its size
  relative to the baseline. That search follows the fEPSP (when a drug abolishes the fEPSP the
  "onset" wanders and the noise minimum is read), so a drug experiment reads the volley at a
  fixed time instead: ``volley_time`` (a cursor from the control average or the known
  conduction delay) or a :class:`Placement`.
* Amplitude reference: the pre-stimulus baseline (``amplitude_reference="baseline"``) or the
  response onset, the maximum between the end of blanking and the peak (``"onset"``, for drifting
  in-vivo baselines, as the start/peak markings of Slutsky-lab ``fepsp_analyse``).
* Polarity: ``"negative"`` (the usual dendritic field), ``"positive"`` (a field recorded near the
  cell bodies or with inverted leads: the sweeps are inverted before measuring, the slope keeps
  the recording's sign) or ``"auto"`` (the sign of the larger deflection of the mean sweep).
* Placement: by default every sweep is measured with its own landmarks. With a
  :class:`Placement` (found on the averaged sweep by :func:`place_on_average`, or given by hand)
  every sweep is measured at the same places: slope over the same window, amplitude at the same
  peak time, volley at the same time -- as slice tools (WinLTP, Brainwash) do.

Bad sweeps never raise: their measures are NaN and ``flag`` says why (see :class:`FepspMeasures`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synpharm.analysis._fepsp_core import (
    SLOPE_METHODS,
    FloatArray,
    Grid,
    IntArray,
    Landmarks,
    Prepared,
    analysis_stop,
    as_sweeps,
    baseline_sd_of,
    check_positive,
    check_span,
    find_landmarks,
    fixed_window,
    flags_of,
    index_at_or_after,
    linear_window,
    make_grid,
    max_window,
    placed_landmarks,
    population_spike,
    prepare,
    regression_slope,
    rise_window,
    volley_at,
)
from synpharm.analysis._fepsp_segment import SegmentRule, segment_bounds
from synpharm.analysis.fepsp_events import blank_stimulus_artifact, detect_fiber_volley
from synpharm.errors import InputError

__all__ = [
    "AMPLITUDE_REFERENCES",
    "POLARITIES",
    "SLOPE_METHODS",
    "FepspMeasures",
    "Placement",
    "SegmentRule",
    "blank_stimulus_artifact",
    "detect_fiber_volley",
    "measure_fepsp",
    "place_on_average",
    "resolve_polarity",
]

AMPLITUDE_REFERENCES = ("baseline", "onset")
POLARITIES = ("negative", "positive", "auto")


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
class Placement:
    """Where every sweep is measured, in seconds after the stimulus.

    Attributes
    ----------
    window
        First and last sample time of the slope regression.
    peak
        Time at which the amplitude is read (boxcar of ``peak_smoothing``).
    volley
        Time at which the fiber volley is read (boxcar of ``volley_smoothing``).
    onset
        Time of the amplitude reference for ``amplitude_reference="onset"``; None = baseline.
    """

    window: tuple[float, float]
    peak: float
    volley: float
    onset: float | None = None


@dataclass(frozen=True)
class _Settings:
    """The measurement options of :func:`measure_fepsp`, checked."""

    slope_method: str = "rise"
    rise_fraction: tuple[float, float] = (0.2, 0.8)
    window: tuple[float, float] | None = None
    max_slope_span: float = 1e-3
    blank_duration: float = 1e-3
    search_window: tuple[float, float] | None = None
    peak_smoothing: float = 0.5e-3
    volley_smoothing: float = 0.1e-3
    min_snr: float = 5.0
    max_baseline_sd: float = 1e-4
    population_spike_fraction: float = 0.1
    population_spike_snr: float = 8.0
    amplitude_reference: str = "baseline"
    polarity: str = "negative"
    linearity: float = 0.05
    segment: SegmentRule = field(default_factory=SegmentRule)
    noise_sd: float | None = None
    volley_time: float | None = None

    def __post_init__(self) -> None:
        _check_method(self.slope_method, self.rise_fraction, self.window, self.max_slope_span)
        _check_choice("amplitude_reference", self.amplitude_reference, AMPLITUDE_REFERENCES)
        _check_choice("polarity", self.polarity, POLARITIES)


@dataclass(frozen=True)
class _Run:
    """Everything one measurement pass found (the measures and where they were taken)."""

    measures: FepspMeasures
    marks: Landmarks
    grid: Grid
    start: IntArray
    stop: IntArray


def _check_choice(field: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise InputError(field, f"unknown value {value!r}", f"use one of {', '.join(choices)}")


def _check_method(
    slope_method: str,
    rise_fraction: tuple[float, float],
    window: tuple[float, float] | None,
    max_slope_span: float,
) -> None:
    _check_choice("slope_method", slope_method, SLOPE_METHODS)
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
    check_positive("max_slope_span", max_slope_span, "s", "1e-3")


def resolve_polarity(
    sweeps: ArrayLike,
    sampling_rate: float,
    stimulus_time: float,
    blank_duration: float = 1e-3,
    search_window: tuple[float, float] | None = None,
    peak_smoothing: float = 0.5e-3,
) -> str:
    """``"negative"`` or ``"positive"``: the sign of the larger deflection of the mean sweep.

    The mean sweep is baseline-subtracted, blanked and smoothed as for measuring; its largest
    excursion below and above the baseline inside the peak search window are compared.
    """
    data = as_sweeps(sweeps)
    mean = np.nanmean(data, axis=0)[None, :]
    grid = make_grid(mean.shape[1], sampling_rate, stimulus_time, blank_duration, search_window)
    stop = analysis_stop(grid, mean.shape[1], None, peak_smoothing)
    smooth = prepare(mean, grid, stop, peak_smoothing).smooth[0]
    smooth = smooth[grid.search_start : grid.search_stop]
    return "positive" if smooth.max() > -smooth.min() else "negative"


# ---------------------------------------------------------------------------- measuring


def _slope_bounds(
    s: _Settings, prepared: Prepared, marks: Landmarks, grid: Grid, shifted: FloatArray
) -> tuple[IntArray, IntArray, NDArray[np.bool_]]:
    if s.slope_method == "rise":
        start, stop = rise_window(marks)
        ok = (marks.rise_low >= grid.blank_end) & (marks.rise_high > marks.rise_low)
    elif s.slope_method == "window":
        assert s.window is not None
        start, stop = fixed_window(marks.peak.size, grid, s.window)
        ok = np.ones(marks.peak.size, dtype=bool)
    elif s.slope_method == "linear":
        start, stop = linear_window(prepared.relative, marks, s.linearity)
        ok = stop > start
    elif s.slope_method in ("segment", "steadiest"):  # "steadiest" needs a block: recordings
        noise = prepared.baseline_sd if s.noise_sd is None else np.full(marks.peak.size, s.noise_sd)
        start, stop = segment_bounds(prepared.relative, shifted, marks, grid, noise, s.segment)
        ok = stop > start
    else:
        start, stop = max_window(prepared.relative, marks, grid, s.max_slope_span)
        ok = stop > start
    return start, stop, ok


def _placed(
    s: _Settings, placement: Placement, prepared: Prepared, grid: Grid
) -> tuple[Landmarks, FloatArray, IntArray, IntArray]:
    """Landmarks and slope bounds of every sweep at the places given by ``placement``."""
    n = prepared.relative.shape[0]

    def index(time: float) -> IntArray:
        return np.array([index_at_or_after(grid.stimulus_time + time, grid.sampling_rate)])

    start, stop = fixed_window(n, grid, placement.window)
    onset = index(placement.onset) if placement.onset is not None else np.array([-1])
    peak = index(placement.peak)
    for name, where in (("peak", peak), ("volley", index(placement.volley))):
        if not grid.blank_end <= int(where[0]) < prepared.relative.shape[1]:
            raise InputError(name, "lies outside the analysed part of the sweep", "move it")
    average = Landmarks(
        peak, np.zeros(1), start[:1] - 1, stop[:1] - 1, start[:1],
        index(placement.volley), np.zeros(1), onset,
    )  # fmt: skip
    marks, shifted = placed_landmarks(prepared, grid, average, s.volley_smoothing)
    return marks, shifted, start, stop


def _measure(
    sweeps: ArrayLike,
    sampling_rate: float,
    stimulus_time: float,
    s: _Settings,
    placement: Placement | None = None,
) -> _Run:
    data = as_sweeps(sweeps)
    polarity = s.polarity
    if polarity == "auto":
        polarity = resolve_polarity(data, sampling_rate, stimulus_time, s.blank_duration,
                                    s.search_window, s.peak_smoothing)  # fmt: skip
    sign = -1.0 if polarity == "positive" else 1.0
    grid = make_grid(data.shape[1], sampling_rate, stimulus_time, s.blank_duration, s.search_window)
    window = placement.window if placement is not None else s.window
    check_span("window", window, data.shape[1] / sampling_rate - stimulus_time)
    stop = analysis_stop(grid, data.shape[1], window, s.peak_smoothing)
    prepared = prepare(sign * data if sign < 0 else data, grid, stop, s.peak_smoothing)
    if placement is None:
        marks, shifted = find_landmarks(
            prepared, grid, s.rise_fraction, s.volley_smoothing, s.amplitude_reference
        )
        if s.volley_time is not None:
            marks = volley_at(prepared, grid, marks, s.volley_time, s.volley_smoothing)
        start, stop, slope_ok = _slope_bounds(s, prepared, marks, grid, shifted)
    else:
        marks, shifted, start, stop = _placed(s, placement, prepared, grid)
        slope_ok = np.ones(marks.peak.size, dtype=bool)
    slope = regression_slope(prepared.relative, start, stop, sampling_rate)
    threshold = np.maximum(
        s.population_spike_fraction * marks.amplitude,
        s.population_spike_snr * prepared.smooth_baseline_sd,
    )
    spike = population_spike(shifted, marks, grid, s.rise_fraction[0], threshold)
    ok = slope_ok & np.isfinite(slope)
    flag = flags_of(prepared, marks, ok, spike, s.max_baseline_sd, s.min_snr)
    measures = _assemble(flag, sign * slope, marks, grid, start, stop)
    return _Run(measures, marks, grid, start, stop)


def _assemble(
    flag: NDArray[np.str_],
    slope: FloatArray,
    marks: Landmarks,
    grid: Grid,
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
    amplitude_reference: str = "baseline",
    polarity: str = "negative",
    placement: Placement | None = None,
    linearity: float = 0.05,
    volley_time: float | None = None,
) -> FepspMeasures:
    """Measure fEPSP slope, amplitude and fiber volley on every sweep.

    Parameters
    ----------
    sweeps, sampling_rate, stimulus_time
        Voltages [V], shape ``(n_sweeps, n_samples)`` or ``(n_samples,)``; samples per second
        [Hz]; stimulus time from the sweep start [s] (at least 2 samples before it).
    slope_method, rise_fraction, window, max_slope_span, linearity
        ``"rise"``: ``rise_fraction`` (low, high) of the amplitude, 20-80 %; ``"window"``: the
        fixed ``window`` (start, end) [s after the stimulus]; ``"max"``: the steepest
        ``max_slope_span`` [s] (1 ms, WinLTP MaxSlope); ``"linear"``: the longest window
        between volley and peak within ``linearity`` x the amplitude of its regression line;
        ``"segment"``: the widest linear segment of the rise, straight within each sweep's
        baseline sd (:class:`SegmentRule`; on the average, :func:`place_on_average` uses the
        noise of one sweep). Both are meant for averaged sweeps. Ignored with a ``placement``.
    blank_duration, search_window
        Artefact blanking after the stimulus [s] (~1 ms); ``(start, end)`` [s after the
        stimulus] searched for the negative peak (default: end of blanking to 15 ms).
    peak_smoothing, volley_smoothing
        Boxcar widths [s] used only to locate the peak and rise crossings, and the volley
        (regressions use the unsmoothed samples).
    min_snr, max_baseline_sd
        Flags: amplitude at most ``min_snr`` baseline sds is ``"no_response"``; a baseline sd
        above ``max_baseline_sd`` [V] (100 uV; field noise is 10-30 uV rms) ``"noisy_baseline"``.
    population_spike_fraction, population_spike_snr
        A positive-going notch larger than both this fraction of the amplitude and this many
        baseline sds (of the smoothed trace) flags ``"population_spike"``.
    amplitude_reference, polarity
        ``"baseline"`` or ``"onset"``; ``"negative"``, ``"positive"`` or ``"auto"`` (module
        conventions).
    placement, volley_time
        Measure every sweep at these places (:class:`Placement`), or only the volley at
        ``volley_time`` [s after the stimulus]: a fixed cursor that does not follow the fEPSP.

    Returns
    -------
    FepspMeasures
        One entry per sweep; flagged sweeps carry NaN (see :class:`FepspMeasures`); bad
        arguments (never bad sweeps) raise :class:`~synpharm.errors.InputError`.

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
    settings = _Settings(
        slope_method, rise_fraction, window, max_slope_span, blank_duration, search_window,
        peak_smoothing, volley_smoothing, min_snr, max_baseline_sd, population_spike_fraction,
        population_spike_snr, amplitude_reference, polarity, linearity, volley_time=volley_time,
    )  # fmt: skip
    return _measure(sweeps, sampling_rate, stimulus_time, settings, placement).measures


def _clean_average(data: FloatArray, sampling_rate: float, stimulus_time: float, s: _Settings):
    """Mean of the sweeps without NaN whose baseline sd is within ``max_baseline_sd`` (of all
    finite sweeps when none is), as slice tools average only accepted sweeps, and the median
    baseline sd [V] of those sweeps (the noise of one sweep)."""
    grid = make_grid(data.shape[1], sampling_rate, stimulus_time, s.blank_duration, s.search_window)
    with np.errstate(invalid="ignore", over="ignore"):
        finite = np.isfinite(np.sum(data, axis=1))
    pre = np.where(finite[:, None], data[:, : grid.first_post], 0.0)
    keep = finite & (baseline_sd_of(pre, grid.first_post) <= s.max_baseline_sd)
    keep = keep if keep.any() else finite
    if not keep.any():
        return np.full(data.shape[1], np.nan), math.nan
    return data[keep].mean(axis=0), float(np.median(baseline_sd_of(pre[keep], grid.first_post)))


def place_on_average(
    sweeps: ArrayLike, sampling_rate: float, stimulus_time: float, **options
) -> tuple[Placement | None, str]:
    """The :class:`Placement` found on the mean of ``sweeps``, and the average's flag.

    The mean of the acceptable sweeps (no NaN, baseline sd within ``max_baseline_sd``) is
    measured as :func:`measure_fepsp` would with ``options`` (slope method, rise fractions,
    amplitude reference, polarity, ...); its slope window, peak, volley and onset become the
    places every sweep is measured at. None when the average itself cannot be measured (its
    flag says why; a population spike keeps the placement).
    """
    settings = _Settings(**options)
    average, noise = _clean_average(as_sweeps(sweeps), sampling_rate, stimulus_time, settings)
    relaxed = replace(settings, max_baseline_sd=math.inf)  # the average is as clean as it gets
    if settings.noise_sd is None:  # "segment": linear within the noise of one sweep
        relaxed = replace(relaxed, noise_sd=noise)
    run = _measure(average, sampling_rate, stimulus_time, relaxed)
    flag = str(run.measures.flag[0])
    if flag not in ("", "population_spike"):
        return None, flag
    grid, marks = run.grid, run.marks
    onset = None if int(marks.onset[0]) < 0 else float(grid.time_after_stimulus(marks.onset[0]))
    window = (
        float(grid.time_after_stimulus(run.start[0])),
        float(grid.time_after_stimulus(run.stop[0] - 1)),
    )
    placement = Placement(
        window=window,
        peak=float(grid.time_after_stimulus(marks.peak[0])),
        volley=float(grid.time_after_stimulus(marks.volley[0])),
        onset=onset,
    )
    return placement, flag

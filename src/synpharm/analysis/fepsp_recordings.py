"""fEPSP measurement options for real recordings, built on :mod:`synpharm.analysis.fepsp`.

Real sweeps need what simulated sweeps do not: finding the stimulus artefact (its time and how
long to blank) and, for recordings whose pre-stimulus baseline drifts (in vivo), an amplitude
measured from the response onset instead of the baseline. The simulator keeps calling
:func:`synpharm.analysis.fepsp.measure_fepsp`; :func:`measure_fepsp_sweeps` with the default
``amplitude_reference="baseline"`` is exactly that function.

Conventions (analysis_conventions.md 4a): artefact blanked from its onset to its end plus a
margin, replaced by a line (WinLTP manual 4.5.2); slope windows start after the fiber volley;
``amplitude_reference="onset"`` measures from the response onset (the maximum between the end
of blanking and the negative peak) to the peak, as the start/peak markings of Slutsky-lab
``fepsp_analyse`` do, with the rise fractions taken of that amplitude.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from synpharm.analysis import fepsp as _f
from synpharm.analysis.fepsp import FepspMeasures, measure_fepsp
from synpharm.errors import InputError

__all__ = [
    "AMPLITUDE_REFERENCES",
    "StimulusArtifact",
    "detect_stimulus_artifact",
    "measure_fepsp_sweeps",
]

AMPLITUDE_REFERENCES = ("baseline", "onset")


@dataclass(frozen=True)
class StimulusArtifact:
    """Where the stimulus artefact is in each sweep.

    Attributes
    ----------
    stimulus_time
        First artefact sample from the sweep start [s].
    blank_duration
        From ``stimulus_time`` to the end of the artefact plus a margin [s].
    """

    stimulus_time: float
    blank_duration: float


def detect_stimulus_artifact(
    sweeps: ArrayLike,
    sampling_rate: float,
    *,
    threshold: float = 30.0,
    relative_jump: float = 0.25,
    max_duration: float = 3e-3,
    margin: float = 0.5e-3,
) -> StimulusArtifact | None:
    """Find the stimulus artefact: the first jump of the mean sweep far above its noise.

    The sample-to-sample change of the mean sweep is compared with its robust sd (1.4826 x
    median absolute deviation); the artefact starts at the first change larger than
    ``threshold`` sds and ends at the last change within ``max_duration`` of the start that is
    both that large and at least ``relative_jump`` of the largest change of the artefact.

    Parameters
    ----------
    sweeps
        Sweeps of one channel [V], shape ``(n_sweeps, n_samples)`` or ``(n_samples,)``.
    sampling_rate
        Samples per second [Hz].
    threshold
        Jump size in robust sds of the sample-to-sample change.
    relative_jump
        Fraction of the artefact's largest jump that later jumps must reach to extend it.
    max_duration
        Longest artefact [s] (biphasic pulses of up to a few ms); later jumps (population
        spikes) are not artefact.
    margin
        Blanked time after the last artefact jump [s].

    Returns
    -------
    StimulusArtifact or None
        None when no jump exceeds the threshold or fewer than 2 samples precede it.

    Examples
    --------
    >>> import numpy as np
    >>> trace = np.random.default_rng(0).normal(0, 1e-5, 400); trace[100:104] += 5e-3
    >>> detect_stimulus_artifact(trace, 20e3).stimulus_time
    0.005
    """
    data = np.atleast_2d(np.asarray(sweeps, dtype=float))
    mean = np.nanmean(data, axis=0) if data.shape[0] > 1 else data[0]
    change = np.abs(np.diff(mean))
    if not np.isfinite(change).all() or change.size < 4:
        return None
    spread = 1.4826 * np.median(np.abs(change - np.median(change)))
    spread = spread if spread > 0 else float(np.std(change)) or 1.0
    jumps = np.flatnonzero(change > threshold * spread)
    if jumps.size == 0 or jumps[0] < 1:
        return None
    first = int(jumps[0]) + 1  # first sample that belongs to the artefact
    span = change[jumps[0] : jumps[0] + round(max_duration * sampling_rate) + 1]
    # the artefact's own jumps: well above the noise and a sizeable part of its largest jump
    # (an averaged sweep is nearly noiseless, so its fEPSP rise also stands above the noise)
    inside = np.flatnonzero(span > max(threshold * spread, relative_jump * span.max()))
    last = int(jumps[0] + inside[-1]) + 1
    stimulus_time = first / sampling_rate
    blank_end = last + 1 + round(margin * sampling_rate)
    return StimulusArtifact(stimulus_time, (blank_end - first) / sampling_rate)


def _onset_landmarks(
    prepared, grid, rise_fraction: tuple[float, float], volley_smoothing: float
) -> tuple[object, np.ndarray]:
    """Landmarks with the amplitude measured from the response onset; also the shifted smooth."""
    smooth = prepared.smooth
    rows = np.arange(smooth.shape[0])
    peak = grid.search_start + np.argmin(smooth[:, grid.search_start : grid.search_stop], axis=1)
    hi = int(peak.max()) + 1 if peak.size else grid.blank_end + 1
    columns = np.arange(grid.blank_end, hi)[None, :]
    before = np.where(columns <= peak[:, None], smooth[:, grid.blank_end : hi], -np.inf)
    onset = grid.blank_end + np.argmax(before, axis=1)
    shifted = smooth - smooth[rows, onset][:, None]
    amplitude = -shifted[rows, peak]
    low, high = _f._rise_crossings(shifted, grid, peak, amplitude, rise_fraction)
    notch, volley, volley_amplitude = _f._volley(prepared.relative, grid, low, volley_smoothing)
    marks = _f._Landmarks(peak, amplitude, low, high, notch, volley, volley_amplitude)
    return marks, shifted


def measure_fepsp_sweeps(
    sweeps: ArrayLike,
    sampling_rate: float,
    stimulus_time: float,
    *,
    amplitude_reference: str = "baseline",
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
    """:func:`~synpharm.analysis.fepsp.measure_fepsp` with a choice of amplitude reference.

    Parameters
    ----------
    amplitude_reference
        ``"baseline"`` (pre-stimulus mean to negative peak; exactly ``measure_fepsp``) or
        ``"onset"`` (response onset to negative peak, for drifting in-vivo baselines); the rise
        fractions of the ``"rise"`` slope are fractions of this amplitude.
    others
        As in :func:`~synpharm.analysis.fepsp.measure_fepsp`, same units (s, Hz, V).

    Returns
    -------
    FepspMeasures
        One entry per sweep; failed sweeps are NaN with the reason in ``flag``.
    """
    options = {
        "slope_method": slope_method,
        "rise_fraction": rise_fraction,
        "window": window,
        "max_slope_span": max_slope_span,
        "blank_duration": blank_duration,
        "search_window": search_window,
        "peak_smoothing": peak_smoothing,
        "volley_smoothing": volley_smoothing,
        "min_snr": min_snr,
        "max_baseline_sd": max_baseline_sd,
        "population_spike_fraction": population_spike_fraction,
        "population_spike_snr": population_spike_snr,
    }
    if amplitude_reference not in AMPLITUDE_REFERENCES:
        raise InputError(
            "amplitude_reference",
            f"unknown reference {amplitude_reference!r}",
            f"use one of {', '.join(AMPLITUDE_REFERENCES)}",
        )
    if amplitude_reference == "baseline":
        return measure_fepsp(sweeps, sampling_rate, stimulus_time, **options)
    return _measure_from_onset(sweeps, sampling_rate, stimulus_time, options)


def _measure_from_onset(sweeps, sampling_rate, stimulus_time, o: dict) -> FepspMeasures:
    _f._check_method(o["slope_method"], o["rise_fraction"], o["window"], o["max_slope_span"])
    data = _f._as_sweeps(sweeps)
    grid = _f._make_grid(
        data.shape[1], sampling_rate, stimulus_time, o["blank_duration"], o["search_window"]
    )
    _f._check_span("window", o["window"], data.shape[1] / sampling_rate - stimulus_time)
    stop = _f._analysis_stop(grid, data.shape[1], o["window"], o["peak_smoothing"])
    prepared = _f._prepare(data, grid, stop, o["peak_smoothing"])
    marks, shifted = _onset_landmarks(prepared, grid, o["rise_fraction"], o["volley_smoothing"])
    start, stop, slope_ok = _f._slope_bounds(
        o["slope_method"], prepared, marks, grid, o["window"], o["max_slope_span"]
    )
    slope = _f._regression_slope(prepared.relative, start, stop, sampling_rate)
    threshold = np.maximum(
        o["population_spike_fraction"] * marks.amplitude,
        o["population_spike_snr"] * prepared.smooth_baseline_sd,
    )
    spike = _f._population_spike(shifted, marks, grid, o["rise_fraction"][0], threshold)
    flag = _f._flags(
        prepared, marks, slope_ok & np.isfinite(slope), spike, o["max_baseline_sd"], o["min_snr"]
    )
    return _f._assemble(flag, slope, marks, prepared, grid, start, stop)

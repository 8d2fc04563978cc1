"""Events in a sweep that the fEPSP measurement works around: stimulus artefact and fiber volley.

The stimulus artefact is found on the mean sweep of a channel and blanked by a straight line
(WinLTP manual 4.5.2; analysis_conventions.md 4a); the fiber volley is the negative deflection
between the end of blanking and the fEPSP onset, the check that axon recruitment stayed constant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from synpharm.analysis._fepsp_core import (
    FloatArray,
    analysis_stop,
    as_sweeps,
    blank_span,
    find_landmarks,
    make_grid,
    prepare,
)
from synpharm.errors import InputError

__all__ = [
    "StimulusArtifact",
    "blank_stimulus_artifact",
    "detect_fiber_volley",
    "detect_stimulus_artifact",
]


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
    grid = make_grid(data.shape[-1], sampling_rate, stimulus_time, blank_duration, None)
    blanked = data.reshape(-1, data.shape[-1])
    blank_span(blanked, grid.first_post - 1, grid.blank_end)
    return blanked.reshape(data.shape)


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
    data = as_sweeps(sweeps)
    grid = make_grid(data.shape[1], sampling_rate, stimulus_time, blank_duration, search_window)
    stop = analysis_stop(grid, data.shape[1], None, peak_smoothing)
    prepared = prepare(data, grid, stop, peak_smoothing)
    fractions = (onset_fraction, (1 + onset_fraction) / 2)
    marks, _ = find_landmarks(prepared, grid, fractions, volley_smoothing)
    amplitude = marks.volley_amplitude
    time = grid.time_after_stimulus(marks.volley)
    bad = ~prepared.finite
    return np.where(bad, np.nan, amplitude), np.where(bad, np.nan, time)

"""Population-spike measurement on field sweeps from stratum pyramidale (real or simulated).

The population spike is the negative deflection that the synchronous firing of pyramidal cells
writes on the positive-going somatic fEPSP. Its amplitude is measured the conventional way,
as the depth of the negative peak below the line joining the positive peaks before and after
it (the "tangent" method; e.g. Andersen, Sundberg, Sveen, Swann & Wigstrom 1980 J Physiol
302:463), so that the slow fEPSP it rides on does not count. Every negative peak whose depth
exceeds ``min_snr`` times the noise of the (equally smoothed) pre-stimulus baseline is a
population spike; the count gives the repeated population spikes of a disinhibited slice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.signal import find_peaks

from synpharm.errors import InputError

__all__ = ["PopulationSpikes", "measure_population_spikes"]

FloatArray = NDArray[np.float64]

#: smallest population spike counted in a noiseless sweep [V]
_FLOOR = 1e-6


@dataclass(frozen=True)
class PopulationSpikes:
    """Per-sweep population-spike measures, each array ``(n_sweeps,)``.

    Attributes
    ----------
    amplitude
        Depth of the largest population spike below the line joining its flanking positive
        peaks [V] (0 where no population spike).
    latency
        Time of the first population spike's negative peak after the stimulus [s] (NaN
        where none).
    count
        Number of population spikes.
    noise
        Standard deviation of the smoothed pre-stimulus baseline [V].
    """

    amplitude: FloatArray
    latency: FloatArray
    count: FloatArray
    noise: FloatArray


def _smooth(sweeps: FloatArray, width: int) -> FloatArray:
    if width <= 1:
        return sweeps
    kernel = np.ones(width) / width
    return np.apply_along_axis(lambda x: np.convolve(x, kernel, mode="same"), 1, sweeps)


def _tangent_depths(trace: FloatArray, troughs: np.ndarray) -> FloatArray:
    """Depth of each trough below the line joining the maxima on either side of it."""
    bounds = np.r_[0, troughs, trace.size - 1]
    depths = np.empty(troughs.size)
    for k, trough in enumerate(troughs):
        left = bounds[k] + int(np.argmax(trace[bounds[k]:trough + 1]))
        right = trough + int(np.argmax(trace[trough:bounds[k + 2] + 1]))
        if right == left:
            depths[k] = 0.0
            continue
        line = trace[left] + (trace[right] - trace[left]) * (trough - left) / (right - left)
        depths[k] = line - trace[trough]
    return depths


def _check(sweeps: FloatArray, sampling_rate: float, stimulus_time: float,
           window: tuple[float, float]) -> None:
    if sweeps.ndim != 2:
        raise InputError("sweeps", f"has shape {sweeps.shape}", "give (n_sweeps, n_samples)")
    if not sampling_rate > 0:
        raise InputError("sampling_rate", f"must be > 0 Hz, got {sampling_rate}", "e.g. 20e3")
    duration = sweeps.shape[1] / sampling_rate
    start, end = window
    if not 0 <= start < end or not 0 < stimulus_time < duration:
        raise InputError("window", f"{window} s after a stimulus at {stimulus_time} s",
                         "give 0 <= start < end after a stimulus inside the sweep")


def measure_population_spikes(
    sweeps: ArrayLike,
    sampling_rate: float,
    stimulus_time: float,
    *,
    window: tuple[float, float] = (0.002, 0.02),
    smoothing: float = 0.2e-3,
    min_snr: float = 8.0,
) -> PopulationSpikes:
    """Amplitude, latency and number of population spikes in each sweep.

    Parameters
    ----------
    sweeps
        Field sweeps [V] from stratum pyramidale, shape ``(n_sweeps, n_samples)``.
    sampling_rate
        [Hz].
    stimulus_time
        Time of the stimulus from the start of each sweep [s]; the baseline is everything
        before it.
    window
        Search window after the stimulus [s]: from after the fiber volley to the end of the
        response.
    smoothing
        Width of the moving average applied before the search [s].
    min_snr
        A negative peak counts as a population spike when its prominence (depth below the
        lower of its flanking positive peaks) exceeds ``min_snr`` times the smoothed
        baseline's standard deviation (and 1 uV in noiseless sweeps).

    Returns
    -------
    PopulationSpikes

    Examples
    --------
    >>> t = np.arange(600) / 20e3 - 0.005
    >>> sweep = 1e-3 * np.exp(-(t - 0.007)**2 / (2 * 0.3e-3**2))
    >>> m = measure_population_spikes(-sweep[None, :], 20e3, 0.005)
    >>> round(float(m.amplitude[0]) * 1e3, 2), int(m.count[0])
    (1.0, 1)
    """
    data = np.atleast_2d(np.asarray(sweeps, dtype=float))
    _check(data, sampling_rate, stimulus_time, window)
    smooth = _smooth(data, max(1, round(smoothing * sampling_rate)))
    stim = round(stimulus_time * sampling_rate)
    start = stim + round(window[0] * sampling_rate)
    end = min(data.shape[1], stim + round(window[1] * sampling_rate))
    half = max(1, round(smoothing * sampling_rate) // 2)
    baseline = smooth[:, half:max(half + 2, stim - half)]
    noise = baseline.std(axis=1)
    n = data.shape[0]
    amplitude, latency, count = np.zeros(n), np.full(n, np.nan), np.zeros(n)
    for i in range(n):
        segment = smooth[i, start:end]
        # candidate troughs: prominent enough on their shallower flank, then the tangent depth
        troughs, _ = find_peaks(-segment, prominence=max(min_snr * noise[i], _FLOOR))
        if troughs.size == 0:
            continue
        depths = _tangent_depths(segment, troughs)
        amplitude[i] = depths.max()
        latency[i] = (start + troughs[0]) / sampling_rate - stimulus_time
        count[i] = troughs.size
    return PopulationSpikes(amplitude, latency, count, noise)

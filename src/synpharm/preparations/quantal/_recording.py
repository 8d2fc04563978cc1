"""Virtual recording: sweeps of the response of every stimulus with recording noise.

Each stimulus gets its own sweep (stimulus at ``recording_stimulus_time``), holding the response
to that stimulus and the tail of the preceding response (paired pulses), on the baseline of the
cell (holding current or membrane potential) plus Gaussian noise with exponential correlation
(an Ornstein-Uhlenbeck process of given SD and correlation time, stationary from the first
sample).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import NDArray

from synpharm.preparations.quantal._postsynaptic import response_waveform
from synpharm.preparations.quantal._preparation import QuantalPreparation

__all__ = ["TAIL_HORIZON", "SweepLayout", "sweep_layout", "synthesize_sweeps"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SweepLayout:
    """Sampling of the virtual sweeps and the normalised response templates.

    Attributes
    ----------
    sampling_rate
        [Hz].
    stimulus_time
        Stimulus time in each sweep [s].
    time
        Sample times from the sweep start [s], shape ``(n_samples,)``.
    own
        Response of each stimulus in its own sweep (peak 1), shape ``(n_stimuli, n_samples)``.
    tail
        Response of the preceding stimulus in each sweep (peak-1 units of that response),
        shape ``(n_stimuli, n_samples)``; zeros for the first stimulus.
    """

    sampling_rate: float
    stimulus_time: float
    time: FloatArray
    own: FloatArray
    tail: FloatArray


#: A preceding response is added to a sweep only if it came less than this long before [s]
#: (later tails are below exp(-30) of their peak for time constants up to 30 ms).
TAIL_HORIZON = 1.0


def sweep_layout(
    prep: QuantalPreparation, stimulus_times: FloatArray, membrane_tau: FloatArray
) -> SweepLayout:
    """Templates for every stimulus; ``membrane_tau`` [s] per stimulus (current clamp)."""
    p = prep.parameters
    rate = p["recording_sampling_rate"]
    t_s = p["recording_stimulus_time"]
    time = np.arange(round(p["recording_sweep_duration"] * rate)) / rate
    after = time - t_s
    n = stimulus_times.size
    if prep.recording == "voltage_clamp":
        own = np.broadcast_to(response_waveform(prep, after), (n, time.size))
        tau = np.full(n, np.nan)
    else:
        tau = np.asarray(membrane_tau, dtype=float)
        unique, inverse = np.unique(tau, return_inverse=True)
        own = response_waveform(prep, np.broadcast_to(after, (unique.size, time.size)), unique)
        own = own[inverse.ravel()]
    tail = np.zeros((n, time.size))
    gap = np.diff(stimulus_times)
    close = np.flatnonzero(gap < TAIL_HORIZON) + 1
    if close.size:
        previous_tau = None if prep.recording == "voltage_clamp" else tau[close - 1]
        tail[close] = response_waveform(prep, after + gap[close - 1][:, None], previous_tau)
    return SweepLayout(rate, t_s, time, np.asarray(own), tail)


@njit(cache=True)
def _autoregressive(values: FloatArray, decay: float) -> FloatArray:
    """In place along the last axis: ``x[i] = decay * x[i - 1] + values[i]``."""
    for row in range(values.shape[0]):
        for i in range(1, values.shape[1]):
            values[row, i] += decay * values[row, i - 1]
    return values


def _noise(
    rng: np.random.Generator, shape: tuple[int, int], sd: float, tau: float, rate: float
) -> FloatArray:
    """Stationary Ornstein-Uhlenbeck noise of SD ``sd`` and correlation time ``tau`` [s]."""
    decay = math.exp(-1.0 / (tau * rate))
    innovations = rng.standard_normal(shape) * sd * math.sqrt(1.0 - decay**2)
    innovations[:, 0] = rng.standard_normal(shape[0]) * sd  # stationary first sample
    return _autoregressive(innovations, decay)


def synthesize_sweeps(
    prep: QuantalPreparation,
    layout: SweepLayout,
    response: FloatArray,
    baseline: FloatArray,
    rng: np.random.Generator,
) -> FloatArray:
    """Sweeps of one cell [A or V], shape ``(n_stimuli, n_samples)``.

    Parameters
    ----------
    prep
        The preparation (noise SD and correlation time, response direction).
    layout
        From :func:`sweep_layout`.
    response
        Peak response of each stimulus (magnitude, SI), shape ``(n_stimuli,)``.
    baseline
        Holding current or membrane potential before each stimulus (SI), shape ``(n_stimuli,)``.
    rng
        The cell's recording stream.
    """
    p = prep.parameters
    sign = -1.0 if prep.direction == "negative" else 1.0
    previous = np.concatenate([[0.0], response[:-1]])
    signal = sign * (response[:, None] * layout.own + previous[:, None] * layout.tail)
    noise = _noise(
        rng,
        signal.shape,
        p["recording_noise_sd"],
        p["recording_noise_correlation_time"],
        layout.sampling_rate,
    )
    return baseline[:, None] + signal + noise

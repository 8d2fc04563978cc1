"""Measurement of evoked postsynaptic currents and potentials (IPSC, EPSC, EPSP) on sweeps.

Written for whole-cell or sharp-electrode sweeps of real recordings and applied unchanged to
simulated sweeps. Input sweeps have shape ``(n_sweeps, n_samples)`` or ``(n_samples,)`` in any
one unit (A, V, pA ...); outputs are in the same unit, one entry per sweep.

Conventions
-----------
* Baseline: mean of the ``baseline_duration`` before the stimulus.
* Amplitude: mean over a short window of ``peak_width`` centred on the peak time, minus the
  baseline, signed so that a response in ``direction`` is positive (an inward, negative-going
  IPSC at -60 mV with a high-Cl pipette is measured with ``direction="negative"``). The peak time
  is found once on the average of all sweeps given (inside ``peak_window``), or given by the
  caller, and is the same for every sweep: a single-sweep maximum would turn noise into signal
  and bias failures to positive amplitudes, which quantal analysis cannot tolerate.
* Noise: the same measurement applied where there is no response, one ``baseline_duration``
  earlier (baseline ``[t_s - 2 b, t_s - b)``, window at the same delay after ``t_s - b``). Its
  distribution over sweeps is the noise distribution of the amplitude measure (the distribution
  failures follow) and its variance is what variance-mean analysis subtracts. ``baseline_sd``
  is the plain sample SD of the pre-stimulus baseline of each sweep (recording noise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synpharm.errors import InputError

__all__ = ["PscMeasures", "measure_psc"]

FloatArray = NDArray[np.float64]

_TOLERANCE = 1e-9


@dataclass(frozen=True)
class PscMeasures:
    """Postsynaptic response measures, one entry per sweep.

    Attributes
    ----------
    amplitude
        Baseline-to-peak amplitude, positive for a response in the measured direction,
        shape ``(n_sweeps,)``, unit of the sweeps. Failures scatter around 0.
    noise_amplitude
        The amplitude measurement applied to pre-stimulus noise, shape ``(n_sweeps,)``.
    baseline
        Mean of the pre-stimulus baseline, shape ``(n_sweeps,)`` (holding current or membrane
        potential).
    baseline_sd
        Sample SD of the pre-stimulus baseline of each sweep, shape ``(n_sweeps,)``.
    peak_time
        Centre of the amplitude window [s] after the stimulus.
    """

    amplitude: FloatArray
    noise_amplitude: FloatArray
    baseline: FloatArray
    baseline_sd: FloatArray
    peak_time: float

    @property
    def noise_sd(self) -> float:
        """SD over sweeps of :attr:`noise_amplitude` (the noise of the amplitude measure)."""
        if self.noise_amplitude.size < 2:
            return math.nan
        return float(np.std(self.noise_amplitude, ddof=1))


def _as_sweeps(sweeps: ArrayLike) -> FloatArray:
    data = np.asarray(sweeps, dtype=float)
    if data.ndim == 1:
        data = data[None, :]
    if data.ndim != 2 or data.shape[0] == 0 or data.shape[1] == 0:
        raise InputError(
            "sweeps", f"has shape {data.shape}", "give (n_sweeps, n_samples) or (n_samples,)"
        )
    if not np.isfinite(data).all():
        raise InputError("sweeps", "contain NaN or infinite samples", "remove or repair them")
    return data


def _positive(name: str, value: float, example: str) -> float:
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise InputError(name, f"must be positive and finite, got {value}", f"give e.g. {example}")
    return value


def _index(time: float, rate: float) -> int:
    return math.ceil(time * rate * (1 - _TOLERANCE) - _TOLERANCE)


def _check_layout(
    n_samples: int,
    rate: float,
    stimulus_time: float,
    baseline_duration: float,
    peak_window: tuple[float, float],
    peak_width: float,
) -> None:
    start, end = peak_window
    if not (0 <= start < end):
        raise InputError(
            "peak_window", f"({start}, {end}) s is not 0 <= start < end", "give e.g. (0.001, 0.015)"
        )
    if stimulus_time + end + peak_width / 2 > n_samples / rate + _TOLERANCE:
        raise InputError(
            "peak_window",
            f"ends after the sweep ({n_samples / rate:g} s long)",
            "shorten the window or record longer sweeps",
        )
    if 2 * baseline_duration > stimulus_time + _TOLERANCE:
        raise InputError(
            "baseline_duration",
            f"{baseline_duration:g} s: the noise measurement needs twice that before the stimulus "
            f"({stimulus_time:g} s)",
            "shorten the baseline or record more before the stimulus",
        )
    if end + peak_width / 2 > baseline_duration + _TOLERANCE:
        raise InputError(
            "peak_window",
            f"ends {end:g} s after the stimulus, later than the baseline duration "
            f"({baseline_duration:g} s) allows for the noise measurement",
            "lengthen baseline_duration or end the peak window earlier",
        )


def _window_mean(data: FloatArray, centre: float, width: float, rate: float) -> FloatArray:
    first = _index(centre - width / 2, rate)
    last = max(first + 1, _index(centre + width / 2, rate))
    return data[:, first:last].mean(axis=1)


def measure_psc(
    sweeps: ArrayLike,
    sampling_rate: float,
    stimulus_time: float,
    *,
    direction: Literal["negative", "positive"],
    peak_window: tuple[float, float] = (0.001, 0.015),
    baseline_duration: float = 0.02,
    peak_width: float = 0.001,
    peak_time: float | None = None,
) -> PscMeasures:
    """Measure the evoked response of every sweep (see module docstring for the conventions).

    Parameters
    ----------
    sweeps
        Current or voltage sweeps, shape ``(n_sweeps, n_samples)`` or ``(n_samples,)``.
    sampling_rate
        Samples per second [Hz].
    stimulus_time
        Stimulus time [s] from the start of each sweep.
    direction
        ``"negative"`` for inward currents and hyperpolarising potentials, ``"positive"`` for
        outward currents and depolarising potentials (EPSPs).
    peak_window
        ``(start, end)`` [s] after the stimulus in which the peak of the average is sought.
    baseline_duration
        Pre-stimulus baseline [s]; the sweep must start at least twice this before the stimulus.
    peak_width
        Width [s] of the window averaged around the peak time.
    peak_time
        Peak time [s] after the stimulus; default: peak of the average of all sweeps given.

    Returns
    -------
    PscMeasures

    Examples
    --------
    >>> t = np.arange(1000) / 10e3                      # 100 ms at 10 kHz, stimulus at 40 ms
    >>> s = np.clip(t - 0.042, 0.0, None)               # 2 ms latency
    >>> ipsc = -60e-12 * (np.exp(-s / 0.009) - np.exp(-s / 0.0005))   # rise 0.5, decay 9 ms
    >>> m = measure_psc(ipsc, 10e3, 0.04, direction="negative")
    >>> round(float(m.amplitude[0]) * 1e12, 1)          # pA
    47.2
    """
    data = _as_sweeps(sweeps)
    rate = _positive("sampling_rate", sampling_rate, "20e3")
    t_s = _positive("stimulus_time", stimulus_time, "0.04")
    base = _positive("baseline_duration", baseline_duration, "0.02")
    width = _positive("peak_width", peak_width, "0.001")
    if direction not in ("negative", "positive"):
        raise InputError("direction", f"{direction!r}", "give 'negative' or 'positive'")
    sign = -1.0 if direction == "negative" else 1.0
    _check_layout(data.shape[1], rate, t_s, base, peak_window, width)
    b0, b1 = _index(t_s - base, rate), _index(t_s, rate)
    baseline = data[:, b0:b1].mean(axis=1)
    baseline_sd = data[:, b0:b1].std(axis=1, ddof=1) if b1 - b0 > 1 else np.zeros(data.shape[0])
    if peak_time is None:
        first, last = _index(t_s + peak_window[0], rate), _index(t_s + peak_window[1], rate)
        average = sign * (data[:, first : max(last, first + 1)].mean(axis=0) - baseline.mean())
        peak_time = (first + int(np.argmax(average))) / rate - t_s
    elif not (math.isfinite(peak_time) and peak_window[0] <= peak_time <= peak_window[1]):
        raise InputError("peak_time", f"{peak_time} s is outside the peak window", "give it inside")
    amplitude = sign * (_window_mean(data, t_s + peak_time, width, rate) - baseline)
    n0 = _index(t_s - 2 * base, rate)
    noise_baseline = data[:, n0:b0].mean(axis=1)
    noise = sign * (_window_mean(data, t_s - base + peak_time, width, rate) - noise_baseline)
    return PscMeasures(amplitude, noise, baseline, baseline_sd, float(peak_time))

"""Sweeps a recording electrode in CA1 stratum radiatum would record, synthesised from model output.

The model (synapses, release, plasticity) produces, per test pulse, two numbers: the summed
synaptic drive expressed as the peak fEPSP amplitude it would produce (``fepsp_scale`` [V]) and
the peak fiber-volley amplitude (``volley_scale`` [V]). This module turns them into voltage
traces with a stimulus artefact, a presynaptic fiber volley, the field EPSP and recording noise,
so that simulated and real sweeps go through the *same* measurement code
(:mod:`synpharm.analysis.fepsp`).

Waveform
--------
With ``t`` the time after the stimulus [s]:

* artefact: ``A sin(2 pi t / D)`` for ``0 <= t < D`` (one biphasic cycle, shorter than the
  conventional 1 ms blanking);
* fiber volley: ``-volley_scale * exp(-(t - L_v)^2 / (2 w^2))``;
* fEPSP: ``-fepsp_scale * h(t - L_e) / max(h)`` with ``h`` a difference of exponentials
  ``exp(-t/tau_decay) - exp(-t/tau_rise)`` whose onset time is Gaussian-dispersed with
  standard deviation ``sigma`` across fibres (an exponentially modified Gaussian, closed form);
* noise: white Gaussian noise shaped by a zero-phase Butterworth magnitude response and scaled
  to the requested rms.

The trace is linear in ``fepsp_scale``, so the fEPSP's initial slope is exactly proportional to
it (:func:`true_initial_slope`).

Parameters come from ``parameters/field_potential.toml``
(see :func:`field_waveform_from_parameters`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq, minimize_scalar
from scipy.special import log_ndtr

from synpharm.errors import InputError
from synpharm.parameters import ParameterSet

__all__ = [
    "FieldWaveform",
    "fepsp_rise_window",
    "fepsp_unit_waveform",
    "fiber_volley_unit_waveform",
    "field_waveform_from_parameters",
    "peak_rising_slope",
    "stimulus_artifact_waveform",
    "synthesize_field_sweeps",
    "true_initial_slope",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class FieldWaveform:
    """Time course of the stratum-radiatum field response to one stimulus (all SI units).

    Attributes
    ----------
    stimulus_artifact_amplitude
        Peak of the biphasic stimulus artefact [V].
    stimulus_artifact_duration
        Duration of the artefact's single cycle [s].
    fiber_volley_latency
        Time of the fiber-volley negative peak after the stimulus [s].
    fiber_volley_width
        Standard deviation of the Gaussian volley [s].
    fepsp_onset_latency
        Mean synaptic onset time after the stimulus [s].
    fepsp_onset_dispersion
        Standard deviation of the onset time across fibres [s].
    fepsp_rise_time_constant, fepsp_decay_time_constant
        Time constants of the difference of exponentials [s]; rise < decay.
    recording_noise_sd
        Default rms of the recording noise [V].
    recording_noise_cutoff
        Corner frequency of the noise-shaping low-pass filter [Hz].
    recording_noise_filter_order
        Order of the Butterworth magnitude response of that filter.
    """

    stimulus_artifact_amplitude: float
    stimulus_artifact_duration: float
    fiber_volley_latency: float
    fiber_volley_width: float
    fepsp_onset_latency: float
    fepsp_onset_dispersion: float
    fepsp_rise_time_constant: float
    fepsp_decay_time_constant: float
    recording_noise_sd: float
    recording_noise_cutoff: float
    recording_noise_filter_order: float

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not math.isfinite(value) or value < 0:
                raise InputError(
                    f"field_waveform.{item.name}",
                    f"must be finite and >= 0, got {value}",
                    "fix the value in the parameter file",
                )
        for name in (
            "stimulus_artifact_duration",
            "fiber_volley_width",
            "fepsp_onset_dispersion",
            "fepsp_rise_time_constant",
            "recording_noise_cutoff",
            "recording_noise_filter_order",
        ):
            if getattr(self, name) == 0:
                raise InputError(f"field_waveform.{name}", "must be > 0", "give a positive value")
        if self.fepsp_rise_time_constant >= self.fepsp_decay_time_constant:
            raise InputError(
                "field_waveform.fepsp_rise_time_constant",
                "must be shorter than fepsp_decay_time_constant",
                "check the two fEPSP time constants",
            )


def field_waveform_from_parameters(params: ParameterSet) -> FieldWaveform:
    """Build a :class:`FieldWaveform` from a parameter set such as ``field_potential.toml``.

    Parameters
    ----------
    params
        A :class:`~synpharm.parameters.ParameterSet` holding every field of
        :class:`FieldWaveform` by name.

    Examples
    --------
    >>> from synpharm.parameters import load_parameter_set, package_parameter_file
    >>> params = load_parameter_set(package_parameter_file("field_potential"))
    >>> field_waveform_from_parameters(params).fepsp_decay_time_constant
    0.008
    """
    names = [item.name for item in fields(FieldWaveform)]
    missing = [name for name in names if name not in params]
    if missing:
        raise InputError(
            f"parameter set {params.name!r}",
            f"lacks {missing}",
            "add them (see parameters/field_potential.toml)",
        )
    return FieldWaveform(**{name: float(params[name]) for name in names})


# ---------------------------------------------------------------------------- components


def stimulus_artifact_waveform(
    time_after_stimulus: ArrayLike, waveform: FieldWaveform
) -> FloatArray:
    """Biphasic stimulus artefact [V] at the given times after the stimulus [s]."""
    t = np.asarray(time_after_stimulus, dtype=float)
    duration = waveform.stimulus_artifact_duration
    inside = (t >= 0) & (t < duration)
    cycle = np.sin(2 * np.pi * np.where(inside, t, 0.0) / duration)
    return np.where(inside, waveform.stimulus_artifact_amplitude * cycle, 0.0)


def fiber_volley_unit_waveform(
    time_after_stimulus: ArrayLike, waveform: FieldWaveform
) -> FloatArray:
    """Fiber volley of unit peak amplitude (negative-going, minimum -1) [dimensionless]."""
    t = np.asarray(time_after_stimulus, dtype=float)
    z = (t - waveform.fiber_volley_latency) / waveform.fiber_volley_width
    return -np.exp(-0.5 * z * z)


def _dispersed_exponential(t: FloatArray, tau: float, sigma: float) -> FloatArray:
    """``exp(-t/tau) H(t)`` convolved with a zero-mean Gaussian of sd ``sigma`` (log-stable)."""
    log_value = sigma**2 / (2 * tau**2) - t / tau + log_ndtr(t / sigma - sigma / tau)
    return np.exp(log_value)


def _raw_shape(t: FloatArray, waveform: FieldWaveform) -> FloatArray:
    shifted = t - waveform.fepsp_onset_latency
    sigma = waveform.fepsp_onset_dispersion
    return _dispersed_exponential(
        shifted, waveform.fepsp_decay_time_constant, sigma
    ) - _dispersed_exponential(shifted, waveform.fepsp_rise_time_constant, sigma)


def _raw_shape_derivative(t: FloatArray, waveform: FieldWaveform) -> FloatArray:
    # d/dt of the dispersed exponential is -value/tau + gaussian(t); the Gaussian terms cancel.
    shifted = t - waveform.fepsp_onset_latency
    sigma = waveform.fepsp_onset_dispersion
    tau_d, tau_r = waveform.fepsp_decay_time_constant, waveform.fepsp_rise_time_constant
    return (
        _dispersed_exponential(shifted, tau_r, sigma) / tau_r
        - _dispersed_exponential(shifted, tau_d, sigma) / tau_d
    )


def _refined_maximum(
    function: Callable[[FloatArray], FloatArray], grid: FloatArray
) -> tuple[float, float]:
    """Location and value of the maximum of a smooth unimodal ``function`` sampled on ``grid``."""
    values = function(grid)
    best = int(np.argmax(values))
    low, high = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    result = minimize_scalar(
        lambda x: -float(function(np.asarray(x))),
        bounds=(low, high),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return float(result.x), float(-result.fun)


def _shape_grid(waveform: FieldWaveform) -> FloatArray:
    start = waveform.fepsp_onset_latency - 6 * waveform.fepsp_onset_dispersion
    stop = (
        waveform.fepsp_onset_latency
        + 6 * waveform.fepsp_onset_dispersion
        + 5 * waveform.fepsp_decay_time_constant
    )
    return np.linspace(start, stop, 20001)


def _shape_peak(waveform: FieldWaveform) -> tuple[float, float]:
    """Time after the stimulus [s] and value of the maximum of the un-normalised fEPSP shape."""
    return _refined_maximum(lambda t: _raw_shape(t, waveform), _shape_grid(waveform))


def fepsp_unit_waveform(time_after_stimulus: ArrayLike, waveform: FieldWaveform) -> FloatArray:
    """fEPSP of unit peak amplitude (negative-going, minimum exactly -1) [dimensionless]."""
    t = np.asarray(time_after_stimulus, dtype=float)
    _, peak = _shape_peak(waveform)
    return -_raw_shape(t, waveform) / peak


# ---------------------------------------------------------------------------- ground truth


def fepsp_rise_window(
    waveform: FieldWaveform, rise_fraction: tuple[float, float] = (0.2, 0.8)
) -> tuple[float, float]:
    """Times after the stimulus [s] at which the noiseless fEPSP crosses the given peak fractions.

    Parameters
    ----------
    waveform
        The field waveform.
    rise_fraction
        ``(low, high)`` fractions of the peak on the rising (falling-voltage) phase,
        ``0 < low < high < 1``; 20-80 % by default (WinLTP low%-high% method).
    """
    low, high = rise_fraction
    if not 0 < low < high < 1:
        raise InputError(
            "rise_fraction",
            f"must satisfy 0 < low < high < 1, got {rise_fraction}",
            "use e.g. (0.2, 0.8)",
        )
    peak_time, peak = _shape_peak(waveform)
    start = waveform.fepsp_onset_latency - 8 * waveform.fepsp_onset_dispersion

    def crossing(fraction: float) -> float:
        return float(
            brentq(
                lambda x: float(_raw_shape(np.asarray(x), waveform)) / peak - fraction,
                start,
                peak_time,
                xtol=1e-13,
            )
        )

    return crossing(low), crossing(high)


def true_initial_slope(
    waveform: FieldWaveform, fepsp_scale: ArrayLike, rise_fraction: tuple[float, float] = (0.2, 0.8)
) -> FloatArray:
    """Least-squares slope [V/s] of the noiseless, continuous fEPSP over its low%-high% rise.

    This is the quantity the conventional low%-high% (and a matching fixed-window) slope
    measurement estimates (analysis_conventions.md 4a). It is computed on the pure fEPSP
    component in continuous time (no sampling, artefact, volley or noise), and is exactly
    proportional to ``fepsp_scale``.

    Parameters
    ----------
    waveform
        The field waveform.
    fepsp_scale
        Peak fEPSP amplitude(s) [V], shape ``(n,)`` or scalar.
    rise_fraction
        ``(low, high)`` fractions of the peak, default 20-80 %.

    Returns
    -------
    numpy.ndarray
        Slope(s) [V/s], negative for positive ``fepsp_scale``; same shape as ``fepsp_scale``.
    """
    start, stop = fepsp_rise_window(waveform, rise_fraction)
    t = np.linspace(start, stop, 20001)
    shape = fepsp_unit_waveform(t, waveform)
    centred = t - t.mean()
    unit_slope = float(np.sum(centred * (shape - shape.mean())) / np.sum(centred * centred))
    return unit_slope * np.asarray(fepsp_scale, dtype=float)


def peak_rising_slope(waveform: FieldWaveform, fepsp_scale: ArrayLike) -> FloatArray:
    """Steepest slope [V/s] of the noiseless fEPSP (its inflection point), for the max-slope method.

    Returns an array of the shape of ``fepsp_scale``, negative for positive ``fepsp_scale``.
    """
    _, peak = _shape_peak(waveform)
    _, steepest = _refined_maximum(
        lambda t: _raw_shape_derivative(t, waveform), _shape_grid(waveform)
    )
    return -steepest / peak * np.asarray(fepsp_scale, dtype=float)


# ---------------------------------------------------------------------------- synthesis


def _shaped_noise(
    n_sweeps: int,
    n_samples: int,
    sampling_rate: float,
    noise_sd: float,
    waveform: FieldWaveform,
    rng: np.random.Generator,
) -> FloatArray:
    """Stationary Gaussian noise, Butterworth low-pass magnitude spectrum, rms ``noise_sd``."""
    white = rng.standard_normal((n_sweeps, n_samples))
    frequency = np.fft.rfftfreq(n_samples, d=1.0 / sampling_rate)
    order = waveform.recording_noise_filter_order
    gain = 1.0 / np.sqrt(1.0 + (frequency / waveform.recording_noise_cutoff) ** (2 * order))
    impulse = np.fft.irfft(gain, n=n_samples)
    shaped = np.fft.irfft(np.fft.rfft(white, axis=1) * gain, n=n_samples, axis=1)
    return shaped * (noise_sd / np.sqrt(np.sum(impulse * impulse)))


def _validated_scales(
    fepsp_scale: ArrayLike, volley_scale: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    fepsp = np.atleast_1d(np.asarray(fepsp_scale, dtype=float))
    volley = np.atleast_1d(np.asarray(volley_scale, dtype=float))
    if fepsp.ndim != 1 or volley.shape != fepsp.shape:
        raise InputError(
            "fepsp_scale, volley_scale",
            f"shapes {fepsp.shape} and {volley.shape}",
            "give two 1-D arrays of equal length, one entry per sweep",
        )
    if not (np.isfinite(fepsp).all() and np.isfinite(volley).all()):
        raise InputError(
            "fepsp_scale, volley_scale",
            "contain NaN or infinite values",
            "pass finite amplitudes in volts",
        )
    return fepsp, volley


def _check_acquisition(
    sampling_rate: float, sweep_duration: float, stimulus_time: float, noise_sd: float
) -> None:
    if not (math.isfinite(sampling_rate) and sampling_rate > 0):
        raise InputError("sampling_rate", f"must be > 0 Hz, got {sampling_rate}", "e.g. 20e3")
    if not (math.isfinite(sweep_duration) and sweep_duration > 0):
        raise InputError("sweep_duration", f"must be > 0 s, got {sweep_duration}", "e.g. 0.03")
    if not 0 < stimulus_time < sweep_duration:
        raise InputError(
            "stimulus_time",
            f"{stimulus_time} s is outside the sweep (0, {sweep_duration}) s",
            "place the stimulus inside the sweep",
        )
    if not (math.isfinite(noise_sd) and noise_sd >= 0):
        raise InputError("noise_sd", f"must be >= 0 V, got {noise_sd}", "e.g. 20e-6")


def synthesize_field_sweeps(
    fepsp_scale: ArrayLike,
    volley_scale: ArrayLike,
    *,
    waveform: FieldWaveform,
    sampling_rate: float,
    sweep_duration: float,
    stimulus_time: float,
    noise_sd: float | None = None,
    rng: np.random.Generator | None = None,
) -> FloatArray:
    """Voltage sweeps of a stratum-radiatum field electrode, one per test pulse.

    Parameters
    ----------
    fepsp_scale
        Peak fEPSP amplitude per sweep [V], shape ``(n,)``; positive values give the usual
        negative-going fEPSP. The trace is linear in it.
    volley_scale
        Peak fiber-volley amplitude per sweep [V], shape ``(n,)``.
    waveform
        Time course of the components (:func:`field_waveform_from_parameters`).
    sampling_rate
        Samples per second [Hz].
    sweep_duration
        Length of each sweep [s].
    stimulus_time
        Time of the stimulus from the start of the sweep [s].
    noise_sd
        Rms recording noise [V]; ``None`` uses ``waveform.recording_noise_sd``, 0 gives
        noiseless sweeps.
    rng
        Random generator for the noise; required when the noise is not zero.

    Returns
    -------
    numpy.ndarray
        Sweeps [V], shape ``(n, round(sweep_duration * sampling_rate))``, baseline 0 V.

    Examples
    --------
    >>> import numpy as np
    >>> from synpharm.parameters import load_parameter_set, package_parameter_file
    >>> wave = field_waveform_from_parameters(
    ...     load_parameter_set(package_parameter_file("field_potential")))
    >>> sweeps = synthesize_field_sweeps([1e-3], [2e-4], waveform=wave, sampling_rate=20e3,
    ...                                  sweep_duration=0.03, stimulus_time=0.01, noise_sd=0.0)
    >>> sweeps.shape
    (1, 600)
    """
    fepsp, volley = _validated_scales(fepsp_scale, volley_scale)
    noise = waveform.recording_noise_sd if noise_sd is None else float(noise_sd)
    _check_acquisition(sampling_rate, sweep_duration, stimulus_time, noise)
    n_samples = round(sweep_duration * sampling_rate)
    t = np.arange(n_samples) / sampling_rate - stimulus_time
    sweeps = (
        fepsp[:, None] * fepsp_unit_waveform(t, waveform)[None, :]
        + volley[:, None] * fiber_volley_unit_waveform(t, waveform)[None, :]
        + stimulus_artifact_waveform(t, waveform)[None, :]
    )
    if noise > 0:
        if rng is None:
            raise InputError(
                "rng", "is required when noise_sd > 0", "pass numpy.random.default_rng(seed)"
            )
        sweeps += _shaped_noise(fepsp.size, n_samples, sampling_rate, noise, waveform, rng)
    return sweeps

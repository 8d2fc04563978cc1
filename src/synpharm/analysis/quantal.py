"""Quantal analysis of evoked response amplitudes, as an experimenter does it.

Pure functions on arrays of measured amplitudes (one per sweep, e.g. from
:func:`synpharm.analysis.psc.measure_psc`), usable on real recordings. Two estimators of the mean
quantal content ``m`` (quanta released per stimulus) and the quantal size ``q`` (response to one
quantum), both assuming Poisson release (low release probability, many sites):

Failures method (del Castillo & Katz 1954 J Physiol 124:560)
    ``m = ln(n_sweeps / n_failures)``, ``q = mean / m``. Failures are not classified one by one
    with a threshold: failures are pure noise, so with noise symmetric about zero and responses
    never negative, the failures whose noise fell below zero are all the sweeps with an
    amplitude below zero, and ``n_failures = n(amplitude <= 0) / P(noise <= 0)``, with
    ``P(noise <= 0)`` measured on the noise amplitudes (0.5 when they are not given). This is
    robust to where a threshold would have been put; it counts a success as a failure only when
    a response plus noise is negative (negligible when q is several noise SDs).
Variance-mean (coefficient-of-variation) method
    ``m = mean^2 / (var - var_noise)``, ``q = (var - var_noise) / mean``, the recording noise
    variance subtracted. For binomial release from N sites with probability p and quantal
    coefficient of variation CV, ``var - var_noise = m q^2 (1 - p + CV^2)``, so the Poisson
    estimate is ``m_true / (1 - p + CV^2)``: it approaches the true m for p << 1 and CV << 1
    and overestimates it by 1/(1 - p) at high p (multiply by ``1 - p + CV^2`` when p and CV are
    known).

Both return NaN with a ``reason`` when they cannot estimate (no failures; variance not above
the noise; no response); bad input (NaN, empty, negative noise) raises
:class:`~synpharm.errors.InputError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synpharm.errors import InputError

__all__ = [
    "QuantalAnalysis",
    "QuantalEstimate",
    "failures_method",
    "quantal_analysis",
    "variance_mean_method",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class QuantalEstimate:
    """Mean quantal content and quantal size from one estimator.

    Attributes
    ----------
    method
        ``"failures"`` or ``"variance_mean"``.
    quantal_content
        Mean number of quanta per stimulus, m [1]; NaN if not estimable.
    quantal_size
        Response to one quantum, q, in the unit of the amplitudes; NaN if not estimable.
    n_sweeps
        Number of amplitudes analysed.
    n_failures
        Estimated number of failures (failures method; NaN for variance-mean).
    mean_amplitude
        Mean amplitude, unit of the amplitudes.
    reason
        Why the estimate is NaN; empty when it is not.
    """

    method: str
    quantal_content: float
    quantal_size: float
    n_sweeps: int
    n_failures: float
    mean_amplitude: float
    reason: str = ""

    @property
    def estimable(self) -> bool:
        return math.isfinite(self.quantal_content) and math.isfinite(self.quantal_size)


@dataclass(frozen=True)
class QuantalAnalysis:
    """Both estimators on the same amplitudes and their agreement.

    ``content_ratio`` and ``size_ratio`` are failures / variance-mean (1 = perfect agreement;
    NaN when either is not estimable).
    """

    failures: QuantalEstimate
    variance_mean: QuantalEstimate

    @property
    def content_ratio(self) -> float:
        return _ratio(self.failures.quantal_content, self.variance_mean.quantal_content)

    @property
    def size_ratio(self) -> float:
        return _ratio(self.failures.quantal_size, self.variance_mean.quantal_size)


def _ratio(a: float, b: float) -> float:
    if not (math.isfinite(a) and math.isfinite(b)) or b == 0:
        return math.nan
    return a / b


def _amplitudes(values: ArrayLike, name: str, minimum: int) -> FloatArray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise InputError(name, f"has shape {array.shape}", "give a 1-D array, one value per sweep")
    if array.size < minimum:
        raise InputError(
            name, f"has {array.size} values", f"give at least {minimum} (one per sweep)"
        )
    if not np.isfinite(array).all():
        raise InputError(name, "contains NaN or infinite values", "drop the unmeasured sweeps")
    return array


def _nan_estimate(method: str, n: int, failures: float, mean: float, reason: str):
    return QuantalEstimate(method, math.nan, math.nan, n, failures, mean, reason)


def failures_method(
    amplitudes: ArrayLike, noise_amplitudes: ArrayLike | None = None
) -> QuantalEstimate:
    """Quantal content from the proportion of failures (see module docstring).

    Parameters
    ----------
    amplitudes
        Response amplitudes, one per sweep, positive in the response direction, shape ``(n,)``.
    noise_amplitudes
        The same measurement on noise alone (e.g. ``PscMeasures.noise_amplitude``); gives
        ``P(noise <= 0)``. Without it the noise is assumed symmetric (``P = 0.5``).

    Returns
    -------
    QuantalEstimate

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = 2.0 * rng.poisson(1.0, 4000) + rng.normal(0.0, 0.2, 4000)
    >>> e = failures_method(a)
    >>> round(e.quantal_content, 1), round(e.quantal_size, 1)
    (1.0, 2.0)
    """
    a = _amplitudes(amplitudes, "amplitudes", 1)
    below = 0.5
    if noise_amplitudes is not None:
        noise = _amplitudes(noise_amplitudes, "noise_amplitudes", 1)
        below = float(np.mean(noise <= 0.0))
        if below == 0.0:
            raise InputError(
                "noise_amplitudes", "has no value at or below zero", "measure noise, not responses"
            )
    n, mean = a.size, float(a.mean())
    failures = float(np.count_nonzero(a <= 0.0)) / below
    if failures == 0.0:
        return _nan_estimate("failures", n, failures, mean, "no failures")
    if failures >= n:
        return _nan_estimate(
            "failures", n, failures, mean, "estimated failures not fewer than sweeps (no release)"
        )
    m = math.log(n / failures)
    return QuantalEstimate("failures", m, mean / m, n, failures, mean)


def variance_mean_method(amplitudes: ArrayLike, noise_variance: float) -> QuantalEstimate:
    """Quantal content from the noise-corrected coefficient of variation (Poisson release).

    Parameters
    ----------
    amplitudes
        Response amplitudes, one per sweep, shape ``(n,)``, n >= 2.
    noise_variance
        Variance of the amplitude measure on noise alone (square of the unit of the
        amplitudes), >= 0; e.g. ``np.var(noise_amplitudes, ddof=1)``.

    Returns
    -------
    QuantalEstimate

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = 2.0 * rng.poisson(1.5, 20000) + rng.normal(0.0, 0.5, 20000)
    >>> e = variance_mean_method(a, 0.25)
    >>> round(e.quantal_content, 1), round(e.quantal_size, 1)
    (1.5, 2.0)
    """
    a = _amplitudes(amplitudes, "amplitudes", 2)
    noise_variance = float(noise_variance)
    if not (math.isfinite(noise_variance) and noise_variance >= 0.0):
        raise InputError(
            "noise_variance", f"must be >= 0 and finite, got {noise_variance}", "give e.g. 0.01"
        )
    n, mean = a.size, float(a.mean())
    excess = float(a.var(ddof=1)) - noise_variance
    if mean <= 0.0:
        return _nan_estimate("variance_mean", n, math.nan, mean, "mean amplitude not above zero")
    if excess <= 0.0:
        return _nan_estimate(
            "variance_mean", n, math.nan, mean, "variance not above the noise variance"
        )
    return QuantalEstimate("variance_mean", mean**2 / excess, excess / mean, n, math.nan, mean)


def quantal_analysis(amplitudes: ArrayLike, noise_amplitudes: ArrayLike) -> QuantalAnalysis:
    """Failures and variance-mean estimates on the same sweeps.

    Parameters
    ----------
    amplitudes
        Response amplitudes, one per sweep, shape ``(n,)``.
    noise_amplitudes
        The amplitude measure on noise alone, shape ``(k,)``, k >= 2: gives both ``P(noise <=
        0)`` for the failures method and the noise variance for the variance-mean method.
    """
    noise = _amplitudes(noise_amplitudes, "noise_amplitudes", 2)
    return QuantalAnalysis(
        failures_method(amplitudes, noise),
        variance_mean_method(amplitudes, float(noise.var(ddof=1))),
    )

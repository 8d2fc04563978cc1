"""Slow phosphatase/kinase readout of spine Ca2+ in closed form (the LTD arm of the rule).

A calcineurin-like, high-affinity Ca2+/calmodulin-activated phosphatase integrates the spine
Ca2+ ``c`` (threshold units of :mod:`.calcium_rule`) with a deactivation time ``tau_P`` of
seconds (Yasuda et al. 2003 Eur J Neurosci 17:287: calcineurin activity builds up during 1 Hz
stimulation, not at 0.05 Hz nor with theta bursts; Fujii et al. 2013 Cell Rep 3:978:
calcineurin follows low-frequency input, CaMKII needs high frequency)::

    dP/dt = k c (1 - P) - P / tau_P
    tau_h dh/dt = -gamma_P (P - theta_P) h      while theta_P < P < theta_K

Above ``theta_K`` the low-affinity, steep kinase (CaMKII) is active too and dominates: no
depression (the BCM-like, Shouval, Bear & Cooper 2002 PNAS 99:10831 ordering: weak prolonged
Ca2+ depresses, strong Ca2+ does not). Potentiation stays with the fast gate ``c > theta_p``.
Ca2+ above ``theta_p`` activates the kinase itself, and its autonomous (T286-autophosphorylated)
activity outlasts the Ca2+ transient (Lee et al. 2009 Nature 458:299; Chang et al. 2019 Nat
Commun 10:2784); here it dominates the phosphatase for as long as the Ca2+/calmodulin signal of
that episode lasts, i.e. until ``P`` has decayed below ``theta_P`` (a per-synapse flag), so a
tetanus is not followed by depression of the synapses it potentiated.

Because a Ca2+ transient (~14 ms) is short against ``tau_P``, a stimulus acts on ``P`` as the
saturating impulse :func:`activation` of its Ca2+ integral; between stimuli ``P`` decays
exponentially and the depression it drives has the closed form :func:`band_integral`. For a
synapse the Ca2+ integral of an isolated pulse is linear in its NMDA drive ``x_i`` (see
:func:`synpharm.solvers._kernels.isolated_pulse`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["activation", "band_integral", "depress", "periodic_peak"]


@njit(cache=True, inline="always")
def activation(p, calcium_integral, rate):
    """Activation after a transient with Ca2+ integral ``calcium_integral`` [s] short vs tau_P.

    Examples
    --------
    >>> round(float(activation(0.0, 1.0, 1.0)), 6)
    0.632121
    """
    return 1.0 - (1.0 - p) * math.exp(-rate * calcium_integral)


@njit(cache=True, inline="always")
def band_integral(p0, duration, tau, theta, veto):
    """Integral of ``P - theta`` over the part of ``[0, duration]`` with ``theta < P < veto``.

    ``P(t) = p0 exp(-t / tau)`` (no stimulus). Time-ordered: P first leaves the kinase-dominant
    region (``t_a = tau ln(p0 / veto)``), then the band (``t_b = tau ln(p0 / theta)``).

    Examples
    --------
    >>> round(float(band_integral(0.5, 100.0, 1.0, 0.25, 1.0)), 6)
    0.076713
    """
    if p0 <= theta:
        return 0.0
    t_a = tau * math.log(p0 / veto) if p0 > veto else 0.0
    t_b = tau * math.log(p0 / theta)
    a = min(t_a, duration)
    b = min(t_b, duration)
    if b <= a:
        return 0.0
    return tau * p0 * (math.exp(-a / tau) - math.exp(-b / tau)) - theta * (b - a)


@njit(cache=True, inline="always")
def depress(h, integral, gamma, tau_h):
    """Early phase after a band integral: ``h exp(-gamma integral / tau_h)``."""
    return h * math.exp(-gamma * integral / tau_h)


def periodic_peak(calcium_integral, period, rate, tau):
    """Activation just after each stimulus in the periodic steady state.

    Every stimulus maps ``P -> 1 - (1 - P) a`` with ``a = exp(-k A)``, every interval
    ``P -> P d`` with ``d = exp(-period / tau)``; the fixed point is the geometric sum
    ``(1 - a) sum_n (a d)^n = (1 - a) / (1 - a d)``.

    Examples
    --------
    >>> round(float(periodic_peak(0.1, 1.0, 1.0, 1e-9)), 6)
    0.095163
    """
    a = np.exp(-rate * np.asarray(calcium_integral, dtype=float))
    d = math.exp(-period / tau)
    return (1.0 - a) / (1.0 - a * d)

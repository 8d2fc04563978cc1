"""Slow phosphatase/kinase readout of spine Ca2+ in closed form (the LTD arm of the rule).

A calcineurin-like, high-affinity Ca2+/calmodulin-activated phosphatase integrates the spine
Ca2+ ``c`` (threshold units of :mod:`.calcium_rule`) with a deactivation time ``tau_P`` of
seconds (Yasuda et al. 2003 Eur J Neurosci 17:287: calcineurin activity builds up during 1 Hz
stimulation, not at 0.05 Hz nor with theta bursts; Fujii et al. 2013 Cell Rep 3:978:
calcineurin follows low-frequency input, CaMKII needs high frequency)::

    dP/dt = k c (1 - P) - P / tau_P
    tau_h dh/dt = -gamma_P (P - theta_P) h      while P > theta_P and K <= theta_Kv

The low-affinity, steep kinase ``K`` (CaMKII, :mod:`.kinase`), activated only by Ca2+ above
``theta_p``, vetoes the depression while it is above ``theta_Kv`` (kinase dominance; the
BCM-like, Shouval, Bear & Cooper 2002 PNAS 99:10831 ordering: weak prolonged Ca2+ depresses,
strong Ca2+ does not) and potentiates above ``theta_K+``. Its autonomous activity outlasts the
Ca2+ transient (Lee et al. 2009 Nature 458:299; Chang et al. 2019 Nat Commun 10:2784), so a
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
def band_integral(p0, start, duration, tau, theta):
    """Integral of ``P - theta`` over the part of ``[start, duration]`` with ``P > theta``.

    ``P(t) = p0 exp(-t / tau)`` (no stimulus); ``start`` is the end of the kinase veto
    (:func:`synpharm.model.plasticity.kinase.veto_end`), 0 without one.

    Examples
    --------
    >>> round(float(band_integral(0.5, 0.0, 100.0, 1.0, 0.25)), 6)
    0.076713
    """
    if p0 <= theta:
        return 0.0
    a = min(start, duration)
    b = min(tau * math.log(p0 / theta), duration)
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

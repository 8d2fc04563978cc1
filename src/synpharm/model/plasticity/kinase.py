"""Slow kinase (CaMKII-like) readout of spine Ca2+: the potentiation arm of the rule.

A low-affinity, steep Ca2+/calmodulin-activated kinase integrates the spine Ca2+ ``c``
(threshold units of :mod:`.calcium_rule`) through a cooperative, saturating drive half-maximal
at ``c_half`` (3.5, just above the potentiation threshold ``theta_p`` 3.0; Hill coefficient
n ~ 5: CaMKII autophosphorylation is switch-like in Ca2+, Bradshaw et al. 2003) and
deactivates with a time of seconds
(autonomous, T286-autophosphorylated CaMKII activity in a stimulated spine peaks ~0.5 s after
one glutamate-uncaging pulse and decays over ~10 s; during repeated uncaging it steps up pulse
by pulse: Chang et al. 2019 Nat Commun 10:2784; Lee et al. 2009 Nature 458:299)::

    dK/dt = k_K a(c) (1 - K) - K / tau_K,   a(c) = c^n / (c^n + c_half^n)  for c > theta_d

(``a`` is cut to 0 below the depression threshold, where it is < 2.5 % of its maximum, so that
synapses whose Ca2+ stays below theta_d are provably quiet for the kinase too). A saturating
drive reads the *time* spent at high Ca2+ rather than its height: one long NMDA transient in
0 Mg2+ (~130 ms above theta_p) activates ``K`` far less than a 1-s, 100 Hz train.

The activation ``K`` (0..1) decides the sign of plasticity (kinase dominance, the readout of
Rodrigues et al. 2023 eLife 12:e80152 and the ordering of Shouval, Bear & Cooper 2002 PNAS
99:10831)::

    tau_h dh/dt = gamma_p (K - theta_K+) (h_max - h)    while K > theta_K+   (potentiation)
    no depression (phosphatase or fast gate)            while K > theta_Kv   (veto)

with ``theta_Kv <= theta_K+``. One strong Ca2+ transient leaves ``K`` far below ``theta_K+``;
only Ca2+ above ``theta_p`` repeated within ``tau_K`` (100 Hz trains, theta bursts) sums to it.
Between stimuli ``K`` decays exponentially, so the potentiation of a quiet gap has the closed
form :func:`excess_integral` and the veto ends at :func:`veto_end`.
"""

from __future__ import annotations

import math

from numba import njit

__all__ = ["excess_integral", "kinase_drive", "kinase_step", "potentiate", "veto_end"]


@njit(cache=True, inline="always")
def kinase_drive(calcium, half, hill, floor):
    """Ca2+/calmodulin drive of the kinase, ``c^n / (c^n + half^n)`` above ``floor``, else 0.

    Examples
    --------
    >>> float(kinase_drive(3.0, 3.0, 4.0, 1.2))
    0.5
    >>> float(kinase_drive(1.0, 3.0, 4.0, 1.2))
    0.0
    """
    r = calcium / half
    # the integer coefficients of the CA1 and GB fits as products instead of a pow call
    # (a pow per synapse and step was half the cost of the window kernels)
    if hill == 4.0:
        r2 = r * r
        x = r2 * r2
    elif hill == 5.0:
        r2 = r * r
        x = r2 * r2 * r
    else:
        x = r**hill
    # a select, not an early return: loops over synapses vectorise
    return x / (1.0 + x) if calcium > floor else 0.0


@njit(cache=True, inline="always")
def kinase_step(k, drive, dt, rate, tau):
    """Kinase activation after one explicit step ``dt`` [s] with Ca2+/CaM ``drive`` (0..1).

    Examples
    --------
    >>> round(float(kinase_step(0.0, 1.0, 1e-3, 10.0, 10.0)), 6)
    0.01
    """
    return k + dt * (rate * drive * (1.0 - k) - k / tau)


@njit(cache=True, inline="always")
def excess_integral(k0, duration, tau, theta):
    """Integral of ``K - theta`` over the part of ``[0, duration]`` with ``K > theta``.

    ``K(t) = k0 exp(-t / tau)`` (no stimulus).

    Examples
    --------
    >>> round(float(excess_integral(0.5, 100.0, 1.0, 0.25)), 6)
    0.076713
    """
    if k0 <= theta:
        return 0.0
    t_end = min(tau * math.log(k0 / theta), duration)
    return tau * k0 * (1.0 - math.exp(-t_end / tau)) - theta * t_end


@njit(cache=True, inline="always")
def veto_end(k0, tau, theta):
    """Time [s] at which ``K(t) = k0 exp(-t / tau)`` falls to ``theta`` (0 if already below)."""
    if k0 <= theta:
        return 0.0
    return tau * math.log(k0 / theta)


@njit(cache=True, inline="always")
def potentiate(h, integral, gamma, h_max, tau_h):
    """Early phase after an excess integral ``I``: ``h_max - (h_max - h) exp(-gamma I / tau_h)``."""
    return h_max - (h_max - h) * math.exp(-gamma * integral / tau_h)

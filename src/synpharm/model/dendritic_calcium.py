"""Dendritic Ca2+ spike / plateau of the apical dendrite: Pinsky-Rinzel gating, compiled.

The dendritic compartment of the CA1 cell carries a high-threshold Ca2+ current
``I_Ca = g_Ca s^2 (V - E_Ca)`` and a fast Ca2+-activated K+ current
``I_K(C) = g_KC c chi(Ca) (V - E_K)``, with ``chi(Ca) = min(Ca / Ca_sat, 1)`` read from a
dendritic Ca2+ pool ``dCa/dt = -phi I_Ca - Ca / tau_Ca`` (Pinsky & Rinzel 1994 J Comput
Neurosci 1:39, eqs. 1-2 and appendix, their reduction of Traub et al. 1991 J Neurophysiol
66:635). Depolarisation opens ``s`` regeneratively (a Ca2+ spike); the Ca2+ it lets in
activates I_K(C), which repolarises it (the BK-dependent repolarisation of CA1 dendritic Ca2+
spikes, Golding, Jung, Mickus & Spruston 1999 J Neurosci 19:8789).

The rate functions below are those of Pinsky & Rinzel (after Traub et al. 1991); their
voltage ``u`` is in mV relative to a resting potential of -60 mV (:data:`KINETICS_REST`) and
their rates in 1/ms. The functions take ``u`` in mV and return rates in 1/ms; the compiled
neuron step converts.
The numbers inside them are the published rate-function constants (structural, like the
Mg2+-block law in :mod:`synpharm.model.channels`); the conductances, reversal, pool and
reference potential are parameters in ``parameters/ca1_slice.toml``.
"""

from __future__ import annotations

import math

from numba import njit

__all__ = ["KINETICS_REST", "ca_gate_rates", "kc_gate_rates", "resting_gates", "steady_gate"]

#: the resting potential to which the Traub / Pinsky-Rinzel rate functions refer [V] (their
#: potentials are written relative to it; part of the published formulas, not a free parameter)
KINETICS_REST = -0.060


@njit(cache=True, inline="always")
def ca_gate_rates(u: float) -> tuple[float, float]:
    """(alpha_s, beta_s) [1/ms] of the Ca2+ activation gate ``s`` at ``u`` mV above -60 mV.

    alpha_s = 1.6 / (1 + exp(-0.072 (u - 65))), beta_s = 0.02 (u - 51.1) /
    (exp((u - 51.1) / 5) - 1) (Pinsky & Rinzel 1994, appendix).

    Examples
    --------
    >>> a, b = ca_gate_rates(0.0)
    >>> round(a / (a + b), 4)  # s_inf at the kinetics' rest: nearly closed
    0.0142
    """
    alpha = 1.6 / (1.0 + math.exp(-0.072 * (u - 65.0)))
    x = u - 51.1
    if abs(x) < 1e-6:
        beta = 0.1  # limit 0.02 * 5 of x / (exp(x / 5) - 1)
    else:
        beta = 0.02 * x / (math.exp(x / 5.0) - 1.0)
    return alpha, beta


@njit(cache=True, inline="always")
def kc_gate_rates(u: float) -> tuple[float, float]:
    """(alpha_c, beta_c) [1/ms] of the voltage gate ``c`` of I_K(C) at ``u`` mV above -60 mV.

    For u <= 50: alpha_c = exp((u - 10) / 11 - (u - 6.5) / 27) / 18.975 and
    beta_c = 2 exp((6.5 - u) / 27) - alpha_c; above: alpha_c = 2 exp((6.5 - u) / 27),
    beta_c = 0 (Pinsky & Rinzel 1994, appendix).
    """
    if u <= 50.0:
        alpha = math.exp((u - 10.0) / 11.0 - (u - 6.5) / 27.0) / 18.975
        return alpha, 2.0 * math.exp((6.5 - u) / 27.0) - alpha
    return 2.0 * math.exp((6.5 - u) / 27.0), 0.0


@njit(cache=True, inline="always")
def steady_gate(alpha: float, beta: float) -> float:
    """Steady-state open fraction alpha / (alpha + beta)."""
    return alpha / (alpha + beta)


@njit(cache=True, inline="always")
def resting_gates(v_rest: float) -> tuple[float, float]:
    """Steady (s, c) at the potential ``v_rest`` [V] (absolute).

    Examples
    --------
    >>> s, c = resting_gates(-0.065)
    >>> round(s, 4), round(c, 4)
    (0.0091, 0.0067)
    """
    u = (v_rest - KINETICS_REST) * 1e3
    a_s, b_s = ca_gate_rates(u)
    a_c, b_c = kc_gate_rates(u)
    return steady_gate(a_s, b_s), steady_gate(a_c, b_c)

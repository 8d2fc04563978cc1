"""THE calcium-based plasticity rule of synpharm, written once, with the evaluators solvers need.

Early phase (Graupner & Brunel 2012 PNAS 109:3991 gating; Luboeinski & Tetzlaff 2021 Commun Biol
4:275 relaxation), for an efficacy ``h`` (1 = baseline) and spine Ca2+ ``c``::

    tau_h dh/dt = relaxation (1 - h) + gamma_p (h_max - h) [c > theta_p] - gamma_d h [c > theta_d]

This is the rule of the closed forms for other preparations (:mod:`.closed_form`) and of the
Graupner-Brunel benchmark. In the slice engine the potentiation gate reads a slow kinase instead
of ``c`` (below). The slice engine applies the relaxation only between stimuli; the
Graupner-Brunel benchmark (:mod:`.graupner_brunel`) adds its bistable cubic drift and has
``h_max = 1``, no relaxation. Each caller picks the evaluator that fits its solver:

* :func:`plasticity_step` - one explicit step of the slice rule at a given Ca2+ (compiled
  slice kernels); :func:`quiet_plasticity` its closed form over a gap without Ca2+;
* :func:`gated_gain_loss` - with the gates fixed, the rule is linear, ``tau_h dh/dt = gain -
  loss h``; :func:`linear_relaxation` is its exact solution (human PAS, VEP tetanus, quiet gaps;
  ``gated_gain_loss_compiled`` for the compiled GB-LTP population);
* :func:`early_phase_noise` - the gated plasticity noise over a time spent above threshold;
* :func:`late_phase_capture` - tagged synapses capture plasticity-related protein into the late
  phase z (towards 1 for potentiated, -0.5 for depressed tags).

Slow phosphatase/kinase readout of the slice engine (decoding Ca2+ over seconds): a
calcineurin-like activation ``P`` (:mod:`.phosphatase`) integrates spine Ca2+ with a
deactivation time of tens of seconds and depresses ``h`` while ``P > theta_P``; a CaMKII-like
activation ``K`` (:mod:`.kinase`) integrates a steep Ca2+ drive half-maximal at ``theta_p``
with a deactivation time of seconds, potentiates while ``K > theta_K+`` and vetoes all
depression while ``K > theta_Kv`` (kinase dominance)::

    tau_h dh/dt = gamma_p (K - theta_K+)_+ (h_max - h)
                  - [K <= theta_Kv] (gamma_d [c > theta_d] + gamma_P (P - theta_P)_+) h

Functions ending in ``_compiled`` are the numba versions of the same source, for compiled
kernels; the plain versions take numpy arrays.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, vectorize

from synpharm.model.plasticity.kinase import (
    excess_integral,
    kinase_drive,
    kinase_step,
    potentiate,
    veto_end,
)
from synpharm.model.plasticity.phosphatase import band_integral, depress

__all__ = [
    "early_phase_noise",
    "early_phase_noise_compiled",
    "gated_gain_loss",
    "gated_gain_loss_compiled",
    "late_phase_capture",
    "late_phase_capture_compiled",
    "linear_relaxation",
    "plasticity_step",
    "quiet_plasticity",
]


def gated_gain_loss(gamma_p, gamma_d, h_max, relaxation, depression_on, potentiation_on):
    """``(gain, loss)`` of ``tau_h dh/dt = gain - loss h`` while the gates are fixed.

    Parameters
    ----------
    gamma_p, gamma_d
        Potentiation and depression rates (dimensionless, per ``tau_h``).
    h_max
        Upper bound of the efficacy.
    relaxation
        Relaxation rate towards h = 1 while the gates apply (0 for the slice engine's windows).
    depression_on, potentiation_on
        1.0 while Ca2+ is above theta_d or theta_p, 0.0 otherwise (scalars or arrays).

    Examples
    --------
    >>> gated_gain_loss(2.0, 1.0, 1.5, 0.0, 1.0, 1.0)
    (3.0, 3.0)
    """
    gain = relaxation + gamma_p * h_max * potentiation_on
    loss = relaxation + gamma_p * potentiation_on + gamma_d * depression_on
    return gain, loss


gated_gain_loss_compiled = njit(cache=True, inline="always")(gated_gain_loss)


def linear_relaxation(h, gain, loss, duration, tau):
    """Exact solution of ``tau dh/dt = gain - loss h`` over ``duration`` [s] (numpy arrays).

    Examples
    --------
    >>> float(linear_relaxation(0.0, 1.0, 1.0, np.inf, 1.0))
    1.0
    """
    target = gain / loss
    return target + (h - target) * np.exp(-loss * np.asarray(duration) / tau)


def early_phase_noise(h, time_above, normal, h_noise, tau_h, h_max):
    """Efficacy after the plasticity noise of ``time_above`` [s] above threshold, in [0, h_max].

    The noise term ``sigma sqrt(tau_h) Gamma(t)`` gated by the thresholds has variance
    ``sigma^2 T / tau_h`` over a total time T above threshold; ``normal`` is a N(0, 1) draw.
    Apply it only where ``time_above > 0``.
    """
    kicked = h + h_noise * np.sqrt(time_above / tau_h) * normal
    return np.minimum(np.maximum(kicked, 0.0), h_max)


early_phase_noise_compiled = njit(cache=True, inline="always")(early_phase_noise)


def _late_phase_capture(z, change, capture, tag_threshold):
    if change > tag_threshold:
        return 1.0 - (1.0 - z) * capture
    if change < -tag_threshold:
        return -0.5 + (z + 0.5) * capture
    return z


@njit(cache=True, inline="always")
def protein_synthesis_on(n_tagged, tagged_change, threshold, summed):
    """Protein-synthesis trigger of a cell (slice) from its tagged early-phase changes.

    ``tagged_change`` is the sum of ``|h - 1|`` over the ``n_tagged`` tagged synapses. With
    ``summed`` = 0 (default) the trigger is on when their MEAN exceeds ``threshold``; with 1,
    when their SUM does, the form of Luboeinski & Tetzlaff 2021 (Commun Biol 4:275: synthesis
    when the summed early-phase change exceeds theta_pro), which a 1 Hz LTD of many synapses
    reaches and its mean does not.

    Examples
    --------
    >>> protein_synthesis_on(10, 3.0, 0.5, 0.0), protein_synthesis_on(10, 3.0, 0.5, 1.0)
    (False, True)
    """
    if n_tagged == 0:
        return False
    if summed > 0.0:
        return tagged_change > threshold
    return tagged_change / n_tagged > threshold


@vectorize(cache=True)
def protein_synthesis_on_cells(n_tagged, tagged_change, threshold, summed):
    """:func:`protein_synthesis_on` elementwise over cells (NumPy arrays; the closed form).

    A function of its own, not a second ``vectorize`` of the same Python function: numba's
    cache would otherwise file both compilations under one index.
    """
    return protein_synthesis_on(n_tagged, tagged_change, threshold, summed)


#: late phase after capture: ``z`` late phase, ``change`` = h - 1, ``capture`` = exp(-integral
#: of protein / tau_late) (1 = none); untagged synapses (|h - 1| <= tag_threshold) keep z
late_phase_capture_compiled = njit(cache=True, inline="always")(_late_phase_capture)
late_phase_capture = vectorize(cache=True)(_late_phase_capture)


@njit(cache=True, inline="always")
def plasticity_step(rule, h, p, k, calcium, dt):
    """Early phase, phosphatase and kinase activation after one explicit step ``dt`` [s].

    ``dP/dt = k_P c (1 - P) - P / tau_P``, ``dK/dt = k_K a(c) (1 - K) - K / tau_K`` (``a`` of
    :func:`~synpharm.model.plasticity.kinase.kinase_drive`);
    then ``tau_h dh/dt = gamma_p (K - theta_K+)_+ (h_max - h)`` and, unless the kinase dominates
    (``K > theta_Kv``), ``- gamma_d h [c > theta_d] - gamma_P (P - theta_P)_+ h``. ``rule`` is
    any record with the fields of :class:`synpharm.model.slice_state.SliceConstants` used here.
    Returns ``(h, P, K)``.
    """
    p = p + dt * (rule.phosphatase_rate * calcium * (1.0 - p) - p / rule.phosphatase_tau)
    k = kinase_step(k, kinase_drive(calcium, rule.kinase_half, rule.kinase_hill, rule.theta_d), dt,
                    rule.kinase_rate, rule.kinase_tau)
    # selects, not branches (the same operations as ``rate = 0; if K > theta_K+: rate +=
    # ...``): loops over synapses vectorise
    veto = k <= rule.kinase_veto
    rate = 0.0 + (rule.gamma_p * (k - rule.kinase_threshold) * (rule.h_max - h)
                  if k > rule.kinase_threshold else 0.0)
    rate -= rule.gamma_d * h if (veto and calcium > rule.theta_d) else 0.0
    rate -= (rule.phosphatase_gamma * (p - rule.phosphatase_threshold) * h
             if (veto and p > rule.phosphatase_threshold) else 0.0)
    return h + dt * rate / rule.tau_h, p, k


@njit(cache=True, inline="always")
def quiet_plasticity(rule, h, p, k, duration):
    """``(h, P, K)`` after ``duration`` [s] without Ca2+, in closed form.

    ``P`` and ``K`` decay exponentially; the potentiation while ``K > theta_K+`` comes first
    (:func:`~synpharm.model.plasticity.kinase.excess_integral`), the depression while
    ``P > theta_P`` once the veto has ended (:func:`~.phosphatase.band_integral`) after it.
    """
    if k > rule.kinase_threshold:
        h = potentiate(h, excess_integral(k, duration, rule.kinase_tau, rule.kinase_threshold),
                       rule.gamma_p, rule.h_max, rule.tau_h)
    if p > rule.phosphatase_threshold:
        band = band_integral(p, veto_end(k, rule.kinase_tau, rule.kinase_veto), duration,
                             rule.phosphatase_tau, rule.phosphatase_threshold)
        h = depress(h, band, rule.phosphatase_gamma, rule.tau_h)
    p *= math.exp(-duration / rule.phosphatase_tau)
    k *= math.exp(-duration / rule.kinase_tau)
    return h, p, k

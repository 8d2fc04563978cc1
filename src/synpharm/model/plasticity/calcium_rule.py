"""THE calcium-based plasticity rule of synpharm, written once, with the evaluators solvers need.

Early phase (Graupner & Brunel 2012 PNAS 109:3991 gating; Luboeinski & Tetzlaff 2021 Commun Biol
4:275 relaxation), for an efficacy ``h`` (1 = baseline) and spine Ca2+ ``c``::

    tau_h dh/dt = relaxation (1 - h) + gamma_p (h_max - h) [c > theta_p] - gamma_d h [c > theta_d]

The slice engine applies the relaxation only between stimuli (:mod:`.closed_form`); the
Graupner-Brunel benchmark (:mod:`.graupner_brunel`) adds its bistable cubic drift and has
``h_max = 1``, no relaxation. Each caller picks the evaluator that fits its solver:

* :func:`early_phase_step` - one explicit step at a given Ca2+ (compiled slice kernels);
* :func:`gated_gain_loss` - with the gates fixed, the rule is linear, ``tau_h dh/dt = gain -
  loss h``; :func:`linear_relaxation` is its exact solution (human PAS, VEP tetanus, quiet gaps;
  ``gated_gain_loss_compiled`` for the compiled GB-LTP population);
* :func:`early_phase_noise` - the gated plasticity noise over a time spent above threshold;
* :func:`late_phase_capture` - tagged synapses capture plasticity-related protein into the late
  phase z (towards 1 for potentiated, -0.5 for depressed tags).

Slow phosphatase/kinase readout (decoding Ca2+ over seconds; :mod:`.phosphatase`): a
calcineurin-like activation ``P`` integrates spine Ca2+ with a deactivation time of seconds and
depresses ``h`` while it sits in the phosphatase-dominant band ``theta_P < P < theta_K``; above
``theta_K``, and after Ca2+ above theta_p until P has fallen below ``theta_P``, kinase activity
dominates and vetoes the depression.

Functions ending in ``_compiled`` are the numba versions of the same source, for compiled
kernels; the plain versions take numpy arrays.
"""

from __future__ import annotations

import numpy as np
from numba import njit, vectorize

__all__ = [
    "early_phase_noise",
    "early_phase_noise_compiled",
    "early_phase_step",
    "gated_gain_loss",
    "gated_gain_loss_compiled",
    "late_phase_capture",
    "late_phase_capture_compiled",
    "linear_relaxation",
    "phosphatase_step",
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


@njit(cache=True, inline="always")
def early_phase_step(rule, h, calcium, dt):
    """Efficacy after one explicit step ``dt`` [s] with Ca2+ ``calcium`` above theta_d.

    ``rule`` is any record with ``theta_p``, ``gamma_p``, ``gamma_d``, ``h_max`` and ``tau_h``
    (e.g. :class:`synpharm.model.slice_state.SliceConstants`); the caller checks theta_d.
    """
    rate = -rule.gamma_d * h
    if calcium > rule.theta_p:
        rate += rule.gamma_p * (rule.h_max - h)
    return h + dt * rate / rule.tau_h


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


#: late phase after capture: ``z`` late phase, ``change`` = h - 1, ``capture`` = exp(-integral
#: of protein / tau_late) (1 = none); untagged synapses (|h - 1| <= tag_threshold) keep z
late_phase_capture_compiled = njit(cache=True, inline="always")(_late_phase_capture)
late_phase_capture = vectorize(cache=True)(_late_phase_capture)


@njit(cache=True, inline="always")
def phosphatase_step(rule, p, h, kinase, calcium, dt):
    """Phosphatase activation, early phase and kinase flag after one explicit step ``dt`` [s].

    ``dP/dt = k c (1 - P) - P / tau_P`` and, in the phosphatase-dominant band
    ``theta_P < P < theta_K`` without kinase dominance, ``tau_h dh/dt = -gamma_P (P - theta_P) h``.
    Ca2+ above theta_p sets the kinase flag (1.0); it clears once P falls below theta_P.
    ``rule`` is any record with ``phosphatase_rate``, ``phosphatase_tau``,
    ``phosphatase_threshold``, ``kinase_threshold``, ``phosphatase_gamma``, ``theta_p`` and
    ``tau_h``. Returns ``(P, h, kinase)``.
    """
    p_new = p + dt * (rule.phosphatase_rate * calcium * (1.0 - p) - p / rule.phosphatase_tau)
    if calcium > rule.theta_p:
        kinase = 1.0
    if p_new <= rule.phosphatase_threshold:
        kinase = 0.0
    elif p_new < rule.kinase_threshold and kinase == 0.0:
        h -= dt * rule.phosphatase_gamma * (p_new - rule.phosphatase_threshold) * h / rule.tau_h
    return p_new, h, kinase

"""The calcium rule (:mod:`.calcium_rule`) in closed form: periodic trains, pairings, quiet gaps.

Used where stimulation is regular enough to skip step-by-step integration: the VEP tetanus
(:func:`tetanus_early_phase`, :func:`advance_quiet`) and human PAS pairings
(:func:`threshold_times`, :func:`early_phase_after_pairing`, :func:`relax_early_phase`).

The CA1 engine follows every synapse step by step through 100 Hz trains. A visual tetanus is
minutes of stimuli at ~9 Hz: each stimulus gives every synapse the same spine Ca2+ transient,
so the rule can be applied in closed form, batched over subjects x synapses. The equations are
those of :mod:`synpharm.solvers._kernels` (Graupner & Brunel 2012 early phase as used there,
Luboeinski & Tetzlaff 2021 tagging, protein synthesis and capture):

* while Ca2+ > theta_p: ``dh/dt = (-gamma_d h + gamma_p (h_max - h)) / tau_h``;
* while theta_d < Ca2+ <= theta_p: ``dh/dt = -gamma_d h / tau_h``;
* plasticity noise ``h_noise sqrt(T_above / tau_h) N(0, 1)`` over the time above theta_d;
* between stimuli: h relaxes to 1 at rate ``h_relaxation / tau_h``; the cell-wide protein level
  relaxes to 1 while the mean change of tagged synapses exceeds the protein-synthesis
  threshold; tagged synapses capture protein into the late phase z (towards 1 or -0.5).

Spine Ca2+ after each stimulus jumps by ``A`` and decays with ``tau_Ca``; for stimuli every
``T`` seconds the periodic steady state peaks at ``A / (1 - exp(-T / tau_Ca))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from synpharm.model.plasticity.calcium_rule import (
    early_phase_noise,
    gated_gain_loss,
    late_phase_capture,
    linear_relaxation,
    protein_synthesis_on_cells,
)
from synpharm.parameters import ParameterSet

__all__ = [
    "CalciumRule",
    "ThresholdTimes",
    "advance_quiet",
    "calcium_rule",
    "early_phase_after_pairing",
    "periodic_time_above",
    "relax_early_phase",
    "tetanus_early_phase",
    "threshold_times",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CalciumRule:
    """Constants of the calcium rule (SI units), read from a slice parameter set."""

    theta_p: float
    theta_d: float
    gamma_p: float
    gamma_d: float
    tau_h: float
    h_max: float
    h_noise: float
    h_relaxation: float
    tag_threshold: float
    protein_threshold: float
    tau_protein: float
    tau_late: float
    tau_calcium: float


def calcium_rule(p: ParameterSet) -> CalciumRule:
    """The rule of a slice parameter set (``ca1_slice.toml`` names).

    The fast-gate potentiation rate is ``gate_potentiation_rate``: the slice engine itself
    potentiates through the slow kinase (``potentiation_rate``, per unit kinase activation).
    """
    return CalciumRule(
        theta_p=p["potentiation_threshold"],
        theta_d=p["depression_threshold"],
        gamma_p=p["gate_potentiation_rate"],
        gamma_d=p["depression_rate"],
        tau_h=p["early_phase_time_constant"],
        h_max=p["early_phase_max"],
        h_noise=p["early_phase_noise"],
        h_relaxation=p["early_phase_relaxation"],
        tag_threshold=p["tag_threshold"],
        protein_threshold=p["protein_synthesis_threshold"],
        tau_protein=p["protein_time_constant"],
        tau_late=p["late_phase_time_constant"],
        tau_calcium=p["calcium_decay_time"],
    )


def periodic_time_above(
    jump: FloatArray, threshold: float, period: float, tau: float
) -> FloatArray:
    """Time [s] per period that a periodically kicked, decaying Ca2+ stays above ``threshold``.

    Parameters
    ----------
    jump
        Ca2+ increment per stimulus (threshold units), any shape.
    threshold
        Level, same units.
    period, tau
        Stimulus interval and Ca2+ decay time constant [s].

    Returns
    -------
    numpy.ndarray
        In [0, period], shape of ``jump``: ``tau ln(peak / threshold)`` for the periodic steady
        state ``peak = jump / (1 - exp(-period / tau))`` (the whole period if it never falls
        below the threshold).

    Examples
    --------
    >>> float(periodic_time_above(np.array(2.0), 1.0, 10.0, 1.0).round(6))
    0.693193
    """
    decay = np.exp(-period / tau)
    peak = np.asarray(jump, dtype=float) / (1.0 - decay)
    with np.errstate(divide="ignore"):
        above = tau * np.log(np.maximum(peak, 1e-300) / threshold)
    return np.clip(above, 0.0, period)


def tetanus_early_phase(
    h: FloatArray,
    jump: FloatArray,
    n_stimuli: int,
    period: float,
    rule: CalciumRule,
    rng: np.random.Generator,
) -> FloatArray:
    """Early-phase weights after ``n_stimuli`` periodic stimuli (closed form).

    Each period applies the affine map of the rule (time above theta_p, then time between the
    thresholds), so ``n`` periods are ``h_n = a^n h_0 + b (1 - a^n) / (1 - a)``; the plasticity
    noise of the whole window is added at the end, as the engine does after a train.

    Parameters
    ----------
    h
        Early-phase weights before the tetanus (1 = baseline), shape ``(..., n_synapses)``.
    jump
        Ca2+ increment per stimulus, same shape.
    n_stimuli, period
        Number of stimuli and their interval [s].
    rule
        The calcium rule.
    rng
        Source of the plasticity noise.

    Returns
    -------
    numpy.ndarray
        New early-phase weights in [0, h_max].
    """
    t_p = periodic_time_above(jump, rule.theta_p, period, rule.tau_calcium)
    t_d = periodic_time_above(jump, rule.theta_d, period, rule.tau_calcium)
    gain_p, loss_p = gated_gain_loss(rule.gamma_p, rule.gamma_d, rule.h_max, 0.0, 1.0, 1.0)
    _, loss_d = gated_gain_loss(rule.gamma_p, rule.gamma_d, rule.h_max, 0.0, 1.0, 0.0)
    rate_p = loss_p / rule.tau_h
    h_inf = gain_p / loss_p
    keep_p = np.exp(-rate_p * t_p)
    keep_d = np.exp(-loss_d * (t_d - t_p) / rule.tau_h)
    a = keep_p * keep_d  # h -> a h + b per period
    b = h_inf * (1.0 - keep_p) * keep_d
    a_n = a**n_stimuli
    with np.errstate(invalid="ignore", divide="ignore"):
        geometric = np.where(a < 1.0, (1.0 - a_n) / (1.0 - a), float(n_stimuli))
    h_new = a_n * h + b * geometric
    above = n_stimuli * t_d
    normal = rng.standard_normal(h.shape)
    kicked = early_phase_noise(h_new, above, normal, rule.h_noise, rule.tau_h, rule.h_max)
    return np.where(above > 0.0, kicked, h)


def advance_quiet(
    h: FloatArray,
    z: FloatArray,
    protein: FloatArray,
    duration: float,
    rule: CalciumRule,
    capture_gate: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Closed-form evolution over ``duration`` [s] without stimuli (as the slice engine).

    Parameters
    ----------
    h, z
        Early- and late-phase weights, shape ``(n_cells, n_synapses)``.
    protein
        Cell-wide plasticity-related protein level (0..1), shape ``(n_cells,)``.
    duration
        Interval [s]; the protein-synthesis trigger is evaluated at its start, so use steps of
        tens of seconds (the slice engine re-evaluates at every test pulse).
    rule
        The calcium rule.
    capture_gate
        Capture rate relative to the slice (synaptic-protein gating), shape ``(n_cells,)``.

    Returns
    -------
    h, z, protein
        New arrays (inputs are not modified).
    """
    change = np.abs(h - 1.0)
    tagged = change > rule.tag_threshold
    n_tag = tagged.sum(axis=1)
    tagged_change = np.where(tagged, change, 0.0).sum(axis=1)
    # the mean-change trigger (the slice switch protein_trigger_summed is not part of this rule)
    target = protein_synthesis_on_cells(n_tag, tagged_change, rule.protein_threshold,
                                        0.0).astype(float)
    decay_p = np.exp(-duration / rule.tau_protein)
    integral = target * duration + (protein - target) * rule.tau_protein * (1.0 - decay_p)
    capture = np.exp(-(capture_gate * integral / rule.tau_late))[:, None]
    d = h - 1.0
    z_new = late_phase_capture(z, d, capture, rule.tag_threshold)
    h_new = 1.0 + d * np.exp(-duration * rule.h_relaxation / rule.tau_h)
    return h_new, z_new, target + (protein - target) * decay_p


class ThresholdTimes(NamedTuple):
    """Time [s] spent in each plasticity regime during one pairing, arrays ``(n, p)``."""

    depression_before: FloatArray  # theta_d < c <= theta_p before the first potentiation
    potentiation: FloatArray  # c > theta_p
    depression_after: FloatArray  # theta_d < c <= theta_p afterwards


def threshold_times(params: ParameterSet, calcium: FloatArray, dt: float) -> ThresholdTimes:
    """Durations above the depression and potentiation thresholds, in their order.

    ``calcium`` is sampled every ``dt`` [s] along its last axis.
    """
    above_p = calcium > params["potentiation_threshold"]
    only_d = (calcium > params["depression_threshold"]) & ~above_p
    index = np.arange(calcium.shape[-1])
    first_p = np.where(above_p.any(axis=-1), above_p.argmax(axis=-1), calcium.shape[-1])
    before = only_d & (index < first_p[..., None])
    return ThresholdTimes(before.sum(axis=-1) * dt, above_p.sum(axis=-1) * dt,
                          (only_d & ~before).sum(axis=-1) * dt)


def _segment(params: ParameterSet, h: FloatArray, depression_on: float, potentiation_on: float,
             duration: FloatArray | float) -> FloatArray:
    """The rule with fixed gates and relaxation over ``duration`` [s], exactly."""
    gain, loss = gated_gain_loss(params["potentiation_rate"], params["depression_rate"],
                                 params["early_phase_max"], params["early_phase_relaxation"],
                                 depression_on, potentiation_on)
    return linear_relaxation(h, gain, loss, duration, params["early_phase_time_constant"])


def early_phase_after_pairing(params: ParameterSet, h: FloatArray, times: ThresholdTimes,
                              quiet: float) -> FloatArray:
    """Early-phase efficacy after one pairing and the quiet time until the next.

    Segments in order: depression only, potentiation, depression only, quiet (``quiet`` [s]
    minus the time above threshold); each is integrated exactly, with the relaxation towards 1
    acting throughout (human M1 parameter names as in ``human_motor_cortex.toml``).
    """
    h = _segment(params, h, 1.0, 0.0, times.depression_before)
    h = _segment(params, h, 1.0, 1.0, times.potentiation)
    h = _segment(params, h, 1.0, 0.0, times.depression_after)
    busy = times.depression_before + times.potentiation + times.depression_after
    return _segment(params, h, 0.0, 0.0, np.maximum(quiet - busy, 0.0))


def relax_early_phase(params: ParameterSet, h: FloatArray, duration: FloatArray | float
                      ) -> FloatArray:
    """Early-phase efficacy after ``duration`` [s] without plasticity events (decay to 1)."""
    return _segment(params, h, 0.0, 0.0, duration)

"""The Graupner & Brunel (2012) calcium-based plasticity rule: parameters and exact pieces.

Each synapse carries a calcium level ``c`` (in units of the presynaptic transient) and an
efficacy ``rho`` (0 = DOWN, 1 = UP)::

    dc/dt       = -c / tau_Ca;   c += C_pre at every presynaptic spike + D, c += C_post at every
                                 postsynaptic spike
    tau drho/dt = -rho (1 - rho) (rho* - rho) + gamma_p (1 - rho) H(c - theta_p)
                  - gamma_d rho H(c - theta_d)
                  + sigma sqrt(tau) sqrt(H(c - theta_d) + H(c - theta_p)) eta(t)

with the strict step ``H(x) = 1 if x > 0``. The noise does not depend on ``rho`` (additive
within a stretch of fixed gates), so the Ito and Stratonovich readings agree.

This is the project's calcium rule (:mod:`synpharm.model.plasticity.calcium_rule`) with
``h_max = 1``, no relaxation and the bistable cubic drift of the published model; the gated
linear part comes from :func:`~synpharm.model.plasticity.calcium_rule.gated_gain_loss`.

The compiled functions here are the rule's building blocks, shared by every engine:

* :func:`efficacy_drift` - the right-hand side for given gates;
* :func:`relax_efficacy` - closed-form solution of the cubic drift when calcium is below both
  thresholds (no noise there);
* :func:`time_above` - time until an exponentially decaying calcium level falls to a threshold;
* :func:`gated_efficacy_step` - one step with fixed gates: the gated terms are linear in rho
  and are solved exactly, noise included (an Ornstein-Uhlenbeck increment with the exact
  variance); only the slow cubic term is approximated (exponential Runge-Kutta, order 2);
* :func:`advance_synapse` - a stimulus-free interval: small steps only while calcium exceeds a
  threshold (split exactly at the crossing times), closed form afterwards.

References: Graupner M, Brunel N (2012) PNAS 109:3991 (model, Fig. 2 parameter set "DP");
correction of the noise term, PNAS 2013 doi:10.1073/pnas.1220044110.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from numba import njit

from synpharm.errors import InputError
from synpharm.model._rng import standard_normal
from synpharm.model.plasticity.calcium_rule import gated_gain_loss_compiled
from synpharm.parameters import ParameterSet, load_parameter_set, package_parameter_file

__all__ = [
    "DP_PARAMETER_FILE",
    "GraupnerBrunelRule",
    "advance_synapse",
    "efficacy_drift",
    "exponential_efficacy_step",
    "gated_efficacy_step",
    "gated_step_coefficients",
    "graupner_brunel_rule",
    "integrate_gated_stretch",
    "relax_efficacy",
    "substeps",
    "time_above",
]

#: Parameter file of the published "DP" set (Graupner & Brunel 2012, Fig. 2).
DP_PARAMETER_FILE = "graupner_brunel_dp"


class GraupnerBrunelRule(NamedTuple):
    """Constants of the rule in SI units (times in s; calcium and rates dimensionless).

    Handed as is to the compiled kernels. Build it with :func:`graupner_brunel_rule`.
    """

    calcium_decay_time: float  # tau_Ca [s]
    calcium_per_presynaptic_spike: float  # C_pre
    calcium_per_postsynaptic_spike: float  # C_post
    presynaptic_calcium_delay: float  # D [s]
    depression_threshold: float  # theta_d
    potentiation_threshold: float  # theta_p
    depression_rate: float  # gamma_d
    potentiation_rate: float  # gamma_p
    noise_amplitude: float  # sigma
    efficacy_time_constant: float  # tau [s]
    efficacy_boundary: float  # rho_star


_POSITIVE = ("calcium_decay_time", "efficacy_time_constant", "depression_threshold",
             "potentiation_threshold")
_NON_NEGATIVE = ("calcium_per_presynaptic_spike", "calcium_per_postsynaptic_spike",
                 "presynaptic_calcium_delay", "depression_rate", "potentiation_rate",
                 "noise_amplitude")


def _check_rule(rule: GraupnerBrunelRule) -> GraupnerBrunelRule:
    for name in _POSITIVE:
        value = getattr(rule, name)
        if not (math.isfinite(value) and value > 0.0):
            raise InputError(name, f"must be positive, got {value!r}", "give a value > 0")
    for name in _NON_NEGATIVE:
        value = getattr(rule, name)
        if not (math.isfinite(value) and value >= 0.0):
            raise InputError(name, f"must be >= 0, got {value!r}", "give a value >= 0")
    if not 0.0 < rule.efficacy_boundary < 1.0:
        raise InputError("efficacy_boundary", f"must lie in (0, 1), got {rule.efficacy_boundary!r}",
                         "give the unstable fixed point between DOWN (0) and UP (1)")
    return rule


def graupner_brunel_rule(
    parameters: ParameterSet | str = DP_PARAMETER_FILE, **overrides: float
) -> GraupnerBrunelRule:
    """The rule built from a parameter set (default: the published "DP" set).

    Parameters
    ----------
    parameters
        A :class:`~synpharm.parameters.ParameterSet` or the name of a parameter file shipped
        with synpharm. Its keys are the field names of :class:`GraupnerBrunelRule`.
    **overrides
        Replacement values in SI units, e.g. ``noise_amplitude=0.0`` for the deterministic rule.

    Examples
    --------
    >>> rule = graupner_brunel_rule(noise_amplitude=0.0)
    >>> rule.potentiation_threshold
    1.3
    """
    if isinstance(parameters, str):
        parameters = load_parameter_set(package_parameter_file(parameters))
    missing = [name for name in GraupnerBrunelRule._fields if name not in parameters]
    if missing:
        raise InputError(parameters.name, f"lacks parameters {missing}",
                         "add them to the parameter file")
    unknown = sorted(set(overrides) - set(GraupnerBrunelRule._fields))
    if unknown:
        raise InputError("overrides", f"unknown parameters {unknown}",
                         f"use names from {list(GraupnerBrunelRule._fields)}")
    values = {name: float(parameters[name]) for name in GraupnerBrunelRule._fields}
    values.update({name: float(value) for name, value in overrides.items()})
    return _check_rule(GraupnerBrunelRule(**values))


# ---------------------------------------------------------------------------- compiled pieces


@njit(cache=True, inline="always")
def efficacy_drift(rule, rho, depression_on, potentiation_on):
    """d rho / dt [1/s] for gates ``depression_on``, ``potentiation_on`` (0.0 or 1.0)."""
    gain, loss = gated_gain_loss_compiled(rule.potentiation_rate, rule.depression_rate, 1.0, 0.0,
                                          depression_on, potentiation_on)
    cubic = rho * (1.0 - rho) * (rho - rule.efficacy_boundary)
    return (cubic + gain - loss * rho) / rule.efficacy_time_constant


@njit(cache=True, inline="always")
def time_above(calcium, threshold, calcium_decay_time):
    """Time [s] until ``calcium * exp(-t / tau_Ca)`` falls to ``threshold`` (0 if not above)."""
    if calcium <= threshold:
        return 0.0
    return calcium_decay_time * math.log(calcium / threshold)


@njit(cache=True)
def _relax_half(rho, growth):
    """Closed form for rho* = 1/2: ``g = (rho - 1/2) / sqrt(|rho (1 - rho)|)`` grows as e^(t/4tau).

    Inside (0, 1): rho = 1/2 + g / (2 sqrt(1 + g^2)); outside: |rho - 1/2| = G / (2 sqrt(G^2 - 1))
    with G = |g|. Written without cancellation near 0 and 1.
    """
    u = rho - 0.5
    if 0.0 < rho < 1.0:
        g = abs(u) / math.sqrt(rho * (1.0 - rho)) * growth
        root = math.sqrt(1.0 + g * g)
        gap = 1.0 / (2.0 * root * (root + g))  # distance to the attracting end, 0 or 1
        return 1.0 - gap if u > 0.0 else gap
    big = abs(u) / math.sqrt(rho * (rho - 1.0)) * growth  # G > 1, grows
    root = math.sqrt(big * big - 1.0)
    excess = 1.0 / (2.0 * root * (big + root))  # distance beyond the end it approaches
    return 1.0 + excess if u > 0.0 else -excess


@njit(cache=True)
def _potential(rho, a):
    """Phi(rho) = ln|rho - a| - (1 - a) ln|rho| - a ln|1 - rho|, which grows as a(1-a) t / tau."""
    return math.log(abs(rho - a)) - (1.0 - a) * math.log(abs(rho)) - a * math.log(abs(1.0 - rho))


@njit(cache=True)
def _relax_general(rho, duration, a, tau):
    """Solve Phi(rho(t)) = Phi(rho0) + a (1 - a) t / tau by safeguarded Newton on a bracket."""
    target = _potential(rho, a) + a * (1.0 - a) * duration / tau
    end = 0.0 if rho < a else 1.0  # the attracting fixed point on this side
    lo, hi = rho, end  # Phi(lo) <= target, Phi -> +inf at end
    x = rho
    for _ in range(200):
        if x == end or not (min(lo, hi) <= x <= max(lo, hi)):
            x = 0.5 * (lo + hi)
        if x == end:
            return end
        residual = _potential(x, a) - target
        if residual == 0.0:
            return x
        if residual < 0.0:
            lo = x
        else:
            hi = x
        cubic = x * (1.0 - x) * (x - a)  # Phi'(x) = a (1 - a) / cubic
        new = x - residual * cubic / (a * (1.0 - a))
        if cubic == 0.0 or not (min(lo, hi) < new < max(lo, hi)):
            new = 0.5 * (lo + hi)
        if abs(new - x) <= 4e-16 * max(1.0, abs(x)):
            return new
        x = new
    return x


@njit(cache=True)
def relax_efficacy(rho, duration, boundary, time_constant):
    """Exact solution of ``tau drho/dt = -rho (1 - rho)(rho* - rho)`` after ``duration`` [s].

    ``rho`` moves monotonically away from ``boundary`` (rho*) towards 0 or 1 (also from outside
    [0, 1]); 0, 1 and rho* are fixed points. Closed form for rho* = 1/2, otherwise the implicit
    solution Phi(rho) = Phi(rho0) + rho*(1 - rho*) t / tau solved to round-off.
    """
    if duration <= 0.0 or rho == 0.0 or rho == 1.0 or rho == boundary:
        return rho
    if boundary == 0.5:
        return _relax_half(rho, math.exp(0.25 * duration / time_constant))
    return _relax_general(rho, duration, boundary, time_constant)


@njit(cache=True, inline="always")
def gated_step_coefficients(rule, step, depression_on, potentiation_on):
    """Coefficients of one exponential-integrator step of length ``step`` [s] with fixed gates.

    The gated terms are linear in rho: drho/dt = drive - rate rho + cubic(rho) + noise with
    rate = (gamma_p Hp + gamma_d Hd) / tau and drive = gamma_p Hp / tau. Returns (decay =
    e^(-rate h), phi = (1 - decay) / rate, psi = (rate h - 1 + decay) / (rate^2 h), drive, noise
    standard deviation of the exact Ornstein-Uhlenbeck increment), with the rate -> 0 limits.
    """
    tau = rule.efficacy_time_constant
    gain, loss = gated_gain_loss_compiled(rule.potentiation_rate, rule.depression_rate, 1.0, 0.0,
                                          depression_on, potentiation_on)
    rate = loss / tau
    drive = gain / tau
    x = rate * step
    decay_minus_one = math.expm1(-x)
    decay = 1.0 + decay_minus_one
    if x < 1e-4:  # series avoid the cancellation in phi and psi
        phi = step * (1.0 - x * (0.5 - x / 6.0))
        psi = step * (0.5 - x * (1.0 / 6.0 - x / 24.0))
    else:
        phi = -decay_minus_one / rate
        psi = (x + decay_minus_one) / (rate * x)
    variance = (depression_on + potentiation_on) * phi * (1.0 + decay) / (2.0 * tau)
    return decay, phi, psi, drive, rule.noise_amplitude * math.sqrt(variance)


@njit(cache=True, inline="always")
def exponential_efficacy_step(rule, rho, decay, phi, psi, drive, noise):
    """One step with coefficients from :func:`gated_step_coefficients` and a scaled ``noise``.

    Exponential time differencing, ETD2RK (Cox & Matthews 2002 J Comput Phys 176:430): the
    linear gated part and the Ornstein-Uhlenbeck noise are exact, the cubic term second order.
    """
    boundary = rule.efficacy_boundary
    cubic = rho * (1.0 - rho) * (rho - boundary)  # times 1 / tau
    predicted = rho * decay + drive * phi + noise + cubic * (phi / rule.efficacy_time_constant)
    cubic_predicted = predicted * (1.0 - predicted) * (predicted - boundary)
    return predicted + (cubic_predicted - cubic) * (psi / rule.efficacy_time_constant)


@njit(cache=True)
def gated_efficacy_step(rule, rho, step, depression_on, potentiation_on, normal_draw):
    """One step of length ``step`` [s] with fixed gates (0.0 or 1.0) and a N(0, 1) draw.

    The gated terms are linear in rho and are integrated exactly (with the exact Ornstein-
    Uhlenbeck noise increment); the slow cubic drift by a second-order exponential Runge-Kutta
    correction. For engines that follow calcium step by step (``normal_draw = 0`` for sigma = 0).
    """
    decay, phi, psi, drive, sd = gated_step_coefficients(rule, step, depression_on,
                                                         potentiation_on)
    return exponential_efficacy_step(rule, rho, decay, phi, psi, drive, sd * normal_draw)


@njit(cache=True, inline="always")
def substeps(duration, max_step):
    """Number of equal steps no longer than ``max_step`` (up to round-off) covering ``duration``.

    The 1e-9 slack keeps stretches that differ only by the round-off of event times (e.g.
    10 ms between pulses at 1200.0137 s and 1200.0237 s) at the same number of steps.
    """
    return max(1, math.ceil(duration / max_step - 1e-9))


@njit(cache=True)
def integrate_gated_stretch(rule, rho, duration, depression_on, potentiation_on, max_step, states,
                     stream):
    """Integrate a stretch of fixed gates in ceil(duration / max_step) equal steps.

    Normal draws come from stream ``stream`` of ``states`` (see :mod:`synpharm.model._rng`).
    """
    n = substeps(duration, max_step)
    decay, phi, psi, drive, sd = gated_step_coefficients(rule, duration / n, depression_on,
                                                         potentiation_on)
    for _ in range(n):
        noise = sd * standard_normal(states, stream) if sd > 0.0 else 0.0
        rho = exponential_efficacy_step(rule, rho, decay, phi, psi, drive, noise)
    return rho


@njit(cache=True)
def advance_synapse(rule, rho, calcium, duration, max_step, states, stream):
    """Advance one synapse over ``duration`` [s] without spikes; returns (rho, calcium).

    Calcium decays exactly; the times at which it falls below each threshold are computed
    analytically, the stretches above a threshold are integrated in steps no longer than
    ``max_step`` (with the gated noise drawn from ``states[stream]``), the rest in closed form.
    """
    if duration <= 0.0:
        return rho, calcium
    tau_ca = rule.calcium_decay_time
    until_p = time_above(calcium, rule.potentiation_threshold, tau_ca)
    until_d = time_above(calcium, rule.depression_threshold, tau_ca)
    both_end = min(min(until_p, until_d), duration)
    one_end = min(max(until_p, until_d), duration)
    if both_end > 0.0:
        rho = integrate_gated_stretch(rule, rho, both_end, 1.0, 1.0, max_step, states, stream)
    if one_end > both_end:
        depression_on = 1.0 if until_d > until_p else 0.0
        rho = integrate_gated_stretch(rule, rho, one_end - both_end, depression_on,
                               1.0 - depression_on, max_step, states, stream)
    if duration > one_end:
        rho = relax_efficacy(rho, duration - one_end, rule.efficacy_boundary,
                             rule.efficacy_time_constant)
    return rho, calcium * math.exp(-duration / tau_ca)

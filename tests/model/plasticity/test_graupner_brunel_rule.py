"""The Graupner-Brunel rule's pieces against analytic solutions and fine-step integration."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from synpharm.errors import InputError
from synpharm.model.plasticity.graupner_brunel import (
    DP_PARAMETER_FILE,
    GraupnerBrunelRule,
    advance_synapse,
    efficacy_drift,
    gated_efficacy_step,
    graupner_brunel_rule,
    integrate_gated_stretch,
    relax_efficacy,
    time_above,
)
from synpharm.parameters import load_parameter_set, package_parameter_file

BENCH = Path(__file__).resolve().parents[2] / "data" / "bench"
RULE = graupner_brunel_rule(noise_amplitude=0.0)


def _cubic_reference(rho0: float, duration: float, boundary: float, tau: float) -> float:
    """tau drho/dt = -rho (1 - rho)(rho* - rho), DOP853 at tight tolerances."""
    sol = solve_ivp(lambda t, y: [-y[0] * (1 - y[0]) * (boundary - y[0]) / tau],
                    (0.0, duration), [rho0], method="DOP853", rtol=1e-12, atol=1e-14)
    return float(sol.y[0, -1])


def _gated_reference(rule, rho0, duration, depression_on, potentiation_on):
    def rhs(t, y):
        r = y[0]
        return [(r * (1 - r) * (r - rule.efficacy_boundary)
                 + rule.potentiation_rate * (1 - r) * potentiation_on
                 - rule.depression_rate * r * depression_on) / rule.efficacy_time_constant]

    sol = solve_ivp(rhs, (0.0, duration), [rho0], method="DOP853", rtol=1e-12, atol=1e-14)
    return float(sol.y[0, -1])


def _states(n: int = 1) -> np.ndarray:
    return np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)


# ------------------------------------------------------------------------- parameters


def test_dp_parameter_file_cites_every_value():
    parameters = load_parameter_set(package_parameter_file(DP_PARAMETER_FILE))
    assert set(parameters) == set(GraupnerBrunelRule._fields)
    for name in parameters:
        assert "Graupner & Brunel 2012 PNAS 109:3991" in parameters.parameter(name).source


def test_dp_set_equals_the_gb_ltp_specification():
    sys.path.insert(0, str(BENCH))
    import gb_ltp_protocol as gp

    rule = graupner_brunel_rule()
    pairs = {"calcium_decay_time": "tau_Ca", "calcium_per_presynaptic_spike": "C_pre",
             "calcium_per_postsynaptic_spike": "C_post", "presynaptic_calcium_delay": "D",
             "depression_threshold": "theta_d", "potentiation_threshold": "theta_p",
             "depression_rate": "gamma_d", "potentiation_rate": "gamma_p",
             "noise_amplitude": "sigma", "efficacy_time_constant": "tau",
             "efficacy_boundary": "rho_star"}
    for ours, theirs in pairs.items():
        assert getattr(rule, ours) == pytest.approx(gp.DP[theirs], rel=1e-12), ours


@pytest.mark.parametrize(("override", "field"), [
    ({"calcium_decay_time": 0.0}, "calcium_decay_time"),
    ({"depression_rate": -1.0}, "depression_rate"),
    ({"efficacy_boundary": 1.0}, "efficacy_boundary"),
    ({"noise_amplitude": float("nan")}, "noise_amplitude"),
    ({"learning_rate": 1.0}, "overrides"),
])
def test_bad_parameters_are_input_errors(override, field):
    with pytest.raises(InputError) as info:
        graupner_brunel_rule(**override)
    assert info.value.field == field


# ------------------------------------------------------------------- closed forms


def test_time_above_is_the_analytic_threshold_crossing():
    tau_ca = 0.02
    for calcium, threshold in [(2.5, 1.3), (1.31, 1.3), (7.0, 1.0)]:
        t = time_above(calcium, threshold, tau_ca)
        assert calcium * math.exp(-t / tau_ca) == pytest.approx(threshold, rel=1e-14)
    assert time_above(1.0, 1.0, tau_ca) == 0.0  # strict threshold: exactly at it is not above
    assert time_above(0.5, 1.0, tau_ca) == 0.0


@pytest.mark.parametrize("boundary", [0.5, 0.3])
@pytest.mark.parametrize("rho0", [0.02, 0.45, 0.55, 0.9999, 1.05, -0.03])
@pytest.mark.parametrize("duration", [1.0, 150.0, 3000.0])
def test_cubic_drift_closed_form_matches_dop853(boundary, rho0, duration):
    tau = 150.0
    exact = relax_efficacy(rho0, duration, boundary, tau)
    assert exact == pytest.approx(_cubic_reference(rho0, duration, boundary, tau), abs=1e-10)


@pytest.mark.parametrize("boundary", [0.5, 0.3])
def test_cubic_drift_fine_step_euler_converges_to_the_closed_form(boundary):
    tau, duration, rho0 = 150.0, 600.0, 0.62
    exact = relax_efficacy(rho0, duration, boundary, tau)
    errors = []
    for n in (500, 1000, 2000):
        rho, dt = rho0, duration / n
        for _ in range(n):
            rho += dt * rho * (1 - rho) * (rho - boundary) / tau
        errors.append(abs(rho - exact))
    assert errors[0] > errors[1] > errors[2]
    assert errors[0] / errors[2] == pytest.approx(4.0, rel=0.1)  # Euler: first order


@settings(max_examples=60, deadline=None)
@given(rho0=st.floats(0.0, 1.0), a=st.floats(0.0, 2000.0), b=st.floats(0.0, 2000.0),
       boundary=st.sampled_from([0.5, 0.3, 0.7]))
def test_cubic_drift_stays_in_unit_interval_and_composes(rho0, a, b, boundary):
    tau = 150.0
    once = relax_efficacy(rho0, a + b, boundary, tau)
    twice = relax_efficacy(relax_efficacy(rho0, a, boundary, tau), b, boundary, tau)
    assert 0.0 <= once <= 1.0
    assert once == pytest.approx(twice, abs=1e-12)
    # moves away from the unstable fixed point rho*, never across it
    assert (once - boundary) * (rho0 - boundary) >= 0.0
    assert abs(once - boundary) >= abs(rho0 - boundary) - 1e-15


# ----------------------------------------------------------- gated stretches


@pytest.mark.parametrize(("depression_on", "potentiation_on"), [(1.0, 1.0), (1.0, 0.0)])
def test_gated_stretch_converges_at_second_order(depression_on, potentiation_on):
    rho0, duration = 0.2, 0.4
    exact = _gated_reference(RULE, rho0, duration, depression_on, potentiation_on)
    errors = []
    for max_step in (0.04, 0.02, 0.01):
        rho = integrate_gated_stretch(RULE, rho0, duration, depression_on, potentiation_on,
                                      max_step, _states(), 0)
        errors.append(abs(rho - exact))
    assert errors[0] < 1e-7  # the gated part is exact, only the slow cubic is approximated
    assert errors[0] > errors[1] > errors[2]
    assert errors[0] / errors[2] > 10.0  # ~16 for second order, 4 for first


def test_single_gated_step_without_noise():
    """Without noise one 50 ms step (1/6 of the relaxation time) is the exact exponential
    approach to gamma_p / (gamma_p + gamma_d) plus the cubic drift's contribution, which is
    captured to a few per cent in one step and to second order in the step."""
    rho0, step = 0.1, 0.05
    rate = (RULE.potentiation_rate + RULE.depression_rate) / RULE.efficacy_time_constant
    target = RULE.potentiation_rate / (RULE.potentiation_rate + RULE.depression_rate)
    linear_only = target + (rho0 - target) * math.exp(-rate * step)
    exact = _gated_reference(RULE, rho0, step, 1.0, 1.0)
    ours = gated_efficacy_step(RULE, rho0, step, 1.0, 1.0, 0.0)
    assert abs(exact - linear_only) > 1e-5  # the cubic drift matters at this precision
    assert abs(ours - exact) < 0.05 * abs(exact - linear_only)
    five_steps = rho0
    for _ in range(5):
        five_steps = gated_efficacy_step(RULE, five_steps, step / 5, 1.0, 1.0, 0.0)
    assert abs(five_steps - exact) < abs(ours - exact) / 15.0


@pytest.mark.parametrize(("depression_on", "potentiation_on"), [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)])
def test_a_tiny_step_follows_the_drift(depression_on, potentiation_on):
    rho, step = 0.7, 1e-6
    moved = gated_efficacy_step(RULE, rho, step, depression_on, potentiation_on, 0.0) - rho
    assert moved == pytest.approx(step * efficacy_drift(RULE, rho, depression_on,
                                                        potentiation_on), rel=1e-5)


def test_advance_synapse_splits_at_threshold_crossings():
    """After a calcium jump to c0, potentiation acts for tau_Ca ln(c0/theta_p) and depression
    for tau_Ca ln(c0/theta_d): the result equals those two stretches done by hand."""
    rule, c0, duration = RULE, 2.4, 0.2
    rho, calcium = advance_synapse(rule, 0.3, c0, duration, 1e-3, _states(), 0)
    t_p = rule.calcium_decay_time * math.log(c0 / rule.potentiation_threshold)
    t_d = rule.calcium_decay_time * math.log(c0 / rule.depression_threshold)
    by_hand = _gated_reference(rule, 0.3, t_p, 1.0, 1.0)
    by_hand = _gated_reference(rule, by_hand, t_d - t_p, 1.0, 0.0)
    by_hand = relax_efficacy(by_hand, duration - t_d, rule.efficacy_boundary,
                             rule.efficacy_time_constant)
    assert rho == pytest.approx(by_hand, abs=1e-9)
    assert calcium == pytest.approx(c0 * math.exp(-duration / rule.calcium_decay_time),
                                    rel=1e-14)


def _euler_maruyama(rule, rho0, duration, dt, n, rng):
    rho = np.full(n, rho0)
    scale = rule.noise_amplitude * math.sqrt(2.0 * dt / rule.efficacy_time_constant)
    for _ in range(round(duration / dt)):
        drift = (rho * (1 - rho) * (rho - rule.efficacy_boundary)
                 + rule.potentiation_rate * (1 - rho) - rule.depression_rate * rho)
        rho = rho + dt * drift / rule.efficacy_time_constant + scale * rng.standard_normal(n)
    return rho


def test_gated_noise_in_large_steps_has_the_fine_step_statistics():
    """Large exponential steps (10 ms) with exact OU increments vs Euler-Maruyama at 0.1 ms."""
    rule = graupner_brunel_rule()
    n, duration = 4000, 0.6
    states = (np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
              ) ^ np.uint64(12345)
    large = np.array([integrate_gated_stretch(rule, 0.0, duration, 1.0, 1.0, 10e-3, states, i)
                      for i in range(n)])
    fine = _euler_maruyama(rule, 0.0, duration, 1e-4, n, np.random.default_rng(5))
    se_mean = math.sqrt(large.var() / n + fine.var() / n)
    assert abs(large.mean() - fine.mean()) < 4.0 * se_mean
    assert large.std() == pytest.approx(fine.std(), rel=4.0 * math.sqrt(1.0 / n))
    # and the spread is the noise's, not zero: sigma^2/tau * (1 - e^{-2 r t}) / r, r = rate
    rate = (rule.potentiation_rate + rule.depression_rate) / rule.efficacy_time_constant
    ou_sd = math.sqrt(rule.noise_amplitude**2 / rule.efficacy_time_constant
                      * (1 - math.exp(-2 * rate * duration)) / rate)
    assert large.std() == pytest.approx(ou_sd, rel=0.06)

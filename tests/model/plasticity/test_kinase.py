"""The slow kinase (CaMKII-like) readout: time constant, closed forms against stepping, and
the integration that separates one long Ca2+ transient from a train."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plasticity_rule_values import rule_constants

from synpharm.model.plasticity.calcium_rule import plasticity_step, quiet_plasticity
from synpharm.model.plasticity.kinase import (
    excess_integral,
    kinase_drive,
    kinase_step,
    potentiate,
    veto_end,
)

RULE = rule_constants()


def _stepped(h, p, k, duration, dt=1e-3, calcium=0.0):
    for _ in range(round(duration / dt)):
        h, p, k = plasticity_step(RULE, h, p, k, calcium, dt)
    return h, p, k


def test_kinase_decays_with_its_time_constant():
    """Without Ca2+, K decays exponentially with tau_K, stepwise and in closed form."""
    _, _, k_step = _stepped(1.0, 0.0, 0.3, 5.0)
    _, _, k_closed = quiet_plasticity(RULE, 1.0, 0.0, 0.3, 5.0)
    expected = 0.3 * np.exp(-5.0 / RULE.kinase_tau)
    assert k_closed == pytest.approx(expected, rel=1e-12)
    assert k_step == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize(("h0", "p0", "k0"), [(1.0, 0.0, 0.6), (1.3, 0.5, 0.6), (0.9, 0.5, 0.05),
                                              (1.0, 0.9, 0.2), (1.0, 0.1, 0.005)])
def test_quiet_gap_closed_form_equals_stepwise_integration(h0, p0, k0):
    """Potentiation while K > theta_K+, veto while K > theta_Kv, depression in the phosphatase
    band after the veto: the closed form of a quiet gap equals explicit stepping."""
    closed = quiet_plasticity(RULE, h0, p0, k0, 40.0)
    stepped = _stepped(h0, p0, k0, 40.0, dt=2e-4)
    np.testing.assert_allclose(closed, stepped, rtol=2e-4, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(0.01, 100.0), st.floats(0.05, 0.9))
def test_excess_integral_matches_quadrature(k0, duration, theta):
    t = np.linspace(0.0, duration, 200001)
    y = np.maximum(k0 * np.exp(-t / 10.0) - theta, 0.0)
    numeric = float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(t)))
    assert excess_integral(k0, duration, 10.0, theta) == pytest.approx(numeric, rel=1e-3,
                                                                       abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 2.381), st.floats(0.0, 5.0), st.floats(0.0, 5.0))
def test_potentiation_is_monotone_and_bounded(h, a, b):
    """More kinase excess never potentiates less, and h never passes h_max."""
    lo, hi = sorted((a, b))
    h_lo = potentiate(h, lo, RULE.gamma_p, RULE.h_max, RULE.tau_h)
    h_hi = potentiate(h, hi, RULE.gamma_p, RULE.h_max, RULE.tau_h)
    assert h - 1e-12 <= h_lo <= h_hi <= RULE.h_max


def test_drive_is_steep_saturating_and_cut_below_theta_d():
    assert kinase_drive(RULE.theta_p, RULE.theta_p, 4.0, RULE.theta_d) == pytest.approx(0.5)
    assert kinase_drive(1.0, RULE.theta_p, 4.0, RULE.theta_d) == 0.0
    assert kinase_drive(30.0, RULE.theta_p, 4.0, RULE.theta_d) > 0.999
    # steep: from theta_p / 2 to 2 theta_p the drive rises ~15-fold
    ratio = (kinase_drive(6.0, 3.0, 4.0, 1.2) / kinase_drive(1.5, 3.0, 4.0, 1.2))
    assert ratio > 14.0
    assert veto_end(0.005, 10.0, 0.01) == 0.0
    assert veto_end(0.02, 10.0, 0.01) == pytest.approx(10.0 * np.log(2.0))


def _transient(peak, tau, duration, dt=1e-4):
    t = np.arange(0.0, duration, dt)
    return peak * np.exp(-t / tau)


def test_one_long_transient_does_not_potentiate_but_a_train_does():
    """The integration of the rule: one NMDA Ca2+ transient above theta_p for ~130 ms (a
    released vesicle at an unblocked synapse in 0 Mg2+, peak 5.4, NMDA closing time 151 ms)
    leaves h at 1 over the next minute, while 100 pulses at 100 Hz, each with a smaller
    transient, potentiate (the same rule, Ca2+ integrated over the train by K; spine Ca2+
    peaks at 15-20 during a 1-s train in the engine, here 8 per pulse without summation)."""
    dt = 1e-4
    h, p, k = 1.0, 0.0, 0.0
    for c in _transient(5.4, 0.151, 0.6, dt):
        h, p, k = plasticity_step(RULE, h, p, k, c, dt)
    assert k < RULE.kinase_threshold
    h, p, k = quiet_plasticity(RULE, h, p, k, 60.0)
    # the fast theta_d gate acts for the ~10 ms before K passes theta_Kv: ~1e-3 of depression,
    # against +6-8e-2 per pulse from the former fast potentiation gate c > theta_p
    assert h <= 1.0
    assert h == pytest.approx(1.0, abs=2e-3)

    h, p, k = 1.0, 0.0, 0.0
    pulse = _transient(8.0, 0.014, 0.01, dt)
    for _ in range(100):
        for c in pulse:
            h, p, k = plasticity_step(RULE, h, p, k, c, dt)
    assert k > RULE.kinase_threshold
    h, p, k = quiet_plasticity(RULE, h, p, k, 60.0)
    assert h > 1.02  # (engine-level: +20-30 % per 1-s train, LIT-GEN-1)


def test_kinase_step_saturates_at_one():
    k = 0.0
    for _ in range(200000):
        k = kinase_step(k, 1.0, 1e-3, RULE.kinase_rate, RULE.kinase_tau)
    k_inf = RULE.kinase_rate / (RULE.kinase_rate + 1.0 / RULE.kinase_tau)
    assert k == pytest.approx(k_inf, rel=1e-6)

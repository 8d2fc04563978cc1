"""The slow phosphatase/kinase readout: closed forms against iteration and integration."""

from __future__ import annotations

import numpy as np
import pytest
from plasticity_rule_values import rule_constants

from synpharm.model.plasticity.calcium_rule import plasticity_step
from synpharm.model.plasticity.phosphatase import (
    activation,
    band_integral,
    depress,
    periodic_peak,
)

#: the rule's values, with the phosphatase fit these tests were written for
RULE = rule_constants(phosphatase_threshold=0.12, phosphatase_gamma=3.0, gamma_p=300.0,
                      gamma_d=60.0)


@pytest.mark.parametrize(("integral", "period"), [(0.02, 1.0), (0.02, 1.0 / 3.0), (0.3, 0.1)])
def test_periodic_steady_state_is_the_geometric_sum(integral, period):
    """Iterating impulse activation and decay converges to (1 - a) / (1 - a d)."""
    p = 0.0
    for _ in range(20000):
        p = activation(p, integral, RULE.phosphatase_rate)
        peak = p
        p *= np.exp(-period / RULE.phosphatase_tau)
    expected = periodic_peak(integral, period, RULE.phosphatase_rate, RULE.phosphatase_tau)
    assert peak == pytest.approx(float(expected), rel=1e-9)


def test_steady_state_grows_with_frequency_and_saturates():
    peaks = [float(periodic_peak(0.02, 1.0 / f, 1.0, 20.0)) for f in (0.05, 1.0, 3.0, 10.0)]
    assert peaks == sorted(peaks)
    assert peaks[-1] < 1.0
    # linear regime (weak transients): summation 1 / (1 - exp(-T / tau))
    weak = [float(periodic_peak(1e-5, 1.0 / f, 1.0, 20.0)) for f in (0.05, 1.0)]
    assert weak[1] / weak[0] == pytest.approx((1 - np.exp(-20 / 20)) / (1 - np.exp(-1 / 20)),
                                                rel=0.02)


@pytest.mark.parametrize("p0", [0.05, 0.3, 0.49, 0.9, 1.0])
@pytest.mark.parametrize("duration", [0.5, 5.0, 200.0])
@pytest.mark.parametrize("start", [0.0, 3.0, 50.0])
def test_band_integral_matches_quadrature(p0, duration, start):
    t = np.linspace(0.0, duration, 400001)
    p = p0 * np.exp(-t / RULE.phosphatase_tau)
    in_band = (p > RULE.phosphatase_threshold) & (t >= start)
    y = np.where(in_band, p - RULE.phosphatase_threshold, 0.0)
    numeric = float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(t)))
    closed = band_integral(p0, start, duration, RULE.phosphatase_tau, RULE.phosphatase_threshold)
    assert closed == pytest.approx(numeric, rel=1e-4, abs=1e-5)


def test_explicit_steps_converge_to_the_closed_form_gap():
    """Step-by-step P and h over a quiet gap (no kinase) equal the closed-form decay and
    depression."""
    p, h, k, dt = 0.45, 1.0, 0.0, 1e-3
    for _ in range(int(10.0 / dt)):
        h, p, k = plasticity_step(RULE, h, p, k, 0.0, dt)
    band = band_integral(0.45, 0.0, 10.0, RULE.phosphatase_tau, RULE.phosphatase_threshold)
    assert p == pytest.approx(0.45 * np.exp(-10.0 / 20.0), rel=1e-3)
    assert h == pytest.approx(depress(1.0, band, RULE.phosphatase_gamma, RULE.tau_h), rel=1e-5)
    assert h < 1.0


def test_kinase_vetoes_depression_until_it_has_decayed():
    """While K > theta_Kv the phosphatase in its band does not depress; once K has decayed
    below theta_Kv (P still above theta_P) it depresses again."""
    h, p, k, dt = 1.0, 0.9, 0.2, 1e-3
    t_veto = RULE.kinase_tau * np.log(k / RULE.kinase_veto)
    for _ in range(int(0.95 * t_veto / dt)):
        h, p, k = plasticity_step(RULE, h, p, k, 0.0, dt)
    assert h == 1.0
    for _ in range(int(0.1 * t_veto / dt)):
        h, p, k = plasticity_step(RULE, h, p, k, 0.0, dt)
    assert p > RULE.phosphatase_threshold
    assert k < RULE.kinase_veto
    assert h < 1.0

"""The slow phosphatase/kinase readout: closed forms against iteration and integration."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

from synpharm.model.plasticity.calcium_rule import phosphatase_step
from synpharm.model.plasticity.phosphatase import (
    activation,
    band_integral,
    depress,
    periodic_peak,
)

Rule = namedtuple("Rule", "phosphatase_rate phosphatase_tau phosphatase_threshold "
                          "kinase_threshold phosphatase_gamma tau_h theta_p")
RULE = Rule(1.0, 20.0, 0.12, 0.5, 3.0, 688.4, 3.0)


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
def test_band_integral_matches_quadrature(p0, duration):
    t = np.linspace(0.0, duration, 400001)
    p = p0 * np.exp(-t / RULE.phosphatase_tau)
    in_band = (p > RULE.phosphatase_threshold) & (p < RULE.kinase_threshold)
    y = np.where(in_band, p - RULE.phosphatase_threshold, 0.0)
    numeric = float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(t)))
    closed = band_integral(p0, duration, RULE.phosphatase_tau, RULE.phosphatase_threshold,
                           RULE.kinase_threshold)
    assert closed == pytest.approx(numeric, rel=1e-4, abs=1e-5)


def test_explicit_steps_converge_to_the_closed_form_gap():
    """Step-by-step P and h over a quiet gap equal the closed-form decay and depression."""
    p, h, dt = 0.45, 1.0, 1e-3
    for _ in range(int(10.0 / dt)):
        p, h, _ = phosphatase_step(RULE, p, h, 0.0, 0.0, dt)
    band = band_integral(0.45, 10.0, RULE.phosphatase_tau, RULE.phosphatase_threshold,
                         RULE.kinase_threshold)
    assert p == pytest.approx(0.45 * np.exp(-10.0 / 20.0), rel=1e-3)
    assert h == pytest.approx(depress(1.0, band, RULE.phosphatase_gamma, RULE.tau_h), rel=1e-5)
    assert h < 1.0


def test_kinase_dominance_vetoes_depression():
    """Above the kinase threshold the phosphatase does not depress."""
    _, h, _ = phosphatase_step(RULE, 0.9, 1.0, 0.0, 0.0, 1e-3)
    assert h == 1.0
    assert band_integral(0.9, 1.0, 20.0, 0.12, 0.5) == 0.0  # still above 0.5 after 1 s


def test_kinase_flag_vetoes_depression_until_the_phosphatase_has_decayed():
    """Ca2+ above theta_p sets the kinase flag: no depression while P decays through the band;
    the flag clears once P is below theta_P."""
    p, h, kinase = phosphatase_step(RULE, 0.45, 1.0, 0.0, 3.5, 1e-3)
    assert kinase == 1.0
    for _ in range(int(40.0 / 1e-3)):
        p, h, kinase = phosphatase_step(RULE, p, h, kinase, 0.0, 1e-3)
    assert h == 1.0
    assert p < RULE.phosphatase_threshold
    assert kinase == 0.0

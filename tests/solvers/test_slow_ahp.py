"""Slow Ca2+-activated K+ current I_K(AHP) of the CA1 dendrite (Pinsky & Rinzel 1994).

``I = g_AHP q (V - E_K)``; the gate opens at ``alpha_q = min(r pool, alpha_max)`` and closes
with ``ahp_tau`` (``solvers/_neuron.dendritic_calcium_step``, ``relax_slow_ahp``). Expected
values come from the parameter file and closed forms, never from the model's output:

* mapping: g_AHP is the published density on the load-mapped area; the opening rate per unit
  of the model's pool is the published one per unit of theirs times the saturation level;
* with the pool held, q approaches ``alpha / (alpha + beta)`` with rate ``alpha + beta``,
  rising with the pool up to the ceiling; with the pool empty it decays with ``ahp_tau``
  (stepping and the closed form of a quiet gap alike);
* it carries no current at rest and leaves the first Ca2+ spike from rest unchanged;
* it suppresses repetitive Ca2+ spiking: fewer Ca2+ spikes under 10 Hz input and under a
  sustained drive, with lengthening intervals (spike-frequency adaptation).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dendritic_plateau import _ca1, _cell, _constants, _run

from synpharm.model import slice_state as L
from synpharm.solvers import _neuron as N

SPIKE = -0.030  # a Ca2+ spike carries the dendrite above -30 mV (EPSPs here stay below)


def _held_pool(c, pool: float, duration: float, q0: float = 0.0) -> float:
    """q after ``duration`` at rest with the pool clamped at ``pool``."""
    sl, _ = _cell(c)
    sl[0, L.AHP_GATE] = q0
    for _ in range(round(duration / c.dt)):
        sl[0, L.DENDRITIC_CALCIUM] = pool
        N.dendritic_calcium_step(c, 0, sl, c.dt)
    return float(sl[0, L.AHP_GATE])


def test_mapping_follows_the_published_values():
    p = _ca1().parameters
    c = _constants()
    area = c.plateau_g_ca / p["dendritic_calcium_conductance_density"]
    assert c.plateau_g_ahp == pytest.approx(p["dendritic_slow_ahp_density"] * area)
    assert c.ahp_rate_per_pool == pytest.approx(
        p["slow_ahp_gate_rate_per_calcium"] * p["calcium_activated_k_saturation"])
    assert c.ahp_max_rate == pytest.approx(10.0)  # 0.01 / ms
    assert c.ahp_tau == pytest.approx(1.0)  # beta_q = 0.001 / ms


@settings(max_examples=15, deadline=None)
@given(st.floats(0.05, 4.0))
def test_q_with_a_held_pool_follows_the_closed_form(pool):
    c = _constants()
    t = 0.05
    alpha = min(c.ahp_rate_per_pool * pool, c.ahp_max_rate)
    rate = alpha + 1.0 / c.ahp_tau
    expected = alpha / rate * (1.0 - math.exp(-rate * t))
    # the pool is clamped before each step; the step lets it decay by dt / tau_Ca first
    assert _held_pool(c, pool, t) == pytest.approx(expected, rel=0.01)


def test_q_rises_with_the_pool_up_to_the_ceiling():
    c = _constants()
    pools = [0.1, 0.3, 1.0, 1.9]
    q = [_held_pool(c, pool, 0.05) for pool in pools]
    assert np.all(np.diff(q) > 0)
    saturating = c.ahp_max_rate / c.ahp_rate_per_pool  # pool at which alpha_q hits its ceiling
    assert _held_pool(c, 2.0 * saturating, 0.05) == pytest.approx(
        _held_pool(c, 4.0 * saturating, 0.05), rel=1e-3)


def test_q_decays_with_its_time_constant_stepped_and_over_a_quiet_gap():
    c = _constants()
    assert _held_pool(c, 0.0, 0.3, q0=0.5) == pytest.approx(0.5 * math.exp(-0.3 / c.ahp_tau),
                                                            rel=1e-3)
    sl, drug = _cell(c)
    sl[0, L.AHP_GATE] = 0.5
    N.relax_slice(c, 0, sl, drug, 2.0)
    assert sl[0, L.AHP_GATE] == pytest.approx(0.5 * math.exp(-2.0 / c.ahp_tau))


def test_no_current_at_rest_and_the_first_calcium_spike_is_unchanged():
    c = _constants()
    sl, drug = _cell(c)
    assert np.abs(_run(c, sl, drug, 0.1)["v_d"] - c.e_leak).max() < 1e-6
    assert sl[0, L.AHP_GATE] < 1e-9
    with_ahp = _run(c, *_cell(c), 0.03, hold=12e-9, hold_until=0.005)["v_d"]
    without = _run(c._replace(plateau_g_ahp=0.0), *_cell(c), 0.03, hold=12e-9,
                   hold_until=0.005)["v_d"]
    assert with_ahp.max() > SPIKE
    assert with_ahp.max() == pytest.approx(without.max(), abs=1e-3)


def _spikes_in_10hz_train(c, kick: float, n: int = 20) -> list[bool]:
    """Whether each of ``n`` AMPA kicks at 10 Hz fires a Ca2+ spike."""
    sl, drug = _cell(c)
    fired = []
    for _ in range(n):
        sl[0, L.G_AMPA] += kick
        v = _run(c, sl, drug, 0.1)["v_d"]
        fired.append(bool(v.max() > SPIKE))
    return fired


def test_slow_ahp_suppresses_repetitive_calcium_spikes_at_10_hz():
    c = _constants()._replace(dspike_conductance=0.0)
    for kick in (20e-9, 40e-9):
        with_ahp = _spikes_in_10hz_train(c, kick)
        without = _spikes_in_10hz_train(c._replace(plateau_g_ahp=0.0), kick)
        assert with_ahp[0] and without[0]  # the first kick fires from rest either way
        assert sum(with_ahp) < sum(without)


def _event_times(v: np.ndarray, dt: float) -> np.ndarray:
    """Onsets [s] of Ca2+ spikes: upward crossings of -30 mV more than 20 ms apart."""
    up = np.flatnonzero((v[1:] > SPIKE) & (v[:-1] <= SPIKE)) * dt
    keep = np.r_[True, np.diff(up) > 0.020] if up.size else np.zeros(0, bool)
    return up[keep]


def test_slow_ahp_slows_calcium_spiking_under_sustained_drive():
    c = _constants()._replace(dspike_conductance=0.0)
    for hold in (8e-9, 12e-9):
        with_ahp = _event_times(_run(c, *_cell(c), 1.0, hold=hold)["v_d"], c.dt)
        without = _event_times(_run(c._replace(plateau_g_ahp=0.0), *_cell(c), 1.0,
                                    hold=hold)["v_d"], c.dt)
        assert with_ahp.size < without.size
        # adaptation: with the AHP the last interval is longer than the second
        gaps = np.diff(with_ahp)
        assert gaps[-1] > gaps[1]

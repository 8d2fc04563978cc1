"""Residual-Ca2+ pools of the glutamatergic terminal: facilitation, augmentation, PTP.

Mechanism tests: every pool grows by its increment x influx per action potential and decays
with its own time constant, the same through the step-by-step and the closed-form (gap)
integrators; the expected paired-pulse ratio tends to 1 from above at long intervals.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from synpharm.model import slice_state as L
from synpharm.model.channels import release_probability
from synpharm.preparations.ca1_slice import ca1_slice, draw_slices, slice_constants
from synpharm.solvers._neuron import decay_slice, relax_slice
from synpharm.solvers._presynaptic import _refill_probability
from synpharm.solvers.run import EngineSettings, run_schedule

#: (column, increment constant, time-constant constant) of the four residual-Ca2+ pools
POOLS = (
    (L.RESIDUAL, "residual_increment", "residual_tau"),
    (L.RESIDUAL_SLOW, "residual_slow_increment", "residual_slow_tau"),
    (L.AUGMENTATION, "augmentation_increment", "augmentation_tau"),
    (L.POTENTIATION, "potentiation_increment", "potentiation_tau"),
)


def _drugs(n: int, pre_calcium: float = 1.0) -> np.ndarray:
    drugs = np.zeros((n, L.N_DRUG_COLUMNS))
    drugs[:, [L.GABA_PRE_CALCIUM, L.NMDA_AVAILABLE, L.NAV_AVAILABLE]] = 1.0
    drugs[:, L.PRE_CALCIUM] = pre_calcium
    return drugs


def test_time_constants_are_ordered_fast_slow_augmentation_potentiation():
    c = slice_constants(ca1_slice())
    taus = [getattr(c, tau) for _, _, tau in POOLS]
    assert taus == sorted(taus)
    assert taus[0] < 0.2 < taus[1] < 1.0 < taus[2] < 20.0 < taus[3]


def test_gap_closed_form_equals_stepwise_decay():
    """relax_slice over a gap equals decay_slice applied step by step, for every pool."""
    prep = ca1_slice()
    c = slice_constants(prep)
    a = draw_slices(prep, np.random.SeedSequence(3).spawn(1)).slices
    for k, (col, _, _) in enumerate(POOLS):
        a[0, col] = 0.5 + k
    b = a.copy()
    n_steps = 2000
    for _ in range(n_steps):
        decay_slice(c, 0, a, c.dt)
    relax_slice(c, 0, b, _drugs(1), n_steps * c.dt)
    for col, _, _ in POOLS:
        np.testing.assert_allclose(a[0, col], b[0, col], rtol=1e-9)


@pytest.mark.parametrize("pre_calcium", [1.0, 0.5])
def test_post_tetanic_pools_follow_their_closed_form_after_a_train(pre_calcium):
    """After 100 pulses at 100 Hz and a quiet minute, each pool equals
    sum_k increment x influx x exp(-(t_end - t_k) / tau): linear build-up, exponential decay,
    proportional to the Ca2+ influx (a presynaptic inhibitor shrinks PTP)."""
    prep = ca1_slice()
    c = slice_constants(prep)
    pop = draw_slices(prep, np.random.SeedSequence(5).spawn(2))
    times = 10.0 + np.arange(100) * 0.01
    p = prep.parameters
    settings = EngineSettings(p["pulse_window"], p["train_tail"], 1.0)
    end = 70.0
    drugs = _drugs(2, pre_calcium)
    run_schedule(c, pop, times, np.full(times.size, 0.5), np.ones(times.size, bool),
                 lambda t: drugs, settings, end)
    for col, increment, tau in POOLS[2:]:
        expected = (getattr(c, increment) * pre_calcium
                    * np.exp(-(end - times) / getattr(c, tau)).sum())
        np.testing.assert_allclose(pop.slices[:, col], expected, rtol=1e-6)
    assert pop.slices[0, L.POTENTIATION] > 10 * pop.slices[0, L.AUGMENTATION]


def _expected_ppr(c, interval: float, p_control: float) -> float:
    """Expected paired-pulse ratio of a one-site synapse with control release probability
    ``p_control``: facilitation of p by the residual Ca2+ left after ``interval`` times the
    chance that the site is ready (empty only if it released and has not refilled)."""
    half_power = (c.release_p_max - p_control) / p_control
    residual = sum(getattr(c, inc) * math.exp(-interval / getattr(c, tau))
                   for _, inc, tau in POOLS)
    p2 = release_probability(1.0 + residual, half_power, c.release_cooperativity,
                             c.release_p_max)
    sensor_now = c.recovery_calcium_increment * math.exp(-interval / c.recovery_calcium_tau)
    refill = _refill_probability(c, sensor_now, interval)
    return p2 / p_control * (1.0 - p_control * (1.0 - refill))


@pytest.mark.parametrize("gap", [0.005, 0.02, 0.2, 1.0, 20.0])
def test_refill_integrates_the_rate_over_the_gap_from_the_sensor_at_its_end(gap):
    """The slice state decays the recovery sensor D during the gap, so the refill reads D at the
    gap's end; it must equal 1 - exp(-integral of k(D(t)) dt) with D(t) = D0 exp(-t / tau_D),
    the rate taken at the mean of D (Dittman, Kreitzer & Regehr 2000)."""
    c = slice_constants(ca1_slice())
    d0 = 2.0 * c.recovery_calcium_increment
    tau = c.recovery_calcium_tau
    t = np.linspace(0.0, gap, 20001)
    mean_d = np.trapezoid(d0 * np.exp(-t / tau), t) / gap
    rate = 1.0 / c.site_recovery_time + c.recovery_rate_boost * mean_d / (mean_d + c.recovery_kd)
    expected = 1.0 - math.exp(-rate * gap)
    got = _refill_probability(c, d0 * math.exp(-gap / tau), gap)
    assert got == pytest.approx(expected, rel=1e-6)


def test_refill_without_sensor_calcium_is_the_resting_rate():
    c = slice_constants(ca1_slice())
    resting = 1.0 - math.exp(-3.0 / c.site_recovery_time)
    assert _refill_probability(c, 0.0, 3.0) == pytest.approx(resting)


@pytest.mark.parametrize("p_control", [0.1, 0.25, 0.5, 0.8])
def test_expected_ppr_approaches_one_from_above(p_control):
    """From 5 s on every synapse facilitates a little (augmentation and PTP outlast the
    depletion) and the ratio falls to 1; a synapse of mean release probability (0.25) or lower
    facilitates at every interval from 0.5 s, a high-p synapse depresses at 0.5-2 s."""
    c = slice_constants(ca1_slice())
    long = [5.0, 20.0, 100.0, 1000.0]
    ppr = [_expected_ppr(c, t, p_control) for t in long]
    assert all(r >= 1.0 for r in ppr)
    assert all(a >= b for a, b in itertools.pairwise(ppr))
    assert ppr[-1] == pytest.approx(1.0, abs=1e-4)
    if p_control <= 0.25:
        assert all(_expected_ppr(c, t, p_control) > 1.0 for t in (0.5, 1.0, 2.0))

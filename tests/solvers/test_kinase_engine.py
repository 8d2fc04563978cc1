"""The kinase readout in the slice engine: one 0-Mg2+ test pulse vs a 100 Hz train."""

from __future__ import annotations

import numpy as np

from synpharm.model import slice_state as L
from synpharm.preparations.ca1_slice import ca1_slice, draw_slices, slice_constants
from synpharm.solvers.run import EngineSettings, run_schedule


def _run(times, dense, zero_mg: bool, end: float, n: int = 2):
    prep = ca1_slice()
    c = slice_constants(prep)
    pop = draw_slices(prep, np.random.SeedSequence(7).spawn(n))
    drugs = np.zeros((n, L.N_DRUG_COLUMNS))
    drugs[:, [L.PRE_CALCIUM, L.GABA_PRE_CALCIUM, L.NAV_AVAILABLE, L.NMDA_AVAILABLE]] = 1.0
    if zero_mg:
        drugs[:, L.BATH_MAGNESIUM_CHANGE] = -c.mg
    p = prep.parameters
    settings = EngineSettings(p["pulse_window"], p["train_tail"], p["isolation_gap"])
    run_schedule(c, pop, np.asarray(times), np.full(len(times), 0.5), np.asarray(dense),
                 lambda t: drugs, settings, end)
    return pop, c


def test_one_zero_magnesium_pulse_does_not_potentiate_but_a_train_does():
    """In 0 Mg2+ one test pulse holds spine Ca2+ above theta_p for ~100 ms at the synapses that
    released, yet their kinase stays below theta_K+ and h stays at baseline (the fast gate of
    the former rule gave +6-8 % per pulse); a 1-s, 100 Hz train in 1.3 mM Mg2+ drives K over
    theta_K+ and potentiates."""
    pop, c = _run([1.0], [False], zero_mg=True, end=1.2)
    active = pop.kinase > c.kinase_veto  # Ca2+ above theta_d: the synapses that released
    assert active.sum() > 100
    assert pop.kinase.max() < c.kinase_threshold
    pop, c = _run([1.0], [False], zero_mg=True, end=40.0)
    # each active synapse also gets the zero-mean plasticity noise of its ~0.1 s above theta_d
    # (SD h_noise sqrt(T / tau_h) ~ 0.01); the mean over ~300 synapses is ~0.0005 wide
    assert abs((pop.early[active] - 1.0).mean()) < 3e-3

    times = 1.0 + 0.01 * np.arange(100)
    pop, c = _run(times, np.ones(100, bool), zero_mg=False, end=40.0)
    released = pop.nmda_open > 0.0
    assert (pop.early[released] - 1.0).mean() > 0.05

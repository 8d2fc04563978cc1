"""NMDA-dependent short-term potentiation: closed forms and the mechanism in the slice kernels.

Volianskis & Jensen 2003 (J Physiol 550:459): STP decays with synaptic activation (release),
not with time; it needs NMDA receptor activation to be induced.
"""

from __future__ import annotations

import numpy as np

from synpharm.model import slice_state as L
from synpharm.model.plasticity.short_term import (
    after_releases,
    expected_after_stimuli,
    induced,
    released,
)
from synpharm.preparations.ca1_slice import ca1_slice, draw_slices, slice_constants
from synpharm.solvers.run import EngineSettings, run_schedule

TRAINS = [t0 + 0.01 * k for t0 in (0.0, 20.0, 40.0) for k in range(100)]


def test_release_steps_follow_the_closed_form():
    u = 0.5
    for n in range(1, 40):
        u = released(u, 0.0, 3.0, 0.07)
        np.testing.assert_allclose(u, after_releases(0.5, 0.07, n), rtol=1e-12)


def test_no_decay_while_calcium_is_above_theta_p_and_induction_is_all_or_none():
    assert released(0.5, 3.1, 3.0, 0.07) == 0.5  # NMDA Ca2+ of a train keeps it
    assert induced(0.1, 3.1, 3.0, 0.5) == 0.5
    assert induced(0.1, 2.9, 3.0, 0.5) == 0.1


def test_expected_decay_per_stimulus_matches_random_releases():
    rng = np.random.default_rng(3)
    p, decay, n = 0.25, 0.07, 57
    releases = rng.binomial(n, p, 200_000)  # releases of independent synapses in n stimuli
    mean = after_releases(1.0, decay, releases).mean()
    np.testing.assert_allclose(mean, expected_after_stimuli(1.0, decay, p, n), rtol=5e-3)
    # e-fold in about 1 / (p decay) stimuli
    np.testing.assert_allclose(expected_after_stimuli(1.0, decay, p, 1 / (p * decay)),
                               np.exp(-1.0), rtol=0.05)


def _drugs(n: int, nmda: float = 1.0, influx: float = 1.0) -> np.ndarray:
    drugs = np.zeros((n, L.N_DRUG_COLUMNS))
    drugs[:, [L.GABA_PRE_CALCIUM, L.NAV_AVAILABLE]] = 1.0
    drugs[:, L.PRE_CALCIUM] = influx
    drugs[:, L.NMDA_AVAILABLE] = nmda
    return drugs


def _run(times, drugs_at, n=2, end=None):
    prep = ca1_slice()
    pop = draw_slices(prep, np.random.SeedSequence(11).spawn(n))
    p = prep.parameters
    settings = EngineSettings(p["pulse_window"], p["train_tail"], 1.0)
    times = np.asarray(times, dtype=float)
    dense = np.array([t < 60.0 for t in times])
    run_schedule(slice_constants(prep), pop, times, np.full(times.size, 0.5), dense, drugs_at,
                 settings, end or float(times[-1]) + 1.0)
    return pop, pop.recruitment_threshold <= 0.5


def test_trains_induce_stp_that_is_stored_without_stimulation():
    """3 x 100 Hz sets STP at the recruited synapses; 30 min without stimuli keep it."""
    u_max = slice_constants(ca1_slice()).stp_max
    drugs = _drugs(2)
    pop, recruited = _run(TRAINS, lambda t: drugs, end=41.0)
    stored = pop.short_term.copy()
    assert (stored[recruited] > 0.9 * u_max).mean() > 0.9
    quiet, _ = _run(TRAINS, lambda t: drugs, end=41.0 + 1800.0)
    np.testing.assert_array_equal(quiet.short_term, stored)


def test_stp_decays_per_release_with_test_pulses():
    """Each synapse keeps u_max (1 - delta)^k after k releases; the mean falls with pulses."""
    c = slice_constants(ca1_slice())
    drugs = _drugs(2)
    tests = [60.0 + 20.0 * k for k in range(90)]  # 30 min at 0.05 Hz
    pop, recruited = _run(TRAINS + tests, lambda t: drugs)
    u = pop.short_term[recruited]
    k = np.log(u[u > 0] / c.stp_max) / np.log(1.0 - c.stp_decay)
    np.testing.assert_allclose(k, np.round(k), atol=1e-6)  # a whole number of releases
    assert u.mean() < 0.5 * c.stp_max
    assert u.mean() > 0.0


def test_stp_needs_release_to_decay_and_nmda_receptors_to_be_induced():
    """Release blocked during the test pulses: stored; D-APV during the trains: none."""
    tests = [60.0 + 20.0 * k for k in range(90)]
    control = _drugs(2)
    no_release = _drugs(2, influx=0.0)
    pop, _ = _run(TRAINS + tests, lambda t: control if t < 50.0 else no_release)
    stored, _ = _run(TRAINS, lambda t: control, end=61.0 + 20.0 * 90)
    np.testing.assert_array_equal(pop.short_term, stored.short_term)
    apv = _drugs(2, nmda=0.0)
    blocked, _ = _run(TRAINS, lambda t: apv, end=41.0)
    assert blocked.short_term.max() == 0.0

"""The dentate gyrus slice: data, theta-burst schedule, autoreceptor and feedback numerics.

Expected values are literature ranges or analytic results, never the model's own output.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.experiments.slice import run_protocol
from synpharm.model import slice_state as L
from synpharm.preparations import preparation
from synpharm.preparations.ca1_slice import ca1_slice, draw_slices, slice_constants
from synpharm.preparations.dentate_gyrus import dentate_gyrus_slice
from synpharm.protocols import Protocol, build_schedule
from synpharm.protocols.library import LIBRARY
from synpharm.solvers import _kernels as K
from synpharm.solvers import _neuron as N


def _drugs(n: int, antagonist_bound: float = 0.0) -> np.ndarray:
    drugs = np.zeros((n, L.N_DRUG_COLUMNS))
    drugs[:, [L.PRE_CALCIUM, L.GABA_PRE_CALCIUM, L.NMDA_AVAILABLE, L.NAV_AVAILABLE]] = 1.0
    drugs[:, L.GABAB_ANTAGONIST_BOUND] = antagonist_bound
    return drugs


def _train(prep, drugs, n_pulses=50, rate=100.0, seed=5, quiet=0.0):
    """Integrate one train step by step; returns the population after a 0.3-s tail and
    ``quiet`` [s] more in closed form (the kinase potentiates for seconds after a train)."""
    c = slice_constants(prep)
    n = drugs.shape[0]
    pop = draw_slices(prep, np.random.SeedSequence(seed).spawn(n))
    steps = np.round(np.arange(n_pulses) / rate / c.dt).astype(np.int64)
    out = np.zeros((n, n_pulses))
    stimuli = K.Stimuli(steps, np.full(n_pulses, 0.5), np.full(n_pulses, 1.0 / rate))
    K.integrate_window(c, int(steps[-1]) + round(0.3 / c.dt), stimuli, pop.slices, drugs,
                       pop.synapses, pop.rng, K.Recorded(out, out.copy(), out.copy()))
    if quiet > 0.0:
        K.advance_quiet(c, quiet, pop.slices, drugs, pop.synapses)
    return pop


def test_preparation_is_registered_with_granule_cell_properties():
    prep = preparation("dentate_gyrus_slice")
    p, ca1 = prep.parameters, ca1_slice().parameters
    assert prep.name == "dentate_gyrus_slice"
    # Lübke et al. 1998: -75 +- 2 mV (range -86 to -60); more negative than CA1 pyramidal cells
    assert -0.082 <= p["resting_potential"] <= -0.074
    assert p["resting_potential"] < ca1["resting_potential"]
    # shunting GABA-A inhibition: reversal positive to rest (Staley & Mody 1992)
    assert p["gabaa_reversal"] > p["resting_potential"]
    # perforant path far less sensitive to presynaptic GABA-B than Schaffer collaterals
    assert p["gabab_max_calcium_inhibition_glutamatergic"] < ca1[
        "gabab_max_calcium_inhibition_glutamatergic"]
    # feedback inhibition exists in the dentate gyrus model
    assert p["feedback_gabaa_conductance"] > 0.0
    # one set of equations, one set of names; the dendritic-spike group is CA1's only (granule
    # cells lack it: without those names the kernel has no dendritic spikes,
    # preparations.ca1_slice.dendritic_spike_constants)
    dendritic_spike = {"dendritic_spike_threshold", "dendritic_spike_somatic_amplitude",
                       "dendritic_spike_decay_time", "dendritic_spike_refractory_period",
                       "sodium_reversal"}
    # the dendritic Ca2+ spike group likewise (preparations.ca1_slice.plateau_constants)
    calcium_spike = {"dendritic_calcium_spikes", "dendritic_calcium_conductance_density",
                     "dendritic_calcium_activated_k_density", "pinsky_rinzel_dendritic_load",
                     "dendritic_calcium_spike_reversal", "dendritic_calcium_pool_influx",
                     "dendritic_calcium_pool_decay_time", "calcium_activated_k_saturation",
                     "dendritic_slow_ahp_density", "slow_ahp_gate_rate_per_calcium",
                     "slow_ahp_gate_max_rate", "slow_ahp_gate_closing_time"}
    assert set(p) == set(ca1) - dendritic_spike - calcium_spike


def test_theta_burst_schedule():
    """TBS: bursts of 4 pulses at 100 Hz, repeated at 5 Hz, trains 20 s apart."""
    protocol = Protocol.from_toml(LIBRARY / "dg_tbs_baclofen.toml")
    schedule = build_schedule(protocol)
    train = schedule.stimulus_time[schedule.stimulus_kind == "train"]
    assert train.size == 3 * 10 * 4
    first = train[:40] - train[0]
    np.testing.assert_allclose(first[:4], [0.0, 0.01, 0.02, 0.03], atol=1e-9)
    np.testing.assert_allclose(first[::4], np.arange(10) * 0.2, atol=1e-9)
    np.testing.assert_allclose(train[40] - train[0], 20.0, atol=1e-9)


@settings(max_examples=15, deadline=None)
@given(r0=st.floats(0.0, 1.0), g0=st.floats(0.0, 3.0), duration=st.floats(0.01, 0.5))
def test_autoreceptor_relaxation_closed_form_matches_steps(r0, g0, duration):
    """The quiet-gap closed form of the autoreceptor G protein equals fine stepping (dt -> 0)."""
    prep = dentate_gyrus_slice()
    c = slice_constants(prep, dt=2e-5)
    pop = draw_slices(prep, [np.random.SeedSequence(0)])
    drugs = _drugs(1)
    closed = pop.slices.copy()
    closed[0, L.AUTORECEPTOR_R], closed[0, L.AUTORECEPTOR_G] = r0, g0
    stepped = closed.copy()
    N.relax_slice(c, 0, closed, drugs, duration)
    for _ in range(round(duration / c.dt)):
        N.decay_slice(c, 0, stepped, c.dt)
    for col in (L.AUTORECEPTOR_R, L.AUTORECEPTOR_G):
        np.testing.assert_allclose(closed[0, col], stepped[0, col], rtol=3e-3, atol=1e-6)


def test_released_gaba_activates_terminal_autoreceptors_unless_antagonist_bound():
    prep = dentate_gyrus_slice()
    free = _train(prep, _drugs(2))
    blocked = _train(prep, _drugs(2, antagonist_bound=1.0))
    assert free.slices[:, L.AUTORECEPTOR_G].min() > 0.05
    np.testing.assert_array_equal(blocked.slices[:, L.AUTORECEPTOR_G], 0.0)


def test_feedback_inhibition_lowers_firing_and_potentiation_during_a_train():
    prep = dentate_gyrus_slice()
    p = prep.parameters
    # less feed-forward inhibition so that the granule cell fires and recruits feedback (13 nS,
    # 0.2 x the value before the session-4 re-fit); STP off: it is induced within the train and
    # its added weight drives the cell harder, which saturates the early phase in both arms
    base = dict(feedforward_gabaa_conductance=13e-9, short_term_potentiation_max=0.0)
    # the potentiation includes the 30 s after the train, while the kinase is above threshold
    without = _train(dentate_gyrus_slice(p.with_values(**base, feedback_gabaa_conductance=0.0)),
                     _drugs(3), n_pulses=100, quiet=30.0)
    strong = _train(dentate_gyrus_slice(p.with_values(**base, feedback_gabaa_conductance=2e-7)),
                    _drugs(3), n_pulses=100, quiet=30.0)
    assert without.slices[:, L.SPIKES].sum() > 0
    assert strong.slices[:, L.SPIKES].sum() <= without.slices[:, L.SPIKES].sum()
    assert strong.early.mean() < without.early.mean() - 0.01


@pytest.mark.parametrize("name", ["dg_hfs_baclofen", "dg_subthreshold_tetanus_baclofen",
                                  "dg_tbs_baclofen", "ca1_baclofen_ltp"])
def test_library_protocols_parse(name):
    protocol = Protocol.from_toml(LIBRARY / f"{name}.toml")
    # ca1_baclofen_ltp also has the pre-results 10 uM arm (SEED-BAC-5, docs/calibration.md)
    assert [c.name for c in protocol.conditions][:2] == ["control", "baclofen 3 uM"]


def test_subthreshold_tetanus_induces_ltp_only_under_baclofen():
    """SEED-BAC-4: one 1-s train gives no lasting LTP in control, but does under baclofen."""
    protocol = Protocol.from_toml(LIBRARY / "dg_subthreshold_tetanus_baclofen.toml")
    result = run_protocol(protocol, cohort=6, seed=4)
    ltp = {c.name: c.readouts["ltp_percent"].mean for c in result.conditions}
    assert ltp["control"] <= 110.0
    assert ltp["baclofen 3 uM"] > 110.0

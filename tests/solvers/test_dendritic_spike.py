"""Dendritic Na+ spikes of the two-compartment CA1 neuron (``solvers/_neuron.dendritic_spike``).

Expected values come from the parameter file and closed forms, never from the model's output:

* one quantum (0.2 nS, ~0.26 mV in the dendrite) never reaches the local threshold
  (-48 mV; Gasparini, Migliore & Magee 2004 J Neurosci 24:11046): no dendritic spike;
* a synchronous conductance that carries the dendrite across the threshold fires exactly one
  spike, which adds a fast depolarisation at the soma;
* one spike from rest depolarises the soma by ``dendritic_spike_somatic_amplitude``
  (the derived conductance, checked by stepping the compiled kernel);
* refractoriness: no second spike within ``dendritic_spike_refractory_period``; only upward
  crossings fire (a dendrite held above threshold fires once);
* TTX (no Na+ channels available) removes the spike's conductance.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.model import slice_state as L
from synpharm.preparations.ca1_slice import (
    _compartments,
    ca1_slice,
    dendritic_spike_constants,
    slice_constants,
    somatic_peak,
)
from synpharm.preparations.dentate_gyrus import dentate_gyrus_slice
from synpharm.solvers import _neuron as N

DT = 2e-5


def _cell(c) -> tuple[np.ndarray, np.ndarray]:
    """A hand-built slice row at rest and a drug row without drugs."""
    sl = np.zeros((1, L.N_SLICE_COLUMNS))
    sl[0, [L.V, L.V_DENDRITE, L.V_FREE]] = c.e_leak
    sl[0, [L.GABA_READY, L.FEEDBACK_READY, L.INHIBITION_SCALE, L.CALCIUM_SCALE]] = 1.0
    drug = np.zeros((1, L.N_DRUG_COLUMNS))
    drug[0, [L.PRE_CALCIUM, L.GABA_PRE_CALCIUM, L.NMDA_AVAILABLE, L.NAV_AVAILABLE]] = 1.0
    return sl, drug


def _run(c, sl, drug, duration: float, ampa: dict[int, float] | None = None,
         hold: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Step the kernel; ``ampa`` adds AMPA conductance [S] at step k, ``hold`` [S] is a
    constant extra AMPA conductance. Returns the somatic (free) and dendritic potentials."""
    n = round(duration / c.dt)
    soma, dend = np.empty(n), np.empty(n)
    for k in range(n):
        if ampa and k in ampa:
            sl[0, L.G_AMPA] += ampa[k]
        if hold:
            sl[0, L.G_AMPA] = max(sl[0, L.G_AMPA], hold)
        N.neuron_step(c, 0, sl, drug, 0.0, 0.0, c.dt)
        N.decay_slice(c, 0, sl, c.dt)
        soma[k], dend[k] = sl[0, L.V_FREE], sl[0, L.V_DENDRITE]
    return soma, dend


def test_one_quantum_fires_no_dendritic_spike():
    prep = ca1_slice()
    c = slice_constants(prep, dt=DT)
    sl, drug = _cell(c)
    _, dend = _run(c, sl, drug, 0.05, {0: prep.parameters["quantal_conductance"]})
    assert dend.max() < c.dspike_threshold
    assert sl[0, L.DSPIKES] == 0.0


def test_synchronous_conductance_fires_one_spike_with_a_fast_somatic_depolarisation():
    # the dendritic Ca2+ spike aside (test_dendritic_plateau.py): 150 synchronous quanta
    # fire one in both runs, which would hide the Na+ spike's contribution
    c = slice_constants(ca1_slice(), dt=DT)._replace(plateau_g_ca=0.0)
    # passive reference: the same input without dendritic spikes
    passive = c._replace(dspike_conductance=0.0)
    g = 30e-9  # ~150 quanta at once: the dendrite crosses -48 mV within ~1 ms
    sl, drug = _cell(passive)
    soma_passive, dend_passive = _run(passive, sl, drug, 0.03, {0: g})
    assert dend_passive.max() > c.dspike_threshold
    sl, drug = _cell(c)
    soma, dend = _run(c, sl, drug, 0.03, {0: g})
    assert sl[0, L.DSPIKES] == 1.0
    assert dend.max() > dend_passive.max() + 0.003
    # the spike speeds the somatic rise (larger peak rate of rise) and raises the peak
    assert np.diff(soma).max() > 1.2 * np.diff(soma_passive).max()
    assert soma.max() > soma_passive.max()


def test_spike_from_rest_gives_the_sourced_somatic_amplitude():
    prep = ca1_slice()
    c = slice_constants(prep, dt=DT)
    sl, drug = _cell(c)
    sl[0, L.G_DSPIKE] = c.dspike_conductance
    soma, _ = _run(c, sl, drug, 0.03)
    amplitude = prep.parameters["dendritic_spike_somatic_amplitude"]
    assert soma.max() - c.e_leak == pytest.approx(amplitude, rel=0.02)


@settings(max_examples=20, deadline=None)
@given(st.floats(0.1e-9, 100e-9), st.floats(1.05, 3.0))
def test_somatic_peak_grows_with_the_spike_conductance(g, factor):
    comp = _compartments(ca1_slice().parameters)
    small = somatic_peak(comp, g, 1e-3, 0.05, -0.065)
    large = somatic_peak(comp, g * factor, 1e-3, 0.05, -0.065)
    assert 0.0 < small < large < 0.05 + 0.065


def test_refractory_period_blocks_a_second_spike():
    prep = ca1_slice()
    refractory = prep.parameters["dendritic_spike_refractory_period"]
    # a negligible spike conductance, so that the dendrite can be put back below threshold
    c = slice_constants(prep, dt=DT)._replace(dspike_conductance=1e-15)
    g = 100e-9  # crosses the threshold within a few steps

    def below_threshold(sl):
        sl[0, L.G_AMPA] = 0.0
        sl[0, L.V_DENDRITE] = c.e_leak

    sl, drug = _cell(c)
    _run(c, sl, drug, 0.001, {0: g})
    assert sl[0, L.DSPIKES] == 1.0
    below_threshold(sl)
    _run(c, sl, drug, 0.001, {0: g})  # a second crossing 1 ms later: refractory
    assert sl[0, L.DSPIKES] == 1.0
    below_threshold(sl)
    _run(c, sl, drug, refractory)
    _run(c, sl, drug, 0.001, {0: g})  # after the refractory period a crossing fires again
    assert sl[0, L.DSPIKES] == 2.0


def test_dendrite_held_above_threshold_fires_once():
    c = slice_constants(ca1_slice(), dt=DT)
    sl, drug = _cell(c)
    _, dend = _run(c, sl, drug, 0.05, hold=30e-9)
    assert dend[-1] > c.dspike_threshold
    assert sl[0, L.DSPIKES] == 1.0


def test_ttx_removes_the_spike_conductance():
    c = slice_constants(ca1_slice(), dt=DT)
    sl, drug = _cell(c)
    drug[0, L.NAV_AVAILABLE] = 0.0
    _run(c, sl, drug, 0.002, {0: 30e-9})
    assert sl[0, L.DSPIKES] == 1.0
    assert sl[0, L.G_DSPIKE] == 0.0


def test_relaxation_over_a_gap_clears_the_spike():
    c = slice_constants(ca1_slice(), dt=DT)
    sl, drug = _cell(c)
    sl[0, L.G_DSPIKE] = c.dspike_conductance
    sl[0, L.DSPIKE_REFRACTORY] = c.dspike_refractory
    N.relax_slice(c, 0, sl, drug, 0.002)
    expected = c.dspike_conductance * math.exp(-0.002 / c.dspike_tau)
    assert sl[0, L.G_DSPIKE] == pytest.approx(expected)
    assert sl[0, L.DSPIKE_REFRACTORY] == pytest.approx(max(c.dspike_refractory - 0.002, 0.0))


def test_a_preparation_without_dendritic_spike_parameters_has_none():
    constants = dendritic_spike_constants(dentate_gyrus_slice().parameters)
    assert constants["dspike_threshold"] == math.inf
    assert constants["dspike_conductance"] == 0.0


def test_spike_onset_is_interpolated_within_the_step():
    """After the crossing step (and the step's decay) the conductance is that of a spike that
    started at the interpolated crossing time: g exp(-elapsed / tau) at the start of the next
    step, elapsed = dt (V_after - threshold) / (V_after - V_before)."""
    c = slice_constants(ca1_slice())  # the production step, 0.2 ms
    sl, drug = _cell(c)
    sl[0, L.V_DENDRITE] = c.dspike_threshold - 0.5e-3
    sl[0, L.G_AMPA] = 50e-9
    v_before = sl[0, L.V_DENDRITE]
    N.neuron_step(c, 0, sl, drug, 0.0, 0.0, c.dt)
    v_after = sl[0, L.V_DENDRITE]
    N.decay_slice(c, 0, sl, c.dt)
    assert sl[0, L.DSPIKES] == 1.0
    elapsed = c.dt * (v_after - c.dspike_threshold) / (v_after - v_before)
    assert 0.0 < elapsed < c.dt
    assert sl[0, L.G_DSPIKE] == pytest.approx(
        c.dspike_conductance * math.exp(-elapsed / c.dspike_tau))
    assert sl[0, L.DSPIKE_REFRACTORY] == pytest.approx(c.dspike_refractory - elapsed)

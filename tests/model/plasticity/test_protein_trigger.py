"""Protein-synthesis trigger: mean (default) or summed (Luboeinski & Tetzlaff 2021) tagged change.

Mechanism tests of the switch ``protein_trigger_summed``: the trigger reads the tagged early-
phase changes of a slice; a depression of many synapses whose mean change stays below the
threshold triggers synthesis only in the summed form, and then its tagged synapses capture
protein into the late phase (towards -0.5) while the early phase relaxes with
``tau_h / relaxation``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.model import slice_state as L
from synpharm.model.plasticity.calcium_rule import protein_synthesis_on
from synpharm.preparations.ca1_slice import ca1_slice, draw_slices, slice_constants
from synpharm.solvers._kernels import quiet_slice


@settings(deadline=None)
@given(n=st.integers(0, 500), mean=st.floats(0.0, 2.0), thr=st.floats(0.01, 5.0))
def test_summed_trigger_fires_whenever_the_mean_trigger_does(n, mean, thr):
    total = n * mean
    if protein_synthesis_on(n, total, thr, 0.0):
        assert protein_synthesis_on(n, total, thr, 1.0)
    assert not protein_synthesis_on(0, 0.0, thr, 1.0)


def _depressed_slice(summed: float, minutes: int = 30):
    """One slice, 100 synapses at h = 0.7 (tagged, mean change 0.3 < 0.5), quiet for minutes."""
    prep = ca1_slice()
    c = slice_constants(prep)._replace(protein_summed=summed)
    pop = draw_slices(prep, np.random.SeedSequence(4).spawn(1))
    syn, sl = pop.synapses, pop.slices
    syn.early[:] = 1.0
    syn.early[0, :100] = 0.7
    syn.late[:] = 0.0
    syn.phosphatase[:] = 0.0
    syn.kinase[:] = 0.0
    syn.calcium[:] = 0.0
    sl[:, L.PROTEIN] = 0.0
    drug = np.zeros((1, L.N_DRUG_COLUMNS))
    drug[:, [L.GABA_PRE_CALCIUM, L.NAV_AVAILABLE, L.NMDA_AVAILABLE, L.PRE_CALCIUM]] = 1.0
    for _ in range(minutes):
        quiet_slice(c, 0, 60.0, sl, drug, syn)
    return c, syn, sl


def test_mean_trigger_lets_ltd_relax_and_summed_trigger_consolidates_it():
    c, syn, sl = _depressed_slice(0.0)
    relax = np.exp(-1800.0 * c.h_relaxation / c.tau_h)
    np.testing.assert_allclose(syn.early[0, :100], 1.0 - 0.3 * relax, rtol=1e-9)
    assert sl[0, L.PROTEIN] == 0.0 and np.all(syn.late == 0.0)
    c, syn_s, sl_s = _depressed_slice(1.0)
    np.testing.assert_allclose(syn_s.early[0, :100], 1.0 - 0.3 * relax, rtol=1e-9)
    # protein rises towards 1 with tau_protein; the tagged synapses' late phase moves to -0.5
    np.testing.assert_allclose(sl_s[0, L.PROTEIN], 1.0 - np.exp(-1800.0 / c.tau_protein),
                               rtol=1e-9)
    assert np.all(syn_s.late[0, :100] < -0.02) and np.all(syn_s.late[0, 100:] == 0.0)
    # the expressed change (h - 1 + z) is held better than by the early phase alone
    assert np.all(syn_s.early[0, :100] - 1.0 + syn_s.late[0, :100]
                  < syn.early[0, :100] - 1.0 - 0.02)

"""STP expressed as release probability: bounded, saturating with PTP, the kernel's law.

Volianskis & Jensen 2003 (J Physiol 550:459): the decay of STP (t-LTP) is a decrease in the
probability of transmitter release; post-tetanic potentiation is a release-probability increase
too (Zucker & Regehr 2002 Annu Rev Physiol 64:355). Both act on the same cooperative release
law, which is bounded by ``p_max`` per site and by the ready sites, so they cannot multiply
where release is already high.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.model import slice_state as L
from synpharm.model.channels import release_probability
from synpharm.model.plasticity.short_term import release_half_power, release_with_stp
from synpharm.preparations.ca1_slice import ca1_slice, draw_slices, slice_constants
from synpharm.solvers._presynaptic import stimulate

N, P_MAX = 4.0, 0.95


@settings(deadline=None)
@given(calcium=st.floats(0.0, 5.0), half=st.floats(0.05, 50.0), u=st.floats(0.0, 5.0))
def test_release_with_stp_is_bounded_and_grows_with_u(calcium, half, u):
    p0 = float(release_with_stp(calcium, half, 0.0, N, P_MAX))
    p = float(release_with_stp(calcium, half, u, N, P_MAX))
    assert 0.0 <= p0 <= p <= P_MAX
    # the kernel's form: K^n divided by 1 + u
    np.testing.assert_allclose(p, release_probability(calcium, release_half_power(half, u), N,
                                                      P_MAX), rtol=1e-12, atol=1e-15)


def test_low_release_probability_rises_by_one_plus_u():
    half = 1000.0  # p ~ 1e-3 at control Ca2+
    ratio = release_with_stp(1.0, half, 0.5, N, P_MAX) / release_with_stp(1.0, half, 0.0, N, P_MAX)
    np.testing.assert_allclose(ratio, 1.5, rtol=2e-3)


@settings(deadline=None)
@given(half=st.floats(0.5, 20.0), residual=st.floats(0.1, 1.0), u=st.floats(0.1, 1.0))
def test_stp_and_ptp_do_not_multiply(half, residual, u):
    """Gain of PTP (residual Ca2+) and STP together <= product of their gains alone."""
    base = release_with_stp(1.0, half, 0.0, N, P_MAX)
    ptp = release_with_stp(1.0 + residual, half, 0.0, N, P_MAX) / base
    stp = release_with_stp(1.0, half, u, N, P_MAX) / base
    both = release_with_stp(1.0 + residual, half, u, N, P_MAX) / base
    assert both <= ptp * stp * (1.0 + 1e-12)
    assert both >= max(ptp, stp)


def _released(u: float, residual: float, seed: int = 2, presynaptic: float = 1.0):
    """Sites released by one test pulse in rested slices whose synapses all hold STP ``u``
    (switch ``short_term_potentiation_presynaptic`` on unless ``presynaptic`` = 0)."""
    prep = ca1_slice()
    c = slice_constants(prep)._replace(stp_presynaptic=presynaptic)
    pop = draw_slices(prep, np.random.SeedSequence(seed).spawn(2))
    syn, sl = pop.synapses, pop.slices
    syn.short_term[:] = u
    syn.ready[:] = syn.n_sites
    sl[:, [L.RESIDUAL, L.RESIDUAL_SLOW, L.AUGMENTATION]] = 0.0
    sl[:, L.POTENTIATION] = residual
    drug = np.zeros((2, L.N_DRUG_COLUMNS))
    drug[:, [L.GABA_PRE_CALCIUM, L.NAV_AVAILABLE, L.NMDA_AVAILABLE, L.PRE_CALCIUM]] = 1.0
    before = syn.ready.copy()
    recruited = syn.recruitment_threshold <= 1.0
    for s in range(2):
        stimulate(c, s, 1.0, 100.0, sl, drug, syn, pop.rng)
    released = (before - syn.ready)[recruited]
    x = (1.0 + residual) ** c.release_cooperativity * (1.0 + presynaptic * u)
    expected = (syn.n_sites * c.release_p_max * x / (x + syn.release_half_power))[recruited]
    return released, expected, syn.n_sites[recruited]


def test_engine_release_follows_the_stp_law_and_the_ready_sites():
    for u, residual in ((0.0, 0.0), (0.5, 0.0), (0.5, 0.5), (5.0, 2.0)):
        released, expected, sites = _released(u, residual)
        assert np.all(released <= sites)  # never more than the ready sites
        n = released.size
        np.testing.assert_allclose(released.mean(), expected.mean(),
                                   atol=4 * np.sqrt(expected.mean() / n) + 1e-9)
    # a huge STP with PTP: release per site saturates at p_max, not at (1 + u) x control
    released, _, sites = _released(50.0, 2.0)
    assert released.sum() / sites.sum() < slice_constants(ca1_slice()).release_p_max + 0.02


def test_switch_off_leaves_release_independent_of_stp():
    """Default (switch off): STP is a weight, release probability does not see it."""
    assert slice_constants(ca1_slice()).stp_presynaptic == 0.0
    with_stp, _, _ = _released(0.5, 0.0, presynaptic=0.0)
    without, _, _ = _released(0.0, 0.0, presynaptic=0.0)
    np.testing.assert_array_equal(with_stp, without)  # same draws, same release

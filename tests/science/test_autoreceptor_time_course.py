"""Time course of GABA-B autoinhibition of GABA release in the CA1 slice (theta-burst priming).

One feed-forward volley releases GABA that binds the autoreceptors on the interneuron
terminals (Destexhe & Sejnowski 1995 kinetics); the activated G protein lowers the terminals'
Ca2+ influx and so the release of the next volley. Expected values are analytic results or
literature ranges, never the model's own output:

* the G protein after a receptor jump R0 follows ``k3 R0 (e^{-k2 t} - e^{-k4 t}) / (k4 - k2)``,
  peaking at ``ln(k4/k2) / (k4 - k2)``;
* the suppression of GABA release is maximal at 100-200 ms after a volley and has largely
  gone by 2 s (Davies, Davies & Collingridge 1990 J Physiol 424:513: paired-pulse depression
  of monosynaptic IPSPs; GABA-B IPSP latency to peak 139 ms, duration 723 ms; Davies et al. 1991
  Nature 349:609; Arai, Silberg & Lynch 1995 Brain Res 704:298: feed-forward IPSPs reduced by
  about half within 200 ms of a priming pulse, strongly GABA-B dependent).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from synpharm.model import slice_state as L
from synpharm.model.channels import release_probability
from synpharm.preparations.ca1_slice import ca1_slice, draw_slices, slice_constants
from synpharm.solvers import _neuron as N
from synpharm.solvers import _presynaptic as P


def _drugs(n: int, antagonist_bound: float = 0.0) -> np.ndarray:
    drugs = np.zeros((n, L.N_DRUG_COLUMNS))
    drugs[:, [L.PRE_CALCIUM, L.GABA_PRE_CALCIUM, L.NMDA_AVAILABLE, L.NAV_AVAILABLE]] = 1.0
    drugs[:, L.GABAB_ANTAGONIST_BOUND] = antagonist_bound
    return drugs


def test_autoreceptor_g_protein_peaks_at_the_closed_form_time():
    """Step the kernel's G-protein equations after a receptor jump; compare with the closed form."""
    c = slice_constants(ca1_slice(), dt=2e-5)
    sl = np.zeros((1, L.N_SLICE_COLUMNS))
    sl[0, L.GABA_READY] = sl[0, L.FEEDBACK_READY] = 1.0
    r0 = 0.04
    sl[0, L.AUTORECEPTOR_R] = r0
    n = round(0.6 / c.dt)
    g = np.empty(n)
    for k in range(n):
        N.decay_slice(c, 0, sl, c.dt)
        g[k] = sl[0, L.AUTORECEPTOR_G]
    k2, k3, k4 = c.gabab_k2, c.gabab_k3, c.gabab_k4
    t_peak = math.log(k4 / k2) / (k4 - k2)
    assert (np.argmax(g) + 1) * c.dt == pytest.approx(t_peak, abs=1e-3)
    g_peak = k3 * r0 * (math.exp(-k2 * t_peak) - math.exp(-k4 * t_peak)) / (k4 - k2)
    assert g.max() == pytest.approx(g_peak, rel=1e-3)


def _release_probability_after_one_volley(interval: float, antagonist_bound: float) -> float:
    """Feed-forward GABA release probability ``interval`` [s] after one volley / before it."""
    prep = ca1_slice()
    c = slice_constants(prep)
    pop = draw_slices(prep, np.random.SeedSequence(3).spawn(2))
    drugs = _drugs(2, antagonist_bound)

    def p_gaba() -> np.ndarray:
        return np.array([release_probability(P._gaba_terminal_calcium(c, s, pop.slices, drugs),
                                             c.gaba_half_power, c.release_cooperativity,
                                             c.release_p_max) for s in range(2)])

    before = p_gaba()
    for s in range(2):
        P.stimulate(c, s, 0.5, 1e6, pop.slices, drugs, pop.synapses, pop.rng)
        N.relax_slice(c, s, pop.slices, drugs, interval)
    return float((p_gaba() / before).mean())


def test_autoinhibition_of_gaba_release_peaks_at_100_to_200_ms_and_fades_by_2_s():
    intervals = [0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0]
    suppression = {t: 1.0 - _release_probability_after_one_volley(t, 0.0) for t in intervals}
    peak = max(suppression.values())
    assert peak > 0.0
    # maximal at 100-200 ms (Davies et al. 1990): both within 20 % of the maximum
    assert suppression[0.1] >= 0.8 * peak and suppression[0.2] >= 0.8 * peak
    # still present at 500 ms, largely gone by 2 s (GABA-B IPSP duration ~0.7 s, Davies 1990)
    assert suppression[0.5] >= 0.5 * peak
    assert suppression[2.0] <= 0.25 * peak


def test_antagonist_bound_autoreceptors_leave_gaba_release_unchanged():
    """With every GABA-B receptor antagonist-bound (CGP 35348 in Davies et al. 1990) the
    autoreceptor part of the depression is gone."""
    assert _release_probability_after_one_volley(0.2, 1.0) == pytest.approx(1.0, abs=1e-12)


def _gaba_paired_pulse_ratio(interval: float, antagonist_bound: float) -> float:
    """Feed-forward GABA released by a second volley / the first (the IPSC paired-pulse ratio
    of the model: autoreceptor inhibition and ready-pool depletion together), mean of 6 slices."""
    prep = ca1_slice()
    c = slice_constants(prep)
    n = 6
    pop = draw_slices(prep, np.random.SeedSequence(11).spawn(n))
    drugs = _drugs(n, antagonist_bound)
    ratios = np.empty(n)
    for s in range(n):
        first = P.stimulate(c, s, 0.5, 1e6, pop.slices, drugs, pop.synapses, pop.rng)[2]
        N.relax_slice(c, s, pop.slices, drugs, interval)
        second = P.stimulate(c, s, 0.5, interval, pop.slices, drugs, pop.synapses, pop.rng)[2]
        ratios[s] = second / first
    return float(ratios.mean())


def test_ipsc_paired_pulse_depression_is_mostly_gaba_b_mediated():
    """Davies, Davies & Collingridge 1990 (J Physiol 424:513) and Davies et al. 1991 (Nature
    349:609): paired-pulse depression of CA1 IPSPs is about half at 100-200 ms, has largely
    recovered by 1-2 s, and is largely removed by GABA-B antagonists (CGP 35348); at basket
    cell output synapses it is not a depletion of the releasable pool (Kraushaar & Jonas 2000
    J Neurosci 20:5594: 'independent of previous release'). Ranges are the published ones with
    a margin, not the model's output."""
    control = {t: _gaba_paired_pulse_ratio(t, 0.0) for t in (0.1, 0.2, 2.0)}
    blocked = {t: _gaba_paired_pulse_ratio(t, 1.0) for t in (0.1, 0.2)}
    for t in (0.1, 0.2):
        assert 0.35 <= control[t] <= 0.65  # about half
        assert blocked[t] >= 0.85  # the antagonist removes most of the depression
        # the GABA-B part is the larger part of the depression
        assert (blocked[t] - control[t]) > (1.0 - blocked[t])
    assert control[2.0] >= 0.85  # recovered by 2 s

"""Compiled postsynaptic pieces: two-compartment neuron, spine Ca2+ sources, slice relaxation.

The dendrite carries the synaptic conductances and fires fast Na+ dendritic spikes when
synchronous input carries it across a threshold (:func:`dendritic_spike`); the soma fires
(integrate-and-fire) and each spike back-propagates into the spines. Spine Ca2+ enters through
unblocked NMDA receptors and voltage-gated Ca2+ channels. :func:`decay_slice` advances the
slice-level fast state by one step and :func:`relax_slice` over a quiet gap in closed form.
State layout: :mod:`synpharm.model.slice_state`.
"""

from __future__ import annotations

import math

from numba import njit

from synpharm.model import slice_state as L
from synpharm.model.channels import mg_unblocked_fraction, vgcc_activation
from synpharm.model.dendritic_calcium import (
    KINETICS_REST,
    ca_gate_rates,
    kc_gate_rates,
    resting_gates,
    steady_gate,
)


@njit(cache=True, inline="always")
def spine_voltage(sl, s):
    return sl[s, L.V_DENDRITE] + sl[s, L.BAP]


@njit(cache=True, inline="always")
def nmda_calcium_drive(c, v_spine, mg):
    """Ca influx factor per open, unblocked NMDA synapse: Mg unblock x Ca driving force.

    ``mg`` is the bath Mg2+ [mol/m^3] (:func:`bath_magnesium`).
    """
    unblock = mg_unblocked_fraction(v_spine, mg, c.mg_slope, c.mg_scale)
    return unblock * (c.e_calcium - v_spine) / (c.e_calcium - c.e_leak), unblock


@njit(cache=True, inline="always")
def bath_magnesium(c, drug, s):
    """Bath Mg2+ of slice ``s`` [mol/m^3]: the reference ACSF plus the condition's change."""
    return c.mg + drug[s, L.BATH_MAGNESIUM_CHANGE]


@njit(cache=True, inline="always")
def vgcc_calcium(c, v_spine):
    act = vgcc_activation(v_spine, c.vgcc_half, c.vgcc_slope)
    return c.ca_vgcc_rate * act * act * (c.e_calcium - v_spine) / (c.e_calcium - c.e_leak)


@njit(cache=True)
def neuron_step(c, s, sl, drug, g_nmda, unblock, dt):
    """Two-compartment neuron (soma + apical dendrite), exponential Euler per compartment.

    The dendrite carries the synaptic AMPA, NMDA, GABA-A and GIRK conductances; the soma fires
    (integrate-and-fire with reset, refractoriness and adaptation) and each spike back-propagates
    into the dendritic spines. Returns True on a spike.
    """
    g_girk = c.girk_max * drug[s, L.GIRK_OCCUPANCY]
    g_gg = sl[s, L.GABAB_G] ** 4
    g_girk += c.gabab_syn * g_gg / (g_gg + c.gabab_kd)
    g_n = g_nmda * unblock
    v_soma = sl[s, L.V]
    g_na = sl[s, L.G_DSPIKE]
    g_ca, g_kc, i_ca_rest = plateau_conductances(c, s, sl)
    g_d = (c.g_leak_dendrite + c.g_coupling + sl[s, L.G_AMPA] + g_n + sl[s, L.G_GABAA] + g_girk
           + g_na + g_ca + g_kc)
    i_d = (c.g_leak_dendrite * c.e_leak + c.g_coupling * v_soma + sl[s, L.G_AMPA] * c.e_ampa
           + g_n * c.e_nmda + sl[s, L.G_GABAA] * c.e_gabaa + g_girk * c.e_k + g_na * c.e_na
           + g_ca * c.plateau_e_ca + g_kc * c.e_k - i_ca_rest)
    v_inf = i_d / g_d
    v_before = sl[s, L.V_DENDRITE]
    sl[s, L.V_DENDRITE] = v_inf + (v_before - v_inf) * math.exp(-dt * g_d / c.capacitance_dendrite)
    dendritic_spike(c, s, sl, drug, v_before, dt)
    if c.plateau_g_ca > 0.0:
        dendritic_calcium_step(c, s, sl, dt)
    free_step(c, s, sl, dt)
    spiked = False
    if sl[s, L.REFRACTORY] > 0.0:
        sl[s, L.REFRACTORY] -= dt
        sl[s, L.V] = c.v_reset
        return spiked
    g_s = c.g_leak_soma + c.g_coupling + sl[s, L.G_ADAPT]
    i_s = (c.g_leak_soma * c.e_leak + c.g_coupling * sl[s, L.V_DENDRITE]
           + sl[s, L.G_ADAPT] * c.e_k)
    v_inf = i_s / g_s
    sl[s, L.V] = v_inf + (v_soma - v_inf) * math.exp(-dt * g_s / c.capacitance_soma)
    if sl[s, L.V] >= c.v_threshold + sl[s, L.THRESHOLD_SHIFT]:
        spiked = True
        sl[s, L.V] = c.v_reset
        sl[s, L.REFRACTORY] = c.refractory
        sl[s, L.BAP] += c.bap_amplitude
        sl[s, L.G_ADAPT] += c.adaptation_increment
        sl[s, L.SPIKES] += 1.0
    return spiked


@njit(cache=True, inline="always")
def dendritic_spike(c, s, sl, drug, v_before, dt):
    """Fire a dendritic spike when the dendrite crosses its threshold from below.

    A fast Na+ spike of the apical dendrite (Golding & Spruston 1998 Neuron 21:1189;
    Gasparini, Migliore & Magee 2004 J Neurosci 24:11046): when synchronous input carries the
    dendritic potential from below ``dspike_threshold`` to above it within one step, and the
    previous dendritic spike is over its refractory period, the Na+ conductance ``G_DSPIKE``
    jumps by ``dspike_conductance`` (started at the crossing time, interpolated within the step)
    and then decays with ``dspike_tau`` (:func:`decay_slice`).
    Only an upward crossing fires: a dendrite held above threshold (sustained depolarisation
    inactivates the dendritic Na+ channels) fires again only after it has fallen below.
    Na+ channel blockers (TTX) scale the conductance by the unblocked fraction
    ``NAV_AVAILABLE``.
    """
    if sl[s, L.DSPIKE_REFRACTORY] > 0.0:
        sl[s, L.DSPIKE_REFRACTORY] = max(sl[s, L.DSPIKE_REFRACTORY] - dt, 0.0)
        return
    v_after = sl[s, L.V_DENDRITE]
    if v_before < c.dspike_threshold <= v_after:
        # onset at the crossing, interpolated within the step (as the population's spike
        # times); decay_slice ages the conductance by dt before the next step uses it, so the
        # next step starts from g exp(-elapsed / tau)
        elapsed = dt * (v_after - c.dspike_threshold) / (v_after - v_before)
        sl[s, L.G_DSPIKE] += (c.dspike_conductance * drug[s, L.NAV_AVAILABLE]
                              * math.exp((dt - elapsed) / c.dspike_tau))
        sl[s, L.DSPIKE_REFRACTORY] = c.dspike_refractory - elapsed
        sl[s, L.DSPIKES] += 1.0


@njit(cache=True, inline="always")
def resting_calcium_drive(c):
    """``s_rest^2 (E_Ca - E_L)`` [V]: the Ca2+ channels' driving term at rest, which the
    current and the pool influx subtract so that rest stays at the data file's potential."""
    s_rest = resting_gates(c.e_leak)[0]
    return s_rest * s_rest * (c.plateau_e_ca - c.e_leak)


@njit(cache=True, inline="always")
def plateau_conductances(c, s, sl):
    """(g_Ca, g_K, resting Ca2+ current) of the dendritic Ca2+ spike mechanism [S, S, A].

    ``g_Ca = g s^2``; ``g_K`` is the sum of the two Ca2+-activated K+ conductances, the fast
    ``g_K(C) = g c chi(Ca)`` and the slow ``g_K(AHP) = g q`` (Pinsky & Rinzel 1994;
    :mod:`synpharm.model.dendritic_calcium`), both reversing at the K+ reversal. The current
    the Ca2+ channels carry at rest (gate ``s`` at its resting value, potential at the leak
    reversal) is part of the measured resting potential: it is returned so that the caller
    subtracts it and rest stays where the data file puts it.
    """
    if c.plateau_g_ca <= 0.0:
        return 0.0, 0.0, 0.0
    gate = sl[s, L.CA_GATE]
    chi = min(sl[s, L.DENDRITIC_CALCIUM], 1.0)
    i_rest = c.plateau_g_ca * resting_calcium_drive(c)
    g_k = c.plateau_g_kc * sl[s, L.KC_GATE] * chi + c.plateau_g_ahp * sl[s, L.AHP_GATE]
    return c.plateau_g_ca * gate * gate, g_k, i_rest


@njit(cache=True, inline="always")
def dendritic_calcium_step(c, s, sl, dt):
    """Advance the gates ``s``, ``c``, ``q`` and the dendritic Ca2+ pool by ``dt`` (exp. Euler).

    The gates see the dendritic membrane potential plus the back-propagated spike (the bAP
    depolarises the dendrite where the channels sit; Golding, Staff & Spruston 2002 Nature
    418:326), evaluated against the kinetics' reference rest (Pinsky & Rinzel 1994). The pool
    fills with the Ca2+ current above its resting value and decays with ``plateau_ca_tau``.
    The slow AHP gate ``q`` opens at ``min(ahp_rate_per_pool x pool, ahp_max_rate)`` and
    closes with ``ahp_tau`` (their alpha_q, beta_q).
    """
    u = (sl[s, L.V_DENDRITE] + sl[s, L.BAP] - KINETICS_REST) * 1e3  # mV above their rest
    dt_ms = dt * 1e3
    a, b = ca_gate_rates(u)
    s_inf = steady_gate(a, b)
    sl[s, L.CA_GATE] = s_inf + (sl[s, L.CA_GATE] - s_inf) * math.exp(-dt_ms * (a + b))
    a, b = kc_gate_rates(u)
    c_inf = steady_gate(a, b)
    sl[s, L.KC_GATE] = c_inf + (sl[s, L.KC_GATE] - c_inf) * math.exp(-dt_ms * (a + b))
    gate = sl[s, L.CA_GATE]
    v_d = sl[s, L.V_DENDRITE]
    influx = c.plateau_ca_gain * (gate * gate * (c.plateau_e_ca - v_d)
                                  - resting_calcium_drive(c))
    pool_inf = max(influx, 0.0) * c.plateau_ca_tau
    sl[s, L.DENDRITIC_CALCIUM] = pool_inf + (sl[s, L.DENDRITIC_CALCIUM] - pool_inf) * math.exp(
        -dt / c.plateau_ca_tau)
    alpha_q = min(c.ahp_rate_per_pool * sl[s, L.DENDRITIC_CALCIUM], c.ahp_max_rate)
    rate_q = alpha_q + 1.0 / c.ahp_tau
    q_inf = alpha_q / rate_q
    sl[s, L.AHP_GATE] = q_inf + (sl[s, L.AHP_GATE] - q_inf) * math.exp(-dt * rate_q)


@njit(cache=True, inline="always")
def free_step(c, s, sl, dt):
    """Somatic potential of the same soma without threshold, reset or adaptation (``V_FREE``).

    Driven by the dendrite through the coupling conductance; it is the subthreshold trajectory
    from which :mod:`synpharm.model.population_spike` derives the firing of the pyramidal-cell
    population. It equals ``V`` while the cell has not fired.
    """
    g_s = c.g_leak_soma + c.g_coupling
    v_inf = (c.g_leak_soma * c.e_leak + c.g_coupling * sl[s, L.V_DENDRITE]) / g_s
    sl[s, L.V_FREE] = v_inf + (sl[s, L.V_FREE] - v_inf) * math.exp(-dt * g_s / c.capacitance_soma)


@njit(cache=True)
def decay_slice(c, s, sl, dt):
    sl[s, L.G_AMPA] *= math.exp(-dt / c.ampa_tau)
    sl[s, L.G_GABAA] *= math.exp(-dt / c.gabaa_tau)
    sl[s, L.G_DSPIKE] *= math.exp(-dt / c.dspike_tau)
    sl[s, L.BAP] *= math.exp(-dt / c.bap_tau)
    sl[s, L.G_ADAPT] *= math.exp(-dt / c.adaptation_tau)
    sl[s, L.RESIDUAL] *= math.exp(-dt / c.residual_tau)
    sl[s, L.RECOVERY_CALCIUM] *= math.exp(-dt / c.recovery_calcium_tau)
    sl[s, L.RESIDUAL_SLOW] *= math.exp(-dt / c.residual_slow_tau)
    sl[s, L.AUGMENTATION] *= math.exp(-dt / c.augmentation_tau)
    sl[s, L.POTENTIATION] *= math.exp(-dt / c.potentiation_tau)
    refill = 1.0 - math.exp(-dt / c.gaba_recovery)
    sl[s, L.GABA_READY] += (1.0 - sl[s, L.GABA_READY]) * refill
    sl[s, L.FEEDBACK_READY] += (1.0 - sl[s, L.FEEDBACK_READY]) * refill
    for r_col, g_col in ((L.GABAB_R, L.GABAB_G), (L.AUTORECEPTOR_R, L.AUTORECEPTOR_G)):
        r = sl[s, r_col]
        sl[s, g_col] += dt * (c.gabab_k3 * r - c.gabab_k4 * sl[s, g_col])
        sl[s, r_col] = r * math.exp(-dt * c.gabab_k2)


@njit(cache=True, inline="always")
def blocker_rates(drug, s, v_spine, mg_free):
    """(k_on c, k_off(V)) of the open-channel blocker.

    Kd(V) = Kd(0) exp(V / V_e) (Woodhull) sits in k_off. The blocker binds only to open pores
    not occupied by Mg2+ (the two compete for the same site; Kotermanski & Johnson 2009
    J Neurosci 29:2774), so the on-rate is scaled by the Mg2+-free fraction ``mg_free``.
    """
    conc = drug[s, L.BLOCKER_CONCENTRATION]
    if conc <= 0.0:
        return 0.0, 0.0
    k_on = drug[s, L.BLOCKER_ON_RATE]
    k_off = k_on * drug[s, L.BLOCKER_KD_0MV] * math.exp(v_spine / drug[s, L.BLOCKER_VOLTAGE_E_FOLD])
    return k_on * conc * mg_free, k_off


@njit(cache=True)
def relax_slice(c, s, sl, drug, duration):
    """Closed-form relaxation of the slice-level fast state over a quiet gap."""
    k2, k3, k4 = c.gabab_k2, c.gabab_k3, c.gabab_k4
    for r_col, g_col in ((L.GABAB_R, L.GABAB_G), (L.AUTORECEPTOR_R, L.AUTORECEPTOR_G)):
        r0 = sl[s, r_col]
        g0 = sl[s, g_col]
        sl[s, r_col] = r0 * math.exp(-k2 * duration)
        sl[s, g_col] = g0 * math.exp(-k4 * duration) + k3 * r0 * (
            math.exp(-k2 * duration) - math.exp(-k4 * duration)) / (k4 - k2)
    for col, tau in ((L.G_AMPA, c.ampa_tau), (L.G_GABAA, c.gabaa_tau),
                     (L.G_DSPIKE, c.dspike_tau), (L.BAP, c.bap_tau),
                     (L.G_ADAPT, c.adaptation_tau), (L.RESIDUAL, c.residual_tau),
                     (L.RECOVERY_CALCIUM, c.recovery_calcium_tau),
                     (L.RESIDUAL_SLOW, c.residual_slow_tau), (L.AUGMENTATION, c.augmentation_tau),
                     (L.POTENTIATION, c.potentiation_tau)):
        sl[s, col] *= math.exp(-duration / tau)
    refill = math.exp(-duration / c.gaba_recovery)
    sl[s, L.GABA_READY] = 1.0 - (1.0 - sl[s, L.GABA_READY]) * refill
    sl[s, L.FEEDBACK_READY] = 1.0 - (1.0 - sl[s, L.FEEDBACK_READY]) * refill
    sl[s, L.REFRACTORY] = 0.0
    sl[s, L.DSPIKE_REFRACTORY] = max(sl[s, L.DSPIKE_REFRACTORY] - duration, 0.0)
    # Ca2+-spike gates (time constants of ms) are back at rest after a quiet gap; the pool decays
    sl[s, L.CA_GATE], sl[s, L.KC_GATE] = resting_gates(c.e_leak)
    relax_slow_ahp(c, s, sl, duration)
    sl[s, L.DENDRITIC_CALCIUM] *= math.exp(-duration / c.plateau_ca_tau)
    g_girk = c.girk_max * drug[s, L.GIRK_OCCUPANCY]
    v_soma, v_dend = resting_potentials(c, g_girk)
    relax = math.exp(-duration * (c.g_leak_soma + c.g_leak_dendrite) / (
        c.capacitance_soma + c.capacitance_dendrite))
    sl[s, L.V] = v_soma + (sl[s, L.V] - v_soma) * relax
    sl[s, L.V_DENDRITE] = v_dend + (sl[s, L.V_DENDRITE] - v_dend) * relax
    sl[s, L.V_FREE] = v_soma + (sl[s, L.V_FREE] - v_soma) * relax


@njit(cache=True, inline="always")
def relax_slow_ahp(c, s, sl, duration):
    """The slow AHP gate ``q`` over a quiet gap in closed form (first order in the pool).

    The pool (time constant ``plateau_ca_tau``, ms) still opens ``q`` at ``r pool(t)`` below
    the ceiling: ``q`` gains ``(1 - q) r pool_0 tau_Ca (1 - exp(-T / tau_Ca))``, then closes
    with ``ahp_tau`` (seconds) over the gap.
    """
    if c.plateau_g_ahp <= 0.0:
        return
    q = sl[s, L.AHP_GATE]
    opened = min(c.ahp_rate_per_pool * sl[s, L.DENDRITIC_CALCIUM] * c.plateau_ca_tau
                 * (1.0 - math.exp(-duration / c.plateau_ca_tau)), 1.0)
    q += (1.0 - q) * opened
    sl[s, L.AHP_GATE] = q * math.exp(-duration / c.ahp_tau)


@njit(cache=True)
def resting_potentials(c, g_girk):
    """Steady somatic and dendritic potentials with a tonic dendritic GIRK conductance."""
    # solve the 2x2 linear steady state of the coupled compartments
    a11 = c.g_leak_soma + c.g_coupling
    a22 = c.g_leak_dendrite + c.g_coupling + g_girk
    b1 = c.g_leak_soma * c.e_leak
    b2 = c.g_leak_dendrite * c.e_leak + g_girk * c.e_k
    det = a11 * a22 - c.g_coupling**2
    return (b1 * a22 + c.g_coupling * b2) / det, (a11 * b2 + c.g_coupling * b1) / det

"""Compiled kernels: the millisecond subsystem in windows, isolated test pulses, quiet gaps.

Three integrators share one batched state (slices x synapses, see
:mod:`synpharm.model.slice_state`):

* :func:`integrate_window` - fixed-step exponential-Euler integration of every synapse and the
  postsynaptic neuron through trains and paired pulses (where spine Ca2+ crosses plasticity
  thresholds and must be followed step by step);
* :func:`isolated_pulse` - one test pulse: the neuron (one per slice) is integrated on the fine
  grid, and because every synapse sees the same voltage, each synapse's Ca2+ transient is
  ``x_i * J(t) + K(t)`` with slice-level J and K; a synapse is followed step by step only if its
  transient can reach the depression threshold (provably quiet otherwise);
* :func:`advance_quiet` - closed-form relaxation of all slow variables over a gap with no stimuli.

Interneurons: a feed-forward pool recruited with the afferent volley and a feedback pool
recruited by each spike of the principal cell, both releasing GABA with a probability set by the
Ca2+ influx of their terminals, which GABA-B autoreceptors lower (bath agonists and the released
GABA itself, through their own Destexhe-Sejnowski G protein); agonists at the interneurons'
somatodendritic GABA-B receptors lower their recruitment. Which of these effects dominates is a
matter of parameters (``docs/circuits.md``).

Loops run over slices in parallel; synapses are inner loops. Equations are documented in the
README (The model) and ``docs/circuits.md``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from synpharm.model import slice_state as L
from synpharm.model._rng import binomial, standard_normal
from synpharm.model.channels import (
    mg_unblocked_fraction,
    release_probability,
    vgcc_activation,
)
from synpharm.model.plasticity.calcium_rule import (
    early_phase_noise_compiled,
    early_phase_step,
    late_phase_capture_compiled,
)


class Stimuli(NamedTuple):
    """The stimuli of one window, each array ``(k,)``."""

    step: np.ndarray  # int64, step index of each stimulus in the window
    intensity: np.ndarray  # fraction of the maximal stimulus
    gap: np.ndarray  # time since the previous stimulus [s]


class Recorded(NamedTuple):
    """What the kernels record per slice and stimulus, each array ``(n_slices, n_stimuli)``."""

    drive: np.ndarray  # summed weighted quanta
    fire: np.ndarray  # number of conducting axons


@njit(cache=True, inline="always")
def _conducts(c, thr, safety, intensity, nav):
    return thr <= intensity and safety * nav >= 1.0


@njit(cache=True, inline="always")
def _refill_probability(c, recovery_calcium, gap):
    """Probability that an empty site refills during ``gap`` [s] (Dittman et al. 2000).

    Recovery rate k = k0 + (k_max - k0) D / (D + K_D) with D decaying (tau_D) from its value at
    the previous stimulus; the rate is integrated over the gap with the mean of D.
    """
    tau = c.recovery_calcium_tau
    mean_d = recovery_calcium * tau * (1.0 - math.exp(-gap / tau)) / gap
    rate = 1.0 / c.site_recovery_time + c.recovery_rate_boost * mean_d / (mean_d + c.recovery_kd)
    return 1.0 - math.exp(-rate * gap)


@njit(cache=True)
def _stimulate(c, s, intensity, gap, sl, drug, syn, rng):
    """Presynaptic volley, binomial release at every conducting synapse, transmitter actions.

    Returns (summed weighted quanta, number of conducting axons, interneuron GABA release).
    """
    n_sites, ready, k4, thr, safety = (syn.n_sites, syn.ready, syn.release_half_power,
                                       syn.recruitment_threshold, syn.safety_factor)
    a_w, h, z, o = syn.ampa_weight, syn.early, syn.late, syn.nmda_open
    refill = _refill_probability(c, sl[s, L.RECOVERY_CALCIUM], gap)
    ca_rel = drug[s, L.PRE_CALCIUM] * (1.0 + sl[s, L.RESIDUAL])
    drive = 0.0
    n_fire = 0
    for i in range(n_sites.shape[1]):
        empty = n_sites[s, i] - ready[s, i]
        if empty > 0:
            ready[s, i] += binomial(rng, s, empty, refill)
        if not _conducts(c, thr[s, i], safety[s, i], intensity, drug[s, L.NAV_AVAILABLE]):
            continue
        n_fire += 1
        p = release_probability(ca_rel, k4[s, i], c.release_cooperativity, c.release_p_max)
        k = binomial(rng, s, ready[s, i], p)
        if k > 0:
            ready[s, i] -= k
            drive += k * a_w[s, i] * (h[s, i] + z[s, i])
            o[s, i] = 1.0 - (1.0 - o[s, i]) * (1.0 - c.nmda_open_per_vesicle) ** k
    sl[s, L.RESIDUAL] += c.residual_increment * drug[s, L.PRE_CALCIUM]
    sl[s, L.RECOVERY_CALCIUM] += c.recovery_calcium_increment * drug[s, L.PRE_CALCIUM]
    # feed-forward interneurons: recruited with the axons, release scaled by GABA-B presynaptic
    recruited = n_fire / n_sites.shape[1] * _interneuron_recruitment(c, s, drug)
    p_gaba = release_probability(_gaba_terminal_calcium(c, s, sl, drug), c.gaba_half_power,
                                 c.release_cooperativity, c.release_p_max)
    released = sl[s, L.GABA_READY] * p_gaba
    sl[s, L.GABA_READY] -= released * c.gaba_depletion
    gaba = recruited * released / c.interneuron_p
    sl[s, L.G_AMPA] += drive * c.ampa_per_quantum
    _gaba_binds(c, s, sl, drug, gaba)
    return drive, n_fire, gaba


@njit(cache=True, inline="always")
def _interneuron_recruitment(c, s, drug):
    """Fraction of interneurons still recruited when agonists act on their own GABA-B receptors.

    Somatodendritic GABA-B (GIRK) receptors of the interneurons hyperpolarise them; the
    recruited fraction falls linearly with the agonist occupancy of GIRK-coupled receptors.
    """
    return 1.0 - c.interneuron_recruitment_loss * drug[s, L.GIRK_OCCUPANCY]


@njit(cache=True, inline="always")
def _gaba_terminal_calcium(c, s, sl, drug):
    """Ca2+ influx at GABAergic terminals (1 = control): bath agonists and synaptic GABA.

    Bath agonist occupancy ``o`` and the activation by released GABA ``a = G / (G + G_half)``
    share one autoreceptor pool (``a`` acts on the receptors free of agonist and antagonist),
    so the influx is ``1 - a_max (o + a (1 - o) (1 - antagonist-bound))``.
    """
    g = sl[s, L.AUTORECEPTOR_G]
    synaptic = g / (g + c.autoreceptor_half_activation)
    free = (1.0 - drug[s, L.GABA_PRE_OCCUPANCY]) * (1.0 - drug[s, L.GABAB_ANTAGONIST_BOUND])
    return max(drug[s, L.GABA_PRE_CALCIUM] - c.gaba_max_inhibition * synaptic * free, 0.0)


@njit(cache=True, inline="always")
def _gaba_binds(c, s, sl, drug, gaba):
    """Released GABA (in units of one full interneuron volley) binds GABA-B receptors.

    Postsynaptic receptors (slow IPSP through GIRK) and the autoreceptors on the GABAergic
    terminals themselves (Destexhe & Sejnowski 1995 binding per release); antagonist-bound
    autoreceptors cannot bind.
    """
    sl[s, L.GABAB_R] += (1.0 - sl[s, L.GABAB_R]) * c.gabab_binding_per_release * gaba
    free = 1.0 - drug[s, L.GABAB_ANTAGONIST_BOUND]
    sl[s, L.AUTORECEPTOR_R] += ((1.0 - sl[s, L.AUTORECEPTOR_R])
                                * c.gabab_binding_per_release * gaba * free)


@njit(cache=True)
def _feedback_volley(c, s, sl, drug, ring, step, n_ring):
    """Feedback interneurons fire after a spike of the principal cell population.

    Their GABA release (autoreceptor-modulated like the feed-forward terminals, own ready
    pool) is scheduled as a GABA-A conductance ``feedback_delay`` later. No-op without
    feedback inhibition (conductance 0).
    """
    if c.feedback_conductance <= 0.0:
        return
    p_gaba = release_probability(_gaba_terminal_calcium(c, s, sl, drug), c.gaba_half_power,
                                 c.release_cooperativity, c.release_p_max)
    released = sl[s, L.FEEDBACK_READY] * p_gaba
    sl[s, L.FEEDBACK_READY] -= released * c.gaba_depletion
    gaba = released / c.interneuron_p * _interneuron_recruitment(c, s, drug)
    ring[(step + c.feedback_delay_steps) % n_ring] += gaba * c.feedback_conductance
    _gaba_binds(c, s, sl, drug, gaba)


@njit(cache=True, inline="always")
def _spine_voltage(sl, s):
    return sl[s, L.V_DENDRITE] + sl[s, L.BAP]


@njit(cache=True, inline="always")
def _nmda_calcium_drive(c, v_spine):
    """Ca influx factor per open, unblocked NMDA synapse: Mg unblock x Ca driving force."""
    unblock = mg_unblocked_fraction(v_spine, c.mg, c.mg_slope, c.mg_scale)
    return unblock * (c.e_calcium - v_spine) / (c.e_calcium - c.e_leak), unblock


@njit(cache=True, inline="always")
def _vgcc_calcium(c, v_spine):
    act = vgcc_activation(v_spine, c.vgcc_half, c.vgcc_slope)
    return c.ca_vgcc_rate * act * act * (c.e_calcium - v_spine) / (c.e_calcium - c.e_leak)


@njit(cache=True)
def _neuron_step(c, s, sl, drug, g_nmda, unblock, dt):
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
    g_d = (c.g_leak_dendrite + c.g_coupling + sl[s, L.G_AMPA] + g_n + sl[s, L.G_GABAA] + g_girk)
    i_d = (c.g_leak_dendrite * c.e_leak + c.g_coupling * v_soma + sl[s, L.G_AMPA] * c.e_ampa
           + g_n * c.e_nmda + sl[s, L.G_GABAA] * c.e_gabaa + g_girk * c.e_k)
    v_inf = i_d / g_d
    sl[s, L.V_DENDRITE] = v_inf + (sl[s, L.V_DENDRITE] - v_inf) * math.exp(
        -dt * g_d / c.capacitance_dendrite)
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
    if sl[s, L.V] >= c.v_threshold:
        spiked = True
        sl[s, L.V] = c.v_reset
        sl[s, L.REFRACTORY] = c.refractory
        sl[s, L.BAP] += c.bap_amplitude
        sl[s, L.G_ADAPT] += c.adaptation_increment
        sl[s, L.SPIKES] += 1.0
    return spiked


@njit(cache=True)
def _decay_slice(c, s, sl, dt):
    sl[s, L.G_AMPA] *= math.exp(-dt / c.ampa_tau)
    sl[s, L.G_GABAA] *= math.exp(-dt / c.gabaa_tau)
    sl[s, L.BAP] *= math.exp(-dt / c.bap_tau)
    sl[s, L.G_ADAPT] *= math.exp(-dt / c.adaptation_tau)
    sl[s, L.RESIDUAL] *= math.exp(-dt / c.residual_tau)
    sl[s, L.RECOVERY_CALCIUM] *= math.exp(-dt / c.recovery_calcium_tau)
    refill = 1.0 - math.exp(-dt / c.gaba_recovery)
    sl[s, L.GABA_READY] += (1.0 - sl[s, L.GABA_READY]) * refill
    sl[s, L.FEEDBACK_READY] += (1.0 - sl[s, L.FEEDBACK_READY]) * refill
    for r_col, g_col in ((L.GABAB_R, L.GABAB_G), (L.AUTORECEPTOR_R, L.AUTORECEPTOR_G)):
        r = sl[s, r_col]
        sl[s, g_col] += dt * (c.gabab_k3 * r - c.gabab_k4 * sl[s, g_col])
        sl[s, r_col] = r * math.exp(-dt * c.gabab_k2)


@njit(cache=True, inline="always")
def _blocker_rates(drug, s, v_spine, mg_free):
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


@njit(parallel=True, cache=True)
def integrate_window(c, n_steps, stimuli, sl, drug, syn, rng, out):
    """Integrate all slices through a window of ``n_steps`` steps of ``c.dt`` with stimuli.

    ``stimuli`` (:class:`Stimuli`, k stimuli): step index, intensity and time since the previous
    stimulus [s]. ``sl`` per-slice state, ``drug`` drug effects (layout of
    :mod:`synpharm.model.slice_state`), ``syn`` the :class:`~synpharm.model.slice_state.Synapses`.
    Writes summed quanta and conducting axons per stimulus into ``out`` (:class:`Recorded`,
    (n_slices, k)). ``syn.above`` accumulates time above the depression threshold per synapse
    (for the plasticity noise, drawn in :func:`finish_noise`).
    """
    stim_step, stim_intensity, stim_gap = stimuli
    out_drive, out_fire = out
    nmda_w, o, b, ca, h, above = (syn.nmda_weight, syn.nmda_open, syn.blocked, syn.calcium,
                                  syn.early, syn.above)
    dt = c.dt
    n_syn = h.shape[1]
    decay_n = math.exp(-dt / c.nmda_tau)
    decay_ca = math.exp(-dt / c.calcium_tau)
    n_ring = max(c.ffi_delay_steps, c.feedback_delay_steps) + 1
    for s in prange(sl.shape[0]):
        ring = np.zeros(n_ring)
        next_stim = 0
        g_nmda = 0.0
        scale = c.ca_nmda_rate * sl[s, L.CALCIUM_SCALE] * drug[s, L.NMDA_AVAILABLE]
        for step in range(n_steps):
            if next_stim < stim_step.shape[0] and stim_step[next_stim] == step:
                drive, n_fire, gaba = _stimulate(
                    c, s, stim_intensity[next_stim], stim_gap[next_stim], sl, drug, syn, rng)
                out_drive[s, next_stim] = drive
                out_fire[s, next_stim] = n_fire
                ring[(step + c.ffi_delay_steps) % n_ring] += gaba * c.ffi_conductance
                next_stim += 1
            sl[s, L.G_GABAA] += ring[step % n_ring]
            ring[step % n_ring] = 0.0
            v_sp = _spine_voltage(sl, s)
            ca_drive, unblock = _nmda_calcium_drive(c, v_sp)
            ca_drive *= scale
            ca_v = _vgcc_calcium(c, v_sp) * sl[s, L.CALCIUM_SCALE]
            on, off = _blocker_rates(drug, s, v_sp, unblock)
            g_open = 0.0
            for i in range(n_syn):
                oi = o[s, i]
                influx = ca_v
                if oi > 1e-7:
                    bi = b[s, i]
                    if on > 0.0:
                        b[s, i] = bi + dt * oi * (on * (1.0 - bi) - off * bi)
                    unblocked = oi * (1.0 - bi) * nmda_w[s, i]
                    g_open += unblocked
                    influx += ca_drive * unblocked
                    o[s, i] = oi * decay_n
                x = ca[s, i] * decay_ca + dt * influx
                ca[s, i] = x
                if x > c.theta_d:
                    h[s, i] = early_phase_step(c, h[s, i], x, dt)
                    above[s, i] += dt
            g_nmda = g_open * c.nmda_per_open * drug[s, L.NMDA_AVAILABLE]
            if _neuron_step(c, s, sl, drug, g_nmda, unblock, dt):
                _feedback_volley(c, s, sl, drug, ring, step, n_ring)
            _decay_slice(c, s, sl, dt)


@njit(parallel=True, cache=True)
def finish_noise(c, syn, rng):
    """Add the plasticity noise accumulated while Ca2+ was above threshold, then reset ``above``.

    The noise term of the early phase, sigma sqrt(tau_h) Gamma(t) gated by the thresholds, has
    variance sigma^2 T / tau_h over a total time T above threshold; it is drawn once per window.
    """
    above, h = syn.above, syn.early
    for s in prange(h.shape[0]):
        for i in range(h.shape[1]):
            if above[s, i] > 0.0:
                h[s, i] = early_phase_noise_compiled(h[s, i], above[s, i], standard_normal(rng, s),
                                                     c.h_noise, c.tau_h, c.h_max)
                above[s, i] = 0.0


@njit(parallel=True, cache=True)
def isolated_pulse(c, n_steps, intensity, gap, sl, drug, syn, rng, out, j):
    """One isolated test pulse: slice-level fine integration, per-synapse closed forms.

    The neuron of each slice is integrated for ``n_steps`` steps with the summed NMDA
    conductance ``G(t) = sum_i o_i (1 - b_i) w_i exp(-t / tau_N)``. Spine Ca2+ of synapse i is
    ``ca_i(0) e^{-t/tau_Ca} + x_i J(t) + K(t)`` with ``x_i = o_i(0+) (1 - b_i) w_i``; synapses
    whose bound ``ca_i(0) + x_i max J + max K`` stays below the depression threshold are quiet
    and only their blocker state is updated in closed form (trapping open-channel block with
    the open-time integral of the transient, tail at rest included). Arguments as in
    :func:`integrate_window`; ``j`` is the stimulus' column in ``out``.
    """
    out_drive, out_fire = out
    nmda_w, o, b, ca, h, above = (syn.nmda_weight, syn.nmda_open, syn.blocked, syn.calcium,
                                  syn.early, syn.above)
    dt = c.dt
    n_syn = h.shape[1]
    decay_n = math.exp(-dt / c.nmda_tau)
    decay_ca = math.exp(-dt / c.calcium_tau)
    n_ring = max(c.ffi_delay_steps, c.feedback_delay_steps) + 1
    for s in prange(sl.shape[0]):
        drive, n_fire, gaba = _stimulate(c, s, intensity, gap, sl, drug, syn, rng)
        out_drive[s, j] = drive
        out_fire[s, j] = n_fire
        g_open0 = 0.0
        for i in range(n_syn):
            g_open0 += o[s, i] * (1.0 - b[s, i]) * nmda_w[s, i]
        scale = c.ca_nmda_rate * sl[s, L.CALCIUM_SCALE] * drug[s, L.NMDA_AVAILABLE]
        jn = np.zeros(n_steps)
        kv = np.zeros(n_steps)
        ring = np.zeros(n_ring)
        ring[c.ffi_delay_steps % n_ring] = gaba * c.ffi_conductance
        jv = 0.0
        kk = 0.0
        en = 1.0
        a_on = 0.0
        a_off = 0.0
        for step in range(n_steps):
            sl[s, L.G_GABAA] += ring[step % n_ring]
            ring[step % n_ring] = 0.0
            v_sp = _spine_voltage(sl, s)
            ca_drive, unblock = _nmda_calcium_drive(c, v_sp)
            on, off = _blocker_rates(drug, s, v_sp, unblock)
            a_on += on * en * dt
            a_off += off * en * dt
            jv = jv * decay_ca + dt * scale * ca_drive * en
            kk = kk * decay_ca + dt * _vgcc_calcium(c, v_sp) * sl[s, L.CALCIUM_SCALE]
            jn[step] = jv
            kv[step] = kk
            g_nmda = g_open0 * en * c.nmda_per_open * drug[s, L.NMDA_AVAILABLE]
            if _neuron_step(c, s, sl, drug, g_nmda, unblock, dt):
                _feedback_volley(c, s, sl, drug, ring, step, n_ring)
            _decay_slice(c, s, sl, dt)
            en *= decay_n
        # open-time tail after the window, at the resting potential
        on, off = _blocker_rates(drug, s, c.e_leak,
                                 mg_unblocked_fraction(c.e_leak, c.mg, c.mg_slope, c.mg_scale))
        a_on += on * en * c.nmda_tau
        a_off += off * en * c.nmda_tau
        j_max = jn.max()
        k_max = kv.max()
        ca0_decay = decay_ca**n_steps
        for i in range(n_syn):
            oi = o[s, i]
            x = oi * (1.0 - b[s, i]) * nmda_w[s, i]
            if ca[s, i] + x * j_max + k_max > c.theta_d:
                ca_start = ca[s, i]
                for step in range(n_steps):
                    ca_start *= decay_ca
                    xi = ca_start + x * jn[step] + kv[step]
                    if xi > c.theta_d:
                        h[s, i] = early_phase_step(c, h[s, i], xi, dt)
                        above[s, i] += dt
            ca[s, i] = ca[s, i] * ca0_decay + x * jn[n_steps - 1] + kv[n_steps - 1]
            if oi > 1e-7 and a_on > 0.0:
                total = a_on + a_off
                b_eq = a_on / total
                b[s, i] = b_eq + (b[s, i] - b_eq) * math.exp(-oi * total)
            o[s, i] = oi * en


@njit(parallel=True, cache=True)
def advance_quiet(c, duration, sl, drug, syn):
    """Closed-form evolution of slow variables over ``duration`` [s] without stimuli.

    Early phase relaxes to 1 with rate early_relaxation / tau_h; the cell-wide protein level
    relaxes towards 1 while the mean early-phase change of tagged synapses exceeds the
    protein-synthesis threshold (0 otherwise); tagged synapses capture protein into the late
    phase z (towards 1 for potentiated, -0.5 for depressed tags; Luboeinski & Tetzlaff 2021).
    """
    h, z, o, ca = syn.early, syn.late, syn.nmda_open, syn.calcium
    relax = math.exp(-duration * c.h_relaxation / c.tau_h)
    for s in prange(sl.shape[0]):
        n_tag = 0
        change = 0.0
        for i in range(h.shape[1]):
            d = abs(h[s, i] - 1.0)
            if d > c.tag_threshold:
                n_tag += 1
                change += d
        target = 0.0
        if n_tag > 0 and change / n_tag > c.protein_threshold:
            target = 1.0
        p0 = sl[s, L.PROTEIN]
        decay_p = math.exp(-duration / c.tau_protein)
        sl[s, L.PROTEIN] = target + (p0 - target) * decay_p
        protein_integral = target * duration + (p0 - target) * c.tau_protein * (1.0 - decay_p)
        capture = math.exp(-protein_integral / c.tau_late)
        for i in range(h.shape[1]):
            d = h[s, i] - 1.0
            z[s, i] = late_phase_capture_compiled(z[s, i], d, capture, c.tag_threshold)
            h[s, i] = 1.0 + d * relax
            o[s, i] *= math.exp(-duration / c.nmda_tau)
            ca[s, i] *= math.exp(-duration / c.calcium_tau)
        _relax_slice(c, s, sl, drug, duration)


@njit(cache=True)
def _relax_slice(c, s, sl, drug, duration):
    """Closed-form relaxation of the slice-level fast state over a quiet gap."""
    k2, k3, k4 = c.gabab_k2, c.gabab_k3, c.gabab_k4
    for r_col, g_col in ((L.GABAB_R, L.GABAB_G), (L.AUTORECEPTOR_R, L.AUTORECEPTOR_G)):
        r0 = sl[s, r_col]
        g0 = sl[s, g_col]
        sl[s, r_col] = r0 * math.exp(-k2 * duration)
        sl[s, g_col] = g0 * math.exp(-k4 * duration) + k3 * r0 * (
            math.exp(-k2 * duration) - math.exp(-k4 * duration)) / (k4 - k2)
    for col, tau in ((L.G_AMPA, c.ampa_tau), (L.G_GABAA, c.gabaa_tau), (L.BAP, c.bap_tau),
                     (L.G_ADAPT, c.adaptation_tau), (L.RESIDUAL, c.residual_tau),
                     (L.RECOVERY_CALCIUM, c.recovery_calcium_tau)):
        sl[s, col] *= math.exp(-duration / tau)
    refill = math.exp(-duration / c.gaba_recovery)
    sl[s, L.GABA_READY] = 1.0 - (1.0 - sl[s, L.GABA_READY]) * refill
    sl[s, L.FEEDBACK_READY] = 1.0 - (1.0 - sl[s, L.FEEDBACK_READY]) * refill
    sl[s, L.REFRACTORY] = 0.0
    g_girk = c.girk_max * drug[s, L.GIRK_OCCUPANCY]
    v_soma, v_dend = resting_potentials(c, g_girk)
    relax = math.exp(-duration * (c.g_leak_soma + c.g_leak_dendrite) / (
        c.capacitance_soma + c.capacitance_dendrite))
    sl[s, L.V] = v_soma + (sl[s, L.V] - v_soma) * relax
    sl[s, L.V_DENDRITE] = v_dend + (sl[s, L.V_DENDRITE] - v_dend) * relax


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

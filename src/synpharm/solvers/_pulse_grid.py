"""Compiled pieces shared by the isolated and the train pulse: fine grid, per-synapse update.

One pulse is integrated in two parts. :func:`fine_grid` integrates the neuron of one slice on
the fine grid (every synapse sees the same voltage) and fills the slice-level Ca2+ kernels J
and K, so that each synapse's spine Ca2+ is ``ca_i(0) e^{-t/tau_Ca} + x_i J(t) + K(t)`` with
``x_i`` its open, unblocked NMDA content; :func:`update_synapses` then advances every synapse
of the slice: step by step through the plasticity rule where its Ca2+ can reach the depression
threshold (:func:`fast_gates`), otherwise in closed form (Ca2+ integral as an impulse on the
phosphatase, :func:`~synpharm.model.plasticity.calcium_rule.quiet_plasticity` over the window),
then its Ca2+, open fraction and trapping block. Used by
:func:`~synpharm.solvers._kernels.isolated_pulse` and :func:`~synpharm.solvers._pulses.
train_pulse` (formerly two copies of the same per-step loop).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from synpharm.model import slice_state as L
from synpharm.model.channels import mg_unblocked_fraction
from synpharm.model.dendritic_calcium import resting_gates
from synpharm.model.plasticity.calcium_rule import quiet_plasticity
from synpharm.model.plasticity.phosphatase import activation
from synpharm.solvers._neuron import (
    bath_magnesium,
    blocker_rates,
    decay_slice,
    neuron_step,
    nmda_calcium_drive,
    plateau_conductances,
    resting_potentials,
    spine_voltage,
    vgcc_calcium,
)
from synpharm.solvers._presynaptic import feedback_volley
from synpharm.solvers._synapse_rows import gate_step


@njit(cache=True)
def slice_quiet(c, s, sl, drug, g_nmda_free, tol_v, tol_g, ring, ca_bound):
    """Whether slice ``s`` is quiet: the closed form of a stimulus-free gap applies from here.

    Quiet means no pending GABA in ``ring``, not refractory (soma or dendritic spike),
    somatic, dendritic and free somatic potentials within ``tol_v`` [V] of rest,
    back-propagated spike under ``tol_v``, synaptic conductances (AMPA, GABA-A, GABA-B GIRK,
    dendritic-spike Na+, dendritic Ca2+ and Ca2+-activated K+ above rest, NMDA with its Mg2+
    block at rest ``g_nmda_free``) under ``tol_g``
    times the dendritic leak, adaptation under ``tol_g`` times the somatic leak, and the bound
    ``ca_bound`` on any synapse's spine Ca2+ from now on below the depression threshold (so no
    fast plasticity gate can open in the gap).
    """
    if (ca_bound >= c.theta_d or sl[s, L.REFRACTORY] > 0.0 or sl[s, L.BAP] > tol_v
            or sl[s, L.DSPIKE_REFRACTORY] > 0.0):
        return False
    for k in range(ring.shape[0]):
        if ring[k] != 0.0:
            return False
    g_gg = sl[s, L.GABAB_G] ** 4
    g_ca, g_kc, _ = plateau_conductances(c, s, sl)
    g_syn = (sl[s, L.G_AMPA] + sl[s, L.G_GABAA] + c.gabab_syn * g_gg / (g_gg + c.gabab_kd)
             + g_nmda_free + sl[s, L.G_DSPIKE]
             + abs(g_ca - c.plateau_g_ca * resting_gates(c.e_leak)[0] ** 2) + g_kc)
    if g_syn > tol_g * c.g_leak_dendrite or sl[s, L.G_ADAPT] > tol_g * c.g_leak_soma:
        return False
    v_soma, v_dend = resting_potentials(c, c.girk_max * drug[s, L.GIRK_OCCUPANCY])
    return (abs(sl[s, L.V] - v_soma) < tol_v and abs(sl[s, L.V_FREE] - v_soma) < tol_v
            and abs(sl[s, L.V_DENDRITE] - v_dend) < tol_v)


@njit(cache=True, inline="always")
def _largest_inputs(o, b, nmda_w, ca, s):
    """Largest spine Ca2+ and largest open, unblocked NMDA content ``x`` over synapses."""
    ca_max = 0.0
    x_max = 0.0
    for i in range(o.shape[1]):
        ca_max = max(ca_max, ca[s, i])
        x_max = max(x_max, o[s, i] * (1.0 - b[s, i]) * nmda_w[s, i])
    return ca_max, x_max


@njit(cache=True)
def fine_grid(c, s, max_steps, min_steps, tol, sl, drug, syn, ring, g_open0, jn, kv, soma, j):
    """Slice ``s`` on the fine grid until quiet (after ``min_steps``) or ``max_steps``.

    Fills ``jn``, ``kv`` (the slice-level Ca2+ kernels J and K: NMDA Ca2+ per unit open,
    unblocked content, and VGCC Ca2+); records ``V_FREE`` into ``soma[s, j]`` for its first
    samples. ``tol`` = (voltage [V], relative conductance) tolerances of :func:`slice_quiet`
    (``min_steps = max_steps`` integrates a fixed window). Returns the steps taken, the
    open-time integrals of the blocker rates, the remaining NMDA open fraction
    ``e^{-t/tau_N}`` and the NMDA charge [C] carried on the grid.
    """
    dt, n_ring = c.dt, ring.shape[0]
    decay_n = math.exp(-dt / c.nmda_tau)
    decay_ca = math.exp(-dt / c.calcium_tau)
    mg = bath_magnesium(c, drug, s)
    scale = c.ca_nmda_rate * sl[s, L.CALCIUM_SCALE] * drug[s, L.NMDA_AVAILABLE]
    g_per_open = c.nmda_per_open * drug[s, L.NMDA_AVAILABLE]
    rest_unblock = mg_unblocked_fraction(c.e_leak, mg, c.mg_slope, c.mg_scale)
    rest_drive, _ = nmda_calcium_drive(c, c.e_leak, mg)
    ca_max, x_max = _largest_inputs(syn.nmda_open, syn.blocked, syn.nmda_weight, syn.calcium, s)
    jv = kk = a_on = a_off = charge = 0.0
    en = 1.0
    for step in range(max_steps):
        sl[s, L.G_GABAA] += ring[step % n_ring] * (1.0 - drug[s, L.GABAA_BLOCKED])
        ring[step % n_ring] = 0.0
        v_sp = spine_voltage(sl, s)
        ca_drive, unblock = nmda_calcium_drive(c, v_sp, mg)
        on, off = blocker_rates(drug, s, v_sp, unblock)
        a_on += on * en * dt
        a_off += off * en * dt
        jv = jv * decay_ca + dt * scale * ca_drive * en
        kk = kk * decay_ca + dt * vgcc_calcium(c, v_sp) * sl[s, L.CALCIUM_SCALE]
        jn[step] = jv
        kv[step] = kk
        g_nmda = g_open0 * en * g_per_open
        charge += g_nmda * unblock * (c.e_nmda - sl[s, L.V_DENDRITE]) * dt
        if neuron_step(c, s, sl, drug, g_nmda, unblock, dt):
            feedback_volley(c, s, sl, drug, ring, step, n_ring)
        if step < soma.shape[2]:
            soma[s, j, step] = sl[s, L.V_FREE]
        decay_slice(c, s, sl, dt)
        en *= decay_n
        ca_max *= decay_ca
        if step + 1 >= min_steps:
            ca_bound = ca_max + x_max * (jv + en * scale * rest_drive * c.calcium_tau) + kk
            if slice_quiet(c, s, sl, drug, g_open0 * en * g_per_open * rest_unblock, tol[0],
                           tol[1], ring, ca_bound):
                return step + 1, a_on, a_off, en, charge
    return max_steps, a_on, a_off, en, charge


@njit(cache=True, inline="always")
def trapped_block(b, open_fraction, a_on, a_off):
    """Open-channel block after a pulse: relaxation towards ``a_on / (a_on + a_off)`` with the
    open-time integrals ``a_on``, ``a_off`` of the binding and unbinding rates."""
    total = a_on + a_off
    b_eq = a_on / total
    return b_eq + (b - b_eq) * math.exp(-open_fraction * total)


@njit(cache=True)
def fast_gates(c, syn, s, fast, x, jn, kv, decay_ca):
    """Synapses ``fast`` (indices) of slice ``s`` step by step through a pulse window, all
    at once (:func:`~synpharm.solvers._synapse_rows.gate_step`): plasticity rule (early phase,
    phosphatase, kinase; :func:`~synpharm.model.plasticity.calcium_rule.plasticity_step`),
    time above theta_d (plasticity noise) and NMDA-dependent STP above theta_p. ``x`` their
    open, unblocked NMDA content; their Ca2+ is ``ca(0) e^{-t/tau_Ca} + x J(t) + K(t)``."""
    residual = syn.calcium[s][fast]
    rows = (syn.above[s][fast], syn.short_term[s][fast], syn.early[s][fast],
            syn.phosphatase[s][fast], syn.kinase[s][fast])
    for step in range(jn.shape[0]):
        gate_step(c, residual, x, jn[step], kv[step], rows, c.dt, decay_ca)
    above, stp, h, p, k = rows
    for a in range(fast.shape[0]):
        i = fast[a]
        syn.above[s, i], syn.short_term[s, i] = above[a], stp[a]
        syn.early[s, i], syn.phosphatase[s, i], syn.kinase[s, i] = h[a], p[a], k[a]


@njit(cache=True)
def update_synapses(c, syn, s, jn, kv, n, en, a_on, a_off):
    """Every synapse of slice ``s`` through a pulse window of ``n`` fine steps.

    ``jn[:n]``, ``kv[:n]`` from :func:`fine_grid`; ``en`` the NMDA open fraction left at the
    window's end; ``a_on``, ``a_off`` the open-time integrals of the blocker rates (tail at
    rest included). A synapse whose Ca2+ bound ``ca_i(0) + x_i max J + max K`` reaches
    theta_d goes step by step (:func:`fast_gates`); the others take their window Ca2+ integral
    ``ca_i(0) S_c + x_i S_J + S_K`` as an impulse on the phosphatase and relax in closed form.
    """
    dt = c.dt
    decay_ca = math.exp(-dt / c.calcium_tau)
    o, b, w, ca = syn.nmda_open, syn.blocked, syn.nmda_weight, syn.calcium
    # integral of ca_i(0) e^{-t/tau_Ca} over the window (per unit ca_i(0))
    s_c = dt * decay_ca * (1.0 - decay_ca**n) / (1.0 - decay_ca)
    j_max = jn[:n].max()
    k_max = kv[:n].max()
    s_j = dt * jn[:n].sum()
    s_k = dt * kv[:n].sum()
    ca0_decay = decay_ca**n
    n_syn = o.shape[1]
    content = np.empty(n_syn)
    fast = np.empty(n_syn, dtype=np.int64)
    n_fast = 0
    for i in range(n_syn):
        x = o[s, i] * (1.0 - b[s, i]) * w[s, i]
        content[i] = x
        if ca[s, i] + x * j_max + k_max > c.theta_d:
            fast[n_fast] = i
            n_fast += 1
        else:
            p = activation(syn.phosphatase[s, i], ca[s, i] * s_c + x * s_j + s_k,
                           c.phosphatase_rate)
            syn.early[s, i], syn.phosphatase[s, i], syn.kinase[s, i] = quiet_plasticity(
                c, syn.early[s, i], p, syn.kinase[s, i], n * dt)
    if n_fast > 0:
        fast = fast[:n_fast]
        fast_gates(c, syn, s, fast, content[fast], jn[:n], kv[:n], decay_ca)
    for i in range(n_syn):
        oi = o[s, i]
        x = content[i]
        ca[s, i] = ca[s, i] * ca0_decay + x * jn[n - 1] + kv[n - 1]
        if oi > 1e-7 and a_on > 0.0:
            b[s, i] = trapped_block(b[s, i], oi, a_on, a_off)
        o[s, i] = oi * en

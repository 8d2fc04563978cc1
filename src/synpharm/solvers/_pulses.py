"""Compiled kernel: one pulse of a spaced train, fine grid while active, closed form once quiet.

:func:`train_pulse` extends the per-synapse closed form of
:func:`~synpharm.solvers._kernels.isolated_pulse` to pulses of a train: the neuron of each slice
is integrated on the fine grid from the stimulus until the slice is *quiet* (decided from its
state by :func:`slice_quiet`) or until the next stimulus, whichever comes first; each synapse's
Ca2+ is ``ca_i(0) e^{-t/tau_Ca} + x_i J(t) + K(t)`` on that grid (gates followed step by step
only where Ca2+ can reach the depression threshold); the rest of the interval is advanced in
closed form (:func:`~synpharm.solvers._kernels.quiet_slice`). Slices end their fine grid
independently; loops run over slices in parallel with synapses inner.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from synpharm.model import slice_state as L
from synpharm.model.channels import mg_unblocked_fraction
from synpharm.solvers._kernels import (
    _nmda_tail_charge,
    fast_gates,
    quiet_slice,
    slow_phosphatase,
    trapped_block,
)
from synpharm.solvers._neuron import (
    bath_magnesium,
    blocker_rates,
    decay_slice,
    neuron_step,
    nmda_calcium_drive,
    resting_potentials,
    spine_voltage,
    vgcc_calcium,
)
from synpharm.solvers._presynaptic import feedback_volley, stimulate


@njit(cache=True)
def slice_quiet(c, s, sl, drug, g_nmda_free, tol_v, tol_g, ring, ca_bound):
    """Whether slice ``s`` is quiet: the closed form of a stimulus-free gap applies from here.

    Quiet means no pending GABA in ``ring``, not refractory (soma or dendritic spike),
    somatic, dendritic and free somatic potentials within ``tol_v`` [V] of rest,
    back-propagated spike under ``tol_v``, synaptic conductances (AMPA, GABA-A, GABA-B GIRK,
    dendritic-spike Na+, NMDA with its Mg2+ block at rest ``g_nmda_free``) under ``tol_g``
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
    g_syn = (sl[s, L.G_AMPA] + sl[s, L.G_GABAA] + c.gabab_syn * g_gg / (g_gg + c.gabab_kd)
             + g_nmda_free + sl[s, L.G_DSPIKE])
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
def _fine_grid(c, s, max_steps, min_steps, tol, sl, drug, syn, ring, g_open0, jn, kv, soma, j):
    """Slice ``s`` on the fine grid until quiet (after ``min_steps``) or ``max_steps``.

    Fills ``jn``, ``kv`` (the J and K of :func:`~synpharm.solvers._kernels.isolated_pulse`);
    returns the steps taken, the open-time integrals of the blocker rates, the remaining
    NMDA open fraction ``e^{-t/tau_N}`` and the NMDA charge [C] carried on the grid.
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
        ca_bound = ca_max + x_max * (jv + en * scale * rest_drive * c.calcium_tau) + kk
        if step + 1 >= min_steps and slice_quiet(c, s, sl, drug, g_open0 * en * g_per_open
                                                 * rest_unblock, tol[0], tol[1], ring,
                                                 ca_bound):
            return step + 1, a_on, a_off, en, charge
    return max_steps, a_on, a_off, en, charge


@njit(parallel=True, cache=True)
def train_pulse(c, max_steps, horizon, intensity, gap, tol, sl, drug, syn, rng, out, j):
    """One train pulse and the interval of ``horizon`` [s] after it, every slice in parallel.

    At most ``max_steps`` (``horizon / dt``) on the fine grid. ``tol`` = (voltage [V],
    relative conductance) tolerances of :func:`slice_quiet`. Fine grid
    until quiet or ``horizon`` (at least the recorded somatic samples), then per synapse: the
    slow phosphatase from the window's Ca2+ integral, the fast gates where Ca2+ can reach
    theta_d, spine Ca2+ and open fraction at the window's end, the trapping block with the
    open-time integrals (NMDA tail at rest over the quiet rest included); finally the quiet
    rest of ``horizon`` in closed form. Other arguments as in
    :func:`~synpharm.solvers._kernels.isolated_pulse`.
    """
    out_drive, out_fire, out_nmda, out_soma, out_charge = out
    nmda_w, o, b, ca, h = syn.nmda_weight, syn.nmda_open, syn.blocked, syn.calcium, syn.early
    dt, n_syn = c.dt, h.shape[1]
    min_steps = min(out_soma.shape[2], max_steps)
    decay_ca = math.exp(-dt / c.calcium_tau)
    n_ring = max(c.ffi_delay_steps, c.feedback_delay_steps) + 1
    for s in prange(sl.shape[0]):
        g_before = 0.0  # still open from earlier stimuli (their charge is already counted)
        for i in range(n_syn):
            g_before += o[s, i] * (1.0 - b[s, i]) * nmda_w[s, i]
        drive, n_fire, gaba = stimulate(c, s, intensity, gap, sl, drug, syn, rng)
        out_drive[s, j] = drive
        out_fire[s, j] = n_fire
        g_open0 = 0.0
        for i in range(n_syn):
            g_open0 += o[s, i] * (1.0 - b[s, i]) * nmda_w[s, i]
        out_nmda[s, j] = g_open0 * c.nmda_per_open * drug[s, L.NMDA_AVAILABLE]
        jn = np.zeros(max_steps)
        kv = np.zeros(max_steps)
        ring = np.zeros(n_ring)
        ring[c.ffi_delay_steps % n_ring] = gaba * c.ffi_conductance
        n, a_on, a_off, en, charge = _fine_grid(c, s, max_steps, min_steps, tol, sl, drug,
                                                syn, ring, g_open0, jn, kv, out_soma, j)
        if out_charge.shape[0] > 0 and g_open0 > 0.0:
            # this stimulus' share of the open conductance (all parts close with tau_N)
            out_charge[s, j] = (1.0 - g_before / g_open0) * (charge + _nmda_tail_charge(
                c, sl, drug, s, g_open0 * en * c.nmda_per_open * drug[s, L.NMDA_AVAILABLE]))
        rest = max(horizon - n * dt, 0.0)
        # open-time tail over the quiet rest, at the resting potential
        on, off = blocker_rates(drug, s, c.e_leak,
                                mg_unblocked_fraction(c.e_leak, bath_magnesium(c, drug, s),
                                                      c.mg_slope, c.mg_scale))
        tail = en * c.nmda_tau * (1.0 - math.exp(-rest / c.nmda_tau))
        a_on += on * tail
        a_off += off * tail
        s_c = dt * decay_ca * (1.0 - decay_ca**n) / (1.0 - decay_ca)
        j_max = jn[:n].max()
        k_max = kv[:n].max()
        s_j = dt * jn[:n].sum()
        s_k = dt * kv[:n].sum()
        for i in range(n_syn):
            oi = o[s, i]
            x = oi * (1.0 - b[s, i]) * nmda_w[s, i]
            slow_phosphatase(c, syn.phosphatase, syn.kinase, h, s, i,
                             ca[s, i] * s_c + x * s_j + s_k, n * dt)
            if ca[s, i] + x * j_max + k_max > c.theta_d:
                fast_gates(c, syn, s, i, x, jn[:n], kv[:n], decay_ca)
            ca[s, i] = ca[s, i] * decay_ca**n + x * jn[n - 1] + kv[n - 1]
            if oi > 1e-7 and a_on > 0.0:
                b[s, i] = trapped_block(b[s, i], oi, a_on, a_off)
            o[s, i] = oi * en
        if rest > 0.5 * dt:
            quiet_slice(c, s, rest, sl, drug, syn)
            _tail_calcium(c, s, rest, sl, drug, syn)


@njit(cache=True)
def _tail_calcium(c, s, rest, sl, drug, syn):
    """Add the spine Ca2+ that the NMDA tail at rest brings in over the quiet ``rest`` [s].

    Influx ``x_i r e^{-t/tau_N}`` into ``dca/dt = -ca / tau_Ca + influx`` leaves
    ``x_i(rest) r (1 - e^{-rest (1/tau_Ca - 1/tau_N)}) / (1/tau_Ca - 1/tau_N)``, with
    ``x_i(rest)`` the open, unblocked content at the end (``nmda_open`` already decayed).
    """
    drive, _ = nmda_calcium_drive(c, c.e_leak, bath_magnesium(c, drug, s))
    rate = 1.0 / c.calcium_tau - 1.0 / c.nmda_tau
    factor = (c.ca_nmda_rate * sl[s, L.CALCIUM_SCALE] * drug[s, L.NMDA_AVAILABLE] * drive
              * (1.0 - math.exp(-rest * rate)) / rate)
    o, b, w, ca = syn.nmda_open, syn.blocked, syn.nmda_weight, syn.calcium
    for i in range(o.shape[1]):
        ca[s, i] += o[s, i] * (1.0 - b[s, i]) * w[s, i] * factor

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

The presynaptic step (release, interneurons) lives in :mod:`._presynaptic`, the neuron and the
spine Ca2+ sources in :mod:`._neuron`.

Loops run over slices in parallel; synapses are inner loops. Equations are documented in the
README (The model) and ``docs/circuits.md``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from synpharm.model import slice_state as L
from synpharm.model._rng import standard_normal
from synpharm.model.channels import mg_unblocked_fraction
from synpharm.model.plasticity.calcium_rule import (
    early_phase_noise_compiled,
    late_phase_capture_compiled,
    protein_synthesis_on,
    quiet_plasticity,
)
from synpharm.model.plasticity.phosphatase import activation
from synpharm.solvers._neuron import (
    bath_magnesium,
    blocker_rates,
    decay_slice,
    neuron_step,
    nmda_calcium_drive,
    relax_slice,
    spine_voltage,
    vgcc_calcium,
)
from synpharm.solvers._presynaptic import feedback_volley, stimulate
from synpharm.solvers._pulse_grid import fine_grid, update_synapses
from synpharm.solvers._synapse_rows import spine_step


class Stimuli(NamedTuple):
    """The stimuli of one window, each array ``(k,)``."""

    step: np.ndarray  # int64, step index of each stimulus in the window
    intensity: np.ndarray  # fraction of the maximal stimulus
    gap: np.ndarray  # time since the previous stimulus [s]


#: no somatic trajectories recorded (``Recorded.soma`` with zero samples)
NO_SOMA = np.zeros((0, 0, 0))
#: no NMDA charge recorded (``Recorded.nmda_charge`` with zero rows)
NO_CHARGE = np.zeros((0, 0))


class Recorded(NamedTuple):
    """What the kernels record per slice and stimulus, arrays ``(n_slices, n_stimuli)``.

    ``soma`` (n_slices, n_stimuli, n_samples) receives the threshold-free somatic potential
    ``V_FREE`` [V] at the end of each of the first ``n_samples`` steps after every stimulus
    (sample k at ``(k + 1) dt``); zero samples (:data:`NO_SOMA`) records nothing.
    ``nmda_charge`` (n_slices, n_stimuli) receives the inward charge [C] carried by the NMDA
    conductance each stimulus opened, ``g(t) B(V, Mg) (E_NMDA - V)`` integrated at the
    dendritic potential (Mg2+ block of the bath, antagonists included); zero rows
    (:data:`NO_CHARGE`) records nothing.
    """

    drive: np.ndarray  # summed weighted quanta
    fire: np.ndarray  # number of conducting axons
    nmda: np.ndarray  # NMDA conductance open just after the stimulus, not drug-blocked [S]
    soma: np.ndarray = NO_SOMA  # threshold-free somatic potential after each stimulus [V]
    nmda_charge: np.ndarray = NO_CHARGE  # NMDA synaptic charge of each stimulus [C]


@njit(cache=True, inline="always")
def open_nmda_conductance(c, s, syn, drug):
    """NMDA conductance [S] open in slice ``s`` (free of competitive antagonist and of open-
    channel block, before the Mg2+ block): the peak of an NMDA EPSC in 0 Mg2+."""
    return open_nmda_content(s, syn) * c.nmda_per_open * drug[s, L.NMDA_AVAILABLE]


@njit(cache=True, inline="always")
def open_nmda_content(s, syn):
    """Open NMDA receptor content of slice ``s`` free of open-channel block (sum over synapses
    of open fraction x unblocked fraction x NMDA weight)."""
    g = 0.0
    for i in range(syn.nmda_open.shape[1]):
        g += syn.nmda_open[s, i] * (1.0 - syn.blocked[s, i]) * syn.nmda_weight[s, i]
    return g


@njit(parallel=True, cache=True)
def integrate_window(c, n_steps, stimuli, sl, drug, syn, rng, out):
    """Integrate all slices through a window of ``n_steps`` steps of ``c.dt`` with stimuli.

    ``stimuli`` (:class:`Stimuli`, k stimuli): step index, intensity and time since the previous
    stimulus [s]. ``sl`` per-slice state, ``drug`` drug effects (layout of
    :mod:`synpharm.model.slice_state`), ``syn`` the :class:`~synpharm.model.slice_state.Synapses`.
    Writes summed quanta, conducting axons and open NMDA conductance per stimulus into ``out``
    (:class:`Recorded`, (n_slices, k)). ``syn.above`` accumulates time above the depression
    threshold per synapse (for the plasticity noise, drawn in :func:`finish_noise`).
    """
    stim_step, stim_intensity, stim_gap = stimuli
    out_drive, out_fire, out_nmda, out_soma, out_charge = out
    n_rec = out_soma.shape[2]
    nmda_w, o, b, ca, h, above = (syn.nmda_weight, syn.nmda_open, syn.blocked, syn.calcium,
                                  syn.early, syn.above)
    ph, kin, stp = syn.phosphatase, syn.kinase, syn.short_term
    dt = c.dt
    n_syn = h.shape[1]
    decay_n = math.exp(-dt / c.nmda_tau)
    decay_ca = math.exp(-dt / c.calcium_tau)
    n_ring = max(c.ffi_delay_steps, c.feedback_delay_steps) + 1
    for s in prange(sl.shape[0]):
        ring = np.zeros(n_ring)
        opened = np.zeros(stim_step.shape[0])  # NMDA conductance each stimulus opened, decaying
        next_stim = 0
        first_rec = 0
        first_open = 0
        g_nmda = 0.0
        scale = c.ca_nmda_rate * sl[s, L.CALCIUM_SCALE] * drug[s, L.NMDA_AVAILABLE]
        nmda_influx = np.zeros(n_syn)
        ca_row, rows = ca[s], (above[s], stp[s], h[s], ph[s], kin[s])
        for step in range(n_steps):
            if next_stim < stim_step.shape[0] and stim_step[next_stim] == step:
                g_before = open_nmda_conductance(c, s, syn, drug)
                drive, n_fire, gaba = stimulate(
                    c, s, stim_intensity[next_stim], stim_gap[next_stim], sl, drug, syn, rng)
                out_drive[s, next_stim] = drive
                out_fire[s, next_stim] = n_fire
                out_nmda[s, next_stim] = open_nmda_conductance(c, s, syn, drug)
                opened[next_stim] = max(out_nmda[s, next_stim] - g_before, 0.0)
                ring[(step + c.ffi_delay_steps) % n_ring] += gaba * c.ffi_conductance
                next_stim += 1
            sl[s, L.G_GABAA] += ring[step % n_ring] * (1.0 - drug[s, L.GABAA_BLOCKED])
            ring[step % n_ring] = 0.0
            v_sp = spine_voltage(sl, s)
            ca_drive, unblock = nmda_calcium_drive(c, v_sp, bath_magnesium(c, drug, s))
            ca_drive *= scale
            ca_v = vgcc_calcium(c, v_sp) * sl[s, L.CALCIUM_SCALE]
            on, off = blocker_rates(drug, s, v_sp, unblock)
            g_open = 0.0
            for i in range(n_syn):
                oi = o[s, i]
                nmda_influx[i] = 0.0
                if oi > 1e-7:
                    bi = b[s, i]
                    if on > 0.0:
                        b[s, i] = bi + dt * oi * (on * (1.0 - bi) - off * bi)
                    unblocked = oi * (1.0 - bi) * nmda_w[s, i]
                    g_open += unblocked
                    nmda_influx[i] = ca_drive * unblocked
                    o[s, i] = oi * decay_n
            spine_step(c, ca_row, rows, nmda_influx, ca_v, dt, decay_ca)
            g_nmda = g_open * c.nmda_per_open * drug[s, L.NMDA_AVAILABLE]
            first_open = _nmda_charge_step(
                opened, out_charge, s, first_open, next_stim,
                unblock * (c.e_nmda - sl[s, L.V_DENDRITE]) * dt, decay_n)
            if neuron_step(c, s, sl, drug, g_nmda, unblock, dt):
                feedback_volley(c, s, sl, drug, ring, step, n_ring)
            if n_rec > 0:
                first_rec = _record_soma(sl, s, out_soma, stim_step, first_rec, next_stim, step)
            decay_slice(c, s, sl, dt)
        _window_tail_charge(c, sl, drug, s, opened, out_charge, first_open, next_stim)


@njit(cache=True, inline="always")
def _nmda_charge_step(opened, out_charge, s, first_open, next_stim, per_siemens, decay_n):
    """Add one step's NMDA charge of every stimulus still open (``per_siemens``: charge per S
    of open conductance in this step, ``B(V) (E_NMDA - V) dt``), decay; the new first one.
    No-op without an NMDA-charge record (:data:`NO_CHARGE`)."""
    if out_charge.shape[0] == 0:
        return first_open
    for k in range(first_open, next_stim):
        out_charge[s, k] += opened[k] * per_siemens
        opened[k] *= decay_n
        if k == first_open and opened[k] < 1e-15:
            first_open = k + 1
    return first_open


@njit(cache=True, inline="always")
def _window_tail_charge(c, sl, drug, s, opened, out_charge, first_open, next_stim):
    """Charge of the conductance each stimulus opened that is still open after the window."""
    if out_charge.shape[0] == 0:
        return
    tail = _nmda_tail_charge(c, sl, drug, s, 1.0)
    for k in range(first_open, next_stim):
        out_charge[s, k] += opened[k] * tail


@njit(cache=True, inline="always")
def _nmda_tail_charge(c, sl, drug, s, open_conductance):
    """NMDA charge [C] of ``open_conductance`` [S] closing after a window, at the dendritic
    potential reached (the neuron is back near rest): ``g tau_N B(V) (E_NMDA - V)``."""
    v = sl[s, L.V_DENDRITE]
    unblock = mg_unblocked_fraction(v, bath_magnesium(c, drug, s), c.mg_slope, c.mg_scale)
    return open_conductance * c.nmda_tau * unblock * (c.e_nmda - v)


@njit(cache=True, inline="always")
def _record_soma(sl, s, out_soma, stim_step, first_rec, next_stim, step):
    """Store ``V_FREE`` for every stimulus still inside its recording; the new first one."""
    n_rec = out_soma.shape[2]
    for k in range(first_rec, next_stim):
        offset = step - stim_step[k]
        if offset < n_rec:
            out_soma[s, k, offset] = sl[s, L.V_FREE]
        elif k == first_rec:
            first_rec = k + 1
    return first_rec


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
    ``ca_i(0) e^{-t/tau_Ca} + x_i J(t) + K(t)`` with ``x_i = o_i(0+) (1 - b_i) w_i``
    (:func:`~synpharm.solvers._pulse_grid.fine_grid`, the grid shared with the train pulse);
    every synapse then goes through :func:`~synpharm.solvers._pulse_grid.update_synapses`
    (step by step where its Ca2+ can reach theta_d, closed form otherwise; trapping block with
    the open-time integral, tail at rest included). Arguments as in :func:`integrate_window`;
    ``j`` is the stimulus' column in ``out``.
    """
    out_drive, out_fire, out_nmda, out_soma, out_charge = out
    n_ring = max(c.ffi_delay_steps, c.feedback_delay_steps) + 1
    for s in prange(sl.shape[0]):
        drive, n_fire, gaba = stimulate(c, s, intensity, gap, sl, drug, syn, rng)
        out_drive[s, j] = drive
        out_fire[s, j] = n_fire
        g_open0 = open_nmda_content(s, syn)
        out_nmda[s, j] = g_open0 * c.nmda_per_open * drug[s, L.NMDA_AVAILABLE]
        jn = np.zeros(n_steps)
        kv = np.zeros(n_steps)
        ring = np.zeros(n_ring)
        ring[c.ffi_delay_steps % n_ring] = gaba * c.ffi_conductance
        n, a_on, a_off, en, charge = fine_grid(c, s, n_steps, n_steps, (0.0, 0.0), sl, drug, syn,
                                               ring, g_open0, jn, kv, out_soma, j)
        if out_charge.shape[0] > 0:
            out_charge[s, j] = charge + _nmda_tail_charge(
                c, sl, drug, s, g_open0 * en * c.nmda_per_open * drug[s, L.NMDA_AVAILABLE])
        # open-time tail after the window, at the resting potential
        on, off = blocker_rates(drug, s, c.e_leak,
                                 mg_unblocked_fraction(c.e_leak, bath_magnesium(c, drug, s),
                                                       c.mg_slope, c.mg_scale))
        update_synapses(c, syn, s, jn, kv, n, en, a_on + on * en * c.nmda_tau,
                        a_off + off * en * c.nmda_tau)


@njit(parallel=True, cache=True)
def advance_quiet(c, duration, sl, drug, syn):
    """Closed-form evolution of slow variables over ``duration`` [s] without stimuli.

    Every slice in parallel through :func:`quiet_slice`.
    """
    for s in prange(sl.shape[0]):
        quiet_slice(c, s, duration, sl, drug, syn)


@njit(cache=True)
def quiet_slice(c, s, duration, sl, drug, syn):
    """Slice ``s`` over ``duration`` [s] without stimuli, in closed form.

    The slow phosphatase takes the Ca2+ integral of the residual spine Ca2+ and of the NMDA
    tail at rest; phosphatase and kinase then decay, potentiate and depress in closed form
    (:func:`~synpharm.model.plasticity.calcium_rule.quiet_plasticity`). Early phase relaxes
    to 1 with rate early_relaxation / tau_h; the cell-wide protein level
    relaxes towards 1 while the mean (or, with ``protein_trigger_summed``, the summed)
    early-phase change of tagged synapses exceeds the protein-synthesis threshold (0
    otherwise; :func:`~synpharm.model.plasticity.calcium_rule.protein_synthesis_on`);
    tagged synapses capture protein into the late phase z (towards 1 for potentiated, -0.5
    for depressed tags; Luboeinski & Tetzlaff 2021).
    """
    h, z, o, ca = syn.early, syn.late, syn.nmda_open, syn.calcium
    relax = math.exp(-duration * c.h_relaxation / c.tau_h)
    residual = c.calcium_tau * (1.0 - math.exp(-duration / c.calcium_tau))
    rest_drive, _ = nmda_calcium_drive(c, c.e_leak, bath_magnesium(c, drug, s))
    # Ca2+ integral of the NMDA tail at rest, per unit open, unblocked receptor content
    tail = (c.calcium_tau * c.ca_nmda_rate * sl[s, L.CALCIUM_SCALE]
            * drug[s, L.NMDA_AVAILABLE] * rest_drive
            * c.nmda_tau * (1.0 - math.exp(-duration / c.nmda_tau)))
    for i in range(h.shape[1]):
        p = activation(syn.phosphatase[s, i], ca[s, i] * residual
                       + o[s, i] * (1.0 - syn.blocked[s, i]) * syn.nmda_weight[s, i] * tail,
                       c.phosphatase_rate)
        h[s, i], syn.phosphatase[s, i], syn.kinase[s, i] = quiet_plasticity(
            c, h[s, i], p, syn.kinase[s, i], duration)
    n_tag = 0
    change = 0.0
    for i in range(h.shape[1]):
        d = abs(h[s, i] - 1.0)
        if d > c.tag_threshold:
            n_tag += 1
            change += d
    target = 0.0
    if protein_synthesis_on(n_tag, change, c.protein_threshold, c.protein_summed):
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
    relax_slice(c, s, sl, drug, duration)

"""Compiled kernel: one pulse of a spaced train, fine grid while active, closed form once quiet.

:func:`train_pulse` extends the per-synapse closed form of
:func:`~synpharm.solvers._kernels.isolated_pulse` to pulses of a train: the neuron of each slice is
integrated on the fine grid (:func:`~synpharm.solvers._pulse_grid.fine_grid`, shared with the
isolated pulse) from the stimulus until the slice is *quiet* (decided from its state by
:func:`~synpharm.solvers._pulse_grid.slice_quiet`) or until the next stimulus, whichever comes
first; each synapse's Ca2+ is ``ca_i(0) e^{-t/tau_Ca} + x_i J(t) + K(t)`` on that grid (gates
followed step by step only where Ca2+ can reach the depression threshold); the rest of the interval
is advanced in closed form (:func:`~synpharm.solvers._kernels.quiet_slice`). Slices end their fine
grid independently; loops run over slices in parallel with synapses inner.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from synpharm.model import slice_state as L
from synpharm.model.channels import mg_unblocked_fraction
from synpharm.solvers._kernels import _nmda_tail_charge, open_nmda_content, quiet_slice
from synpharm.solvers._neuron import bath_magnesium, blocker_rates, nmda_calcium_drive
from synpharm.solvers._presynaptic import stimulate
from synpharm.solvers._pulse_grid import fine_grid, slice_quiet, update_synapses

__all__ = ["slice_quiet", "train_pulse"]


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
    dt = c.dt
    min_steps = min(out_soma.shape[2], max_steps)
    n_ring = max(c.ffi_delay_steps, c.feedback_delay_steps) + 1
    for s in prange(sl.shape[0]):
        # still open from earlier stimuli (their charge is already counted)
        g_before = open_nmda_content(s, syn)
        drive, n_fire, gaba = stimulate(c, s, intensity, gap, sl, drug, syn, rng)
        out_drive[s, j] = drive
        out_fire[s, j] = n_fire
        g_open0 = open_nmda_content(s, syn)
        out_nmda[s, j] = g_open0 * c.nmda_per_open * drug[s, L.NMDA_AVAILABLE]
        jn = np.zeros(max_steps)
        kv = np.zeros(max_steps)
        ring = np.zeros(n_ring)
        ring[c.ffi_delay_steps % n_ring] = gaba * c.ffi_conductance
        n, a_on, a_off, en, charge = fine_grid(c, s, max_steps, min_steps, tol, sl, drug,
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
        update_synapses(c, syn, s, jn, kv, n, en, a_on + on * tail, a_off + off * tail)
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

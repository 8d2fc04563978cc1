"""Compiled, vectorised steps of many synapses at once: spine Ca2+ and the plasticity rule.

The slice kernels advance the plasticity rule of every synapse of a slice step by step where
its spine Ca2+ can reach the plasticity thresholds: all synapses of a slice through a window
(:func:`spine_step`, one step of :func:`~synpharm.solvers._kernels.integrate_window`) and the
synapses of a pulse window whose Ca2+ can reach theta_d (:func:`gate_step`, one step of
:func:`~synpharm.solvers._pulse_grid.update_synapses`). Each is one loop over contiguous 1-D
rows of synapses without branches (selects, the numpy error model, the kinase's integer Hill
powers without a ``pow`` call), which LLVM vectorises; every synapse takes exactly the
operations of the scalar rule (:func:`~synpharm.model.plasticity.calcium_rule.plasticity_step`),
in the same order, so the results are the same bits (tests/model/plasticity/
test_rule_numerics.py).
"""

from __future__ import annotations

from numba import njit

from synpharm.model.plasticity.calcium_rule import plasticity_step
from synpharm.model.plasticity.short_term import induced

__all__ = ["gate_step", "spine_step"]


@njit(cache=True, inline="always")
def _rule(c, i, x, rows, dt):
    """Synapse ``i`` of ``rows`` (time above theta_d, STP, early phase, phosphatase, kinase)
    after one step ``dt`` at spine Ca2+ ``x``: time above theta_d (plasticity noise),
    NMDA-dependent STP above theta_p, then the plasticity rule."""
    above, stp, h, ph, kin = rows
    above[i] += dt if x > c.theta_d else 0.0
    stp[i] = induced(stp[i], x, c.theta_p, c.stp_max)
    h[i], ph[i], kin[i] = plasticity_step(c, h[i], ph[i], kin[i], x, dt)


@njit(cache=True, inline="always")
def _spine_rows(c, ca, rows, nmda_influx, ca_v, dt, decay_ca):
    for i in range(ca.shape[0]):
        x = ca[i] * decay_ca + dt * (ca_v + nmda_influx[i])
        ca[i] = x
        _rule(c, i, x, rows, dt)


@njit(cache=True, error_model="numpy")
def spine_step(c, ca, rows, nmda_influx, ca_v, dt, decay_ca):
    """One step ``dt`` of the spine Ca2+ ``ca`` and the plasticity ``rows`` of many synapses.

    ``ca`` and ``rows`` (time above theta_d, STP, early phase, phosphatase, kinase) are 1-D
    arrays over synapses (one slice); Ca2+ decays by ``decay_ca`` and takes the VGCC influx
    ``ca_v`` plus each synapse's NMDA influx ``nmda_influx``, then :func:`_rule` applies.
    """
    # one copy of the loop per integer Hill coefficient: the pow-free ones vectorise
    if c.kinase_hill == 4.0:
        _spine_rows(c, ca, rows, nmda_influx, ca_v, dt, decay_ca)
    elif c.kinase_hill == 5.0:
        _spine_rows(c, ca, rows, nmda_influx, ca_v, dt, decay_ca)
    else:
        _spine_rows(c, ca, rows, nmda_influx, ca_v, dt, decay_ca)


@njit(cache=True, inline="always")
def _gate_rows(c, residual, x, j, k, rows, dt, decay_ca):
    for i in range(residual.shape[0]):
        r = residual[i] * decay_ca
        residual[i] = r
        _rule(c, i, r + x[i] * j + k, rows, dt)


@njit(cache=True, error_model="numpy")
def gate_step(c, residual, x, j, k, rows, dt, decay_ca):
    """One fine step of synapses whose Ca2+ is ``residual + x J + K`` (pulse windows).

    ``residual`` (the synapses' Ca2+ before the pulse, decayed by ``decay_ca`` here) and ``x``
    (open, unblocked NMDA content) are 1-D arrays over synapses, ``j`` and ``k`` the slice's
    Ca2+ kernels J and K at this step (:func:`~synpharm.solvers._pulse_grid.fine_grid`);
    ``rows`` as in :func:`spine_step`.
    """
    if c.kinase_hill == 4.0:
        _gate_rows(c, residual, x, j, k, rows, dt, decay_ca)
    elif c.kinase_hill == 5.0:
        _gate_rows(c, residual, x, j, k, rows, dt, decay_ca)
    else:
        _gate_rows(c, residual, x, j, k, rows, dt, decay_ca)

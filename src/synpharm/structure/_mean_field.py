"""Expected (mean) course of the spine population: the deterministic companion of the simulation.

Spines are independent and formation enters linearly, so the expected densities per state obey
``x_{k+1} = x_k P_k + F_k integral_0^h expm(Q_k s)[new, :] ds`` with the same step kernels as
:func:`synpharm.structure.simulate_spines`; the cohort mean of the stochastic simulation
converges to it (tested). Useful for calibration: it is fast and has no sampling noise.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from synpharm.structure._parameters import (
    NEW,
    SpineParameters,
    _steady_densities,
    baseline_rates,
    check_modifiers,
    generator_matrices,
)
from synpharm.structure._simulate import (
    DriveInput,
    _check_times,
    _prepare_rates,
    step_boundaries,
    van_loan,
)

__all__ = ["expected_course"]


def _n_drive_rows(drive: Mapping[str, DriveInput], times: np.ndarray) -> int:
    rows = 1
    for value in drive.values():
        array = np.asarray(value(times) if callable(value) else value)
        if array.ndim == 2:
            rows = max(rows, array.shape[0])
    return rows


def expected_course(
    params: SpineParameters,
    times_s: np.ndarray,
    drive: Mapping[str, DriveInput],
    modifiers: dict[str, float] | None = None,
    *,
    max_step_s: float = 3600.0,
    record_times_s: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Expected density and class fractions over time (mean over animals and segments).

    Parameters are those of :func:`synpharm.structure.simulate_spines` (drives of shape
    ``(n_times,)`` or ``(n_rows, n_times)``; one course per row).

    Returns
    -------
    dict
        ``times_s`` (the step boundaries), ``density_per_10um``, ``thin_fraction`` (new + thin),
        ``stubby_fraction``, ``mushroom_fraction`` and ``formation_per_um_per_day`` (per step),
        each ``(n_rows, n_boundaries)`` (formation: ``(n_rows, n_steps)``).
    """
    times = _check_times(times_s)
    mods = check_modifiers(modifiers)
    boundaries = step_boundaries(times, record_times_s, max_step_s)
    rows = _n_drive_rows(drive, times)
    (formation, maturation, elimination, recovery), start = _prepare_rates(
        params, times, dict(drive), rows, mods, boundaries
    )
    rates = baseline_rates(params)
    q0, f0 = generator_matrices(
        rates, *start[:3], mods["shrinkage_scale"], mods["collapse_rate"], start[3]
    )
    q, form = generator_matrices(
        rates, formation.T, maturation.T, elimination.T, mods["shrinkage_scale"],
        mods["collapse_rate"], recovery.T,
    )
    transition, integral = van_loan(q, np.diff(boundaries)[:, None])
    x = np.empty((boundaries.size, rows, 5))
    x[0] = _steady_densities(q0, f0)
    for k in range(boundaries.size - 1):
        moved = np.einsum("ri,rij->rj", x[k], transition[k, :, 1:, 1:])
        x[k + 1] = moved + form[k][:, None] * integral[k, :, NEW, 1:]
    total = x[..., :4].sum(axis=-1)  # visible spines (collapsed ones are not counted)
    return {
        "times_s": boundaries,
        "density_per_10um": 10.0 * total.T,
        "collapsed_per_10um": 10.0 * x[..., 4].T,
        "thin_fraction": ((x[..., 0] + x[..., 1]) / total).T,
        "stubby_fraction": (x[..., 2] / total).T,
        "mushroom_fraction": (x[..., 3] / total).T,
        "formation_per_um_per_day": (form * 86400.0).T,
    }

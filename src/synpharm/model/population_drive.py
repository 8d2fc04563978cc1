"""Per-cell synaptic drive of the CA1 pyramidal population: excitation per cell, inhibition shared.

The engine integrates one representative cell per slice and records its threshold-free somatic
potential ``V_free(t)`` after each stimulus (excitation, feed-forward and feedback GABA-A, GIRK,
NMDA, dendritic spikes; :mod:`synpharm.solvers._neuron`). The cells of the population do not
share that trajectory: in CA1 the feed-forward inhibition recruited by a Schaffer-collateral
volley acts homogeneously across the pyramidal cells, while the excitation differs from cell to
cell, and that heterogeneity decides which cells are recruited (Pouille, Marin-Burgin, Adesnik,
Atallah & Scanziani 2009 Nat Neurosci 12:1577; Pouille & Scanziani 2001 Science 293:1159).

So cell ``j`` after stimulus ``p`` follows

    V_j(t) = V_free,p(t) + (w_jp - 1) X_p(t),

where ``X_p(t)`` is the excitatory part of the representative cell's somatic response: the
somatic depolarisation its AMPA conductance alone gives (:func:`excitation_trajectory`, the
passive two compartments of the model cell, conductance-based, integrated with the kernel's
scheme and step), and ``w_jp`` is the cell's excitation relative to the representative cell
(:func:`synpharm.model.population_spike.input_scale`). Everything else in ``V_free`` (the
shared inhibition, GIRK, the NMDA and dendritic-spike contributions) is common to the cells. A
cell with ``w = 1`` is the representative cell exactly. The decomposition is linear in ``X``: a
cell with twice the excitation is given twice the representative cell's excitatory potential
(the sublinearity of the smaller driving force is neglected, ~20 % at 15 mV).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synpharm.errors import InputError

__all__ = ["PassiveCell", "excitation_trajectory", "passive_cell_from_constants"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PassiveCell:
    """The model pyramidal cell's passive compartments and its AMPA input (SI units).

    Attributes
    ----------
    capacitance_soma, capacitance_dendrite
        Compartment capacitances [F].
    leak_soma, leak_dendrite, coupling
        Leak conductances of the compartments and their coupling conductance [S].
    resting_potential, ampa_reversal
        Leak and AMPA reversal potentials [V].
    ampa_decay
        Decay time constant of the AMPA conductance [s] (bath temperature applied).
    ampa_per_quantum
        AMPA conductance per unit of synaptic drive (weighted quanta) [S].
    """

    capacitance_soma: float
    capacitance_dendrite: float
    leak_soma: float
    leak_dendrite: float
    coupling: float
    resting_potential: float
    ampa_reversal: float
    ampa_decay: float
    ampa_per_quantum: float

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not math.isfinite(value):
                raise InputError(f"passive_cell.{item.name}", f"{value} is not finite",
                                 "fix the value in the parameter file")
        for name in ("capacitance_soma", "capacitance_dendrite", "ampa_decay"):
            if getattr(self, name) <= 0:
                raise InputError(f"passive_cell.{name}", "must be > 0",
                                 "fix the value in the parameter file")


def passive_cell_from_constants(c: Any) -> PassiveCell:
    """The passive cell of a run's kernel constants (``synpharm.preparations.ca1_slice``)."""
    return PassiveCell(
        capacitance_soma=float(c.capacitance_soma),
        capacitance_dendrite=float(c.capacitance_dendrite),
        leak_soma=float(c.g_leak_soma),
        leak_dendrite=float(c.g_leak_dendrite),
        coupling=float(c.g_coupling),
        resting_potential=float(c.e_leak),
        ampa_reversal=float(c.e_ampa),
        ampa_decay=float(c.ampa_tau),
        ampa_per_quantum=float(c.ampa_per_quantum),
    )


def excitation_trajectory(drive: ArrayLike, cell: PassiveCell, dt: float,
                          n_samples: int) -> FloatArray:
    """Somatic depolarisation [V] that each stimulus's AMPA conductance alone gives the cell.

    The AMPA conductance ``drive * ampa_per_quantum`` opens at the stimulus and decays with
    ``ampa_decay``; the dendrite (where it acts) and the soma start at rest and are advanced with
    the kernel's exponential-Euler step (dendrite first, against the soma of the previous step;
    then the soma against the new dendrite), so sample ``k`` is at ``(k + 1) dt`` as the recorded
    ``V_FREE``.

    Parameters
    ----------
    drive
        Synaptic drive (weighted quanta, AMPA antagonists applied) per stimulus, shape ``(n,)``.
    cell
        The passive cell (:func:`passive_cell_from_constants`).
    dt
        Integration step [s].
    n_samples
        Samples after each stimulus.

    Returns
    -------
    numpy.ndarray
        ``V_soma(t) - E_L`` per stimulus, shape ``(n, n_samples)``.
    """
    g0 = np.maximum(np.atleast_1d(np.asarray(drive, dtype=float)), 0.0) * cell.ampa_per_quantum
    out = np.zeros((g0.size, n_samples))
    e_l, e_a = cell.resting_potential, cell.ampa_reversal
    v_d = np.full(g0.size, e_l)
    v_s = np.full(g0.size, e_l)
    g_s = cell.leak_soma + cell.coupling
    soma_decay = math.exp(-dt * g_s / cell.capacitance_soma)
    ampa_decay = math.exp(-dt / cell.ampa_decay)
    g = g0.copy()
    for k in range(n_samples):
        g_d = cell.leak_dendrite + cell.coupling + g
        v_inf = (cell.leak_dendrite * e_l + cell.coupling * v_s + g * e_a) / g_d
        v_d = v_inf + (v_d - v_inf) * np.exp(-dt * g_d / cell.capacitance_dendrite)
        v_inf = (cell.leak_soma * e_l + cell.coupling * v_d) / g_s
        v_s = v_inf + (v_s - v_inf) * soma_decay
        out[:, k] = v_s - e_l
        g = g * ampa_decay
    return out

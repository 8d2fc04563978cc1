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
somatic depolarisation its AMPA conductance alone gives (:func:`excitation_trajectories`, the
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

__all__ = [
    "PassiveCell",
    "PerisomaticInhibition",
    "PopulationInput",
    "dendritic_spike_waveform",
    "excitation_trajectories",
    "passive_cell_from_constants",
    "perisomatic_conductance",
    "population_input",
    "relax_deviation",
    "representative_dendrite",
]

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
    dendritic_spike_threshold, dendritic_spike_conductance, dendritic_spike_decay
        Dendritic Na+ spike of the kernel (:func:`synpharm.solvers._neuron.dendritic_spike`):
        threshold [V] (inf: none), peak conductance [S] and its decay time constant [s].
    sodium_reversal
        Reversal potential of the dendritic spike's conductance [V].
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
    dendritic_spike_threshold: float = math.inf
    dendritic_spike_conductance: float = 0.0
    dendritic_spike_decay: float = 1e-3
    sodium_reversal: float = 0.05

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "dendritic_spike_threshold" and value == math.inf:
                continue  # no dendritic spikes
            if not math.isfinite(value):
                raise InputError(f"passive_cell.{item.name}", f"{value} is not finite",
                                 "fix the value in the parameter file")
        for name in ("capacitance_soma", "capacitance_dendrite", "ampa_decay",
                     "dendritic_spike_decay"):
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
        dendritic_spike_threshold=float(c.dspike_threshold),
        dendritic_spike_conductance=float(c.dspike_conductance),
        dendritic_spike_decay=float(c.dspike_tau),
        sodium_reversal=float(c.e_na),
    )


def _passive_response(g0: FloatArray, reversal: float, decay: float, cell: PassiveCell,
                      dt: float, n_samples: int) -> tuple[FloatArray, FloatArray]:
    """Somatic and dendritic depolarisation [V] from rest after a dendritic conductance
    ``g0 exp(-t / decay)`` [S] (one row per entry of ``g0``), kernel scheme and step."""
    soma = np.zeros((g0.size, n_samples))
    dendrite = np.zeros((g0.size, n_samples))
    e_l = cell.resting_potential
    v_d = np.full(g0.size, e_l)
    v_s = np.full(g0.size, e_l)
    g_s = cell.leak_soma + cell.coupling
    soma_decay = math.exp(-dt * g_s / cell.capacitance_soma)
    g_decay = math.exp(-dt / decay)
    g = g0.copy()
    for k in range(n_samples):
        g_d = cell.leak_dendrite + cell.coupling + g
        v_inf = (cell.leak_dendrite * e_l + cell.coupling * v_s + g * reversal) / g_d
        v_d = v_inf + (v_d - v_inf) * np.exp(-dt * g_d / cell.capacitance_dendrite)
        v_inf = (cell.leak_soma * e_l + cell.coupling * v_d) / g_s
        v_s = v_inf + (v_s - v_inf) * soma_decay
        soma[:, k] = v_s - e_l
        dendrite[:, k] = v_d - e_l
        g = g * g_decay
    return soma, dendrite


def excitation_trajectories(drive: ArrayLike, cell: PassiveCell, dt: float,
                            n_samples: int) -> tuple[FloatArray, FloatArray]:
    """Somatic and dendritic depolarisation [V] that each stimulus's AMPA conductance alone
    gives the cell.

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
    soma, dendrite
        ``V_soma(t) - E_L`` and ``V_dendrite(t) - E_L`` per stimulus, each ``(n, n_samples)``.
    """
    g0 = np.maximum(np.atleast_1d(np.asarray(drive, dtype=float)), 0.0) * cell.ampa_per_quantum
    return _passive_response(g0, cell.ampa_reversal, cell.ampa_decay, cell, dt, n_samples)


def representative_dendrite(soma: ArrayLike, cell: PassiveCell, dt: float) -> FloatArray:
    """Dendritic potential [V] that drove the recorded threshold-free soma ``V_FREE``.

    Exact inverse of the kernel's free-soma step (:func:`synpharm.solvers._neuron.free_step`):
    ``V[k] = v_inf + (V[k-1] - v_inf) e^{-dt g_s / C_s}``, ``v_inf = (g_L,s E_L + g_c V_d[k]) /
    g_s``; the soma before the stimulus is taken at rest.
    """
    v = np.asarray(soma, dtype=float)
    g_s = cell.leak_soma + cell.coupling
    decay = math.exp(-dt * g_s / cell.capacitance_soma)
    previous = np.concatenate([np.full((*v.shape[:-1], 1), cell.resting_potential),
                               v[..., :-1]], axis=-1)
    v_inf = (v - previous * decay) / (1.0 - decay)
    return (g_s * v_inf - cell.leak_soma * cell.resting_potential) / cell.coupling


def dendritic_spike_waveform(cell: PassiveCell, dt: float, n_samples: int) -> FloatArray:
    """Somatic and dendritic depolarisation [V] of one dendritic spike from rest, ``(2, n)``."""
    soma, dendrite = _passive_response(np.array([cell.dendritic_spike_conductance]),
                                       cell.sodium_reversal, cell.dendritic_spike_decay, cell, dt,
                                       n_samples)
    return np.concatenate([soma, dendrite])


@dataclass(frozen=True)
class PopulationInput:
    """What the cells of one slice share and how they differ, per measured stimulus.

    Attributes
    ----------
    soma
        Shared somatic trajectory [V] (``V_FREE``), ``(n_pulses, n_samples)``.
    excitation
        Excitatory part ``X`` of the representative cell's somatic depolarisation [V], same shape.
    spike_onset
        Sample from which cell j's dendritic spike acts (the one after its threshold crossing),
        ``(n_pulses, cells)``; -1: none.
    spike_waveform
        Somatic depolarisation of one dendritic spike from its onset [V], ``(n_samples,)``.
    shared_spike
        Stimuli in which the representative cell fired its own dendritic spike, which every
        cell then shares through ``soma``, ``(n_pulses,)``.
    """

    soma: FloatArray
    excitation: FloatArray
    spike_onset: NDArray[np.int64]
    spike_waveform: FloatArray
    shared_spike: NDArray[np.bool_]

    def spiking_cells(self) -> NDArray[np.int64]:
        """Cells with a dendritic spike (own or shared) per stimulus, ``(n_pulses,)``."""
        own = (self.spike_onset >= 0).sum(axis=1)
        return np.where(self.shared_spike, self.spike_onset.shape[1], own)


def population_input(soma: ArrayLike, drive: ArrayLike, scale: ArrayLike, cell: PassiveCell,
                     dt: float) -> PopulationInput:
    """Shared trajectory, excitation and per-cell dendritic spikes of one slice's population.

    Cell j's dendrite follows ``V_d(t) + (w_j - 1) X_d(t)`` (representative dendrite
    :func:`representative_dendrite`, dendritic part of the excitation, inhibition shared); it
    fires a dendritic spike when that first reaches ``dendritic_spike_threshold`` (the kernel's
    rule for an upward crossing; one per stimulus, since the refractory period and the
    inactivation of a dendrite held above threshold allow no second one within the 25-ms
    window of a single shock), which adds the spike's somatic waveform from rest from the
    sample after the crossing on (linear superposition; the shunt of the spike by the synaptic
    conductances is neglected, so the added spike is an upper bound). Where the representative
    cell fired its own dendritic spike it stays in the shared trajectory of every cell (the
    recording holds it with its shunt, which cannot be separated), and no cell adds another.

    Parameters
    ----------
    soma
        Recorded ``V_FREE`` [V], ``(n_pulses, n_samples)``.
    drive
        Synaptic drive per stimulus (weighted quanta), ``(n_pulses,)``.
    scale
        Excitation of each cell relative to the representative cell, ``(n_pulses, cells)``
        (:func:`synpharm.model.population_spike.input_scale`).
    cell
        The passive cell and its dendritic spike (:func:`passive_cell_from_constants`).
    dt
        Sampling step [s] (the integration step).
    """
    v = np.asarray(soma, dtype=float)
    w = np.asarray(scale, dtype=float)
    n = v.shape[1]
    x_soma, x_dend = excitation_trajectories(drive, cell, dt, n)
    onset = np.full(w.shape, -1, dtype=np.int64)
    if not math.isfinite(cell.dendritic_spike_threshold) or cell.dendritic_spike_conductance <= 0:
        return PopulationInput(v, x_soma, onset, np.zeros(n), np.zeros(v.shape[0], dtype=bool))
    wave_soma = dendritic_spike_waveform(cell, dt, n)[0]
    v_dend = representative_dendrite(v, cell, dt)
    # stimuli in which the representative cell fired its own spike: it is in V_FREE and
    # shared by every cell (the kernel's spike in a dendrite shunted by the synaptic
    # conductances cannot be taken out of the recording); in the others, stimuli in which
    # some cell can reach the dendritic threshold
    rep_fired = (v_dend >= cell.dendritic_spike_threshold).any(axis=1)
    reach = v_dend.max(axis=1) + np.maximum(w.max(axis=1) - 1.0, 0.0) * x_dend.max(axis=1)
    for p in np.flatnonzero((reach >= cell.dendritic_spike_threshold) & ~rep_fired):
        above = (v_dend[p, None, :] + (w[p, :, None] - 1.0) * x_dend[p, None, :]
                 >= cell.dendritic_spike_threshold)
        crossed = above.any(axis=1)
        onset[p, crossed] = above.argmax(axis=1)[crossed] + 1
    return PopulationInput(v, x_soma, onset, wave_soma, rep_fired)


def perisomatic_conductance(recruited: ArrayLike, peak: float, delay: float, decay: float,
                            dt: float, n_samples: int) -> FloatArray:
    """Perisomatic feed-forward GABA-A conductance [S] on the soma of every cell, per stimulus.

    In CA1 the disynaptic inhibition that a Schaffer-collateral volley recruits through basket
    cells reaches the pyramidal soma ~2 ms after the EPSC, is much stronger there than in the
    dendrites and narrows the somatic integration window to < 2 ms (Pouille & Scanziani 2001
    Science 293:1159); perisomatic GABA-A currents are fast (GABA-A,fast, decay 3-8 ms, enters
    at the soma; Pearce 1993 Neuron 10:189). The kernel's feed-forward conductance acts on the
    dendrite with the slow kinetics (``gabaa_decay_time``); this is the somatic, fast part,
    shared by the cells of the population (Pouille et al. 2009 Nat Neurosci 12:1577).

    ``g(t) = peak r exp(-(t - delay) / decay)`` for ``t >= delay`` (0 before), sample ``k`` at
    ``(k + 1) dt`` as ``V_FREE``; ``r`` is the recruited fraction of the interneurons (the
    fraction of the axons that conduct, times GABA-A availability and interneuron recruitment
    under drugs: GABA-A block and GIRK-driven loss of interneuron recruitment). Unlike the
    kernel's dendritic feed-forward conductance it leaves out presynaptic GABA-B inhibition
    and depletion of GABA release and the slice's inhibition scale: it stands for the first
    perisomatic IPSC after one stimulus, not for trains.

    Parameters
    ----------
    recruited
        Recruited and unblocked fraction per stimulus, shape ``(n,)``, in [0, 1].
    peak
        Conductance at maximal stimulation [S].
    delay
        Disynaptic delay after the stimulus [s].
    decay
        Decay time constant [s].
    dt
        Sampling step [s].
    n_samples
        Samples per stimulus.

    Returns
    -------
    numpy.ndarray
        Conductance [S], shape ``(n, n_samples)``.
    """
    if peak < 0 or decay <= 0 or delay < 0:
        raise InputError("perisomatic inhibition", f"peak {peak}, delay {delay}, decay {decay}",
                         "use peak >= 0, delay >= 0 and decay > 0")
    r = np.clip(np.atleast_1d(np.asarray(recruited, dtype=float)), 0.0, 1.0)
    t = (np.arange(n_samples) + 1) * dt - delay
    shape = np.where(t >= -1e-12, np.exp(-np.maximum(t, 0.0) / decay), 0.0)
    return peak * r[:, None] * shape[None, :]


@dataclass(frozen=True)
class PerisomaticInhibition:
    """A conductance on the soma of every cell of the population, shared (SI units).

    Attributes
    ----------
    conductance
        Somatic conductance per stimulus and sample [S], shape ``(n_pulses, n_samples)``
        (:func:`synpharm.model.population_drive.perisomatic_conductance`).
    reversal
        Its reversal potential [V].
    capacitance
        Capacitance of the model soma [F] (with :attr:`PyramidalPopulation.soma_time_constant`
        it gives the soma's resting conductance ``g_L,s + g_c``).
    """

    conductance: FloatArray
    reversal: float
    capacitance: float


def relax_deviation(deviation: ArrayLike, free: ArrayLike, conductance: ArrayLike, dt: float,
                    soma_time_constant: float,
                    inhibition: PerisomaticInhibition | None = None) -> FloatArray:
    """One exponential-Euler step of a cell's deviation ``r`` from its free somatic trajectory.

    ``C_s dr/dt = -(g_s + g) r + g (E - F)`` with ``g_s = C_s / tau_s`` the soma's resting
    conductance, ``g`` the perisomatic conductance and ``F`` the free trajectory at the step;
    without inhibition (or ``g = 0``) ``r`` decays with ``tau_s`` (exact for the linear soma
    driven by a given dendritic potential).

    Parameters
    ----------
    deviation, free, conductance
        ``r`` [V], ``F`` [V] and ``g`` [S], broadcastable.
    dt
        Step [s].
    soma_time_constant
        ``tau_s`` [s].
    inhibition
        Gives the reversal and the soma capacitance; None: no conductance (``conductance``
        is then not read).

    Returns
    -------
    numpy.ndarray
        ``r`` after the step [V].
    """
    r = np.asarray(deviation, dtype=float)
    if inhibition is None:
        return r * math.exp(-dt / soma_time_constant)
    g = np.asarray(conductance, dtype=float)
    total = inhibition.capacitance / soma_time_constant + g
    target = g * (inhibition.reversal - np.asarray(free, dtype=float)) / total
    return target + (r - target) * np.exp(-dt * total / inhibition.capacitance)

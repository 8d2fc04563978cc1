"""Firing of the CA1 pyramidal-cell population and the population spike it writes into the field.

Each virtual slice integrates one representative two-compartment pyramidal cell driven by the
synaptic input of the whole stimulated pathway (:mod:`synpharm.solvers._neuron`). Its
threshold-free somatic potential after a stimulus, ``V_free(t)`` (excitation, feed-forward
GABA-A inhibition, GIRK, NMDA; all in the kernel), is the subthreshold trajectory of a cell
with the mean input. The population differs from cell to cell in two ways:

* **spike threshold**: ``theta_j ~ Normal(theta, sd_theta)``, the spread of CA1 action-potential
  thresholds measured across cells (Staff, Jung, Thiagarajan, Yao & Spruston 2000
  J Neurophysiol 84:2398, Table 2);
* **synaptic input**: cell j receives a Poisson number of the activated Schaffer-collateral
  contacts (mean ``n_active`` = contacts per cell at maximal stimulation x fraction of axons
  conducting) with quantal sizes of coefficient of variation ``cv_q``, and a fixed share
  ``s_j`` of the activated afferents (log-normal, mean 1, ``excitation_log_sd``); its
  excitation relative to the representative cell is ``w_j = a_j s_j`` with
  ``a_j = 1 + z_j sqrt((1 + cv_q^2) / n_active)`` (compound Poisson), ``z_j`` standard normal
  and fixed for the cell.

The inhibition is shared (feed-forward inhibition acts homogeneously across CA1 pyramidal
cells; Pouille et al. 2009 Nat Neurosci 12:1577): given the excitatory part ``X(t)`` of the
representative cell's somatic depolarisation (:mod:`synpharm.model.population_drive`), cell
j's free trajectory is ``V_free(t) + (w_j - 1) X(t)``. Without ``X`` (older callers) every
cell scales the whole depolarisation, ``E_L + w_j dV(t)``.

Cell j's soma follows its free trajectory plus ``r_j(t)``: it fires when this crosses ``theta_j``
(crossing time interpolated between samples), is clamped at its reset potential during the
refractory period (as far below its own threshold as the model cell's reset is below the mean
threshold: a fixed reset of -58 mV lies above the thresholds of the most excitable cells, -50 +-
3.6 mV, which would then fire at the end of every refractory period, input or not), and
afterwards the deviation ``r_j`` from its free trajectory relaxes with the somatic time
constant ``C_s / (g_L,s + g_c)`` (exact for the linear soma of the model driven by a given
dendritic potential; with a perisomatic conductance,
:func:`synpharm.model.population_drive.relax_deviation`). So a cell fires again while its
free trajectory stays above threshold: a long, uninhibited EPSP gives repeated population spikes.

The extracellular field of the cell-body layer is the sum of the unit spikes of the cells
that fire (Andersen, Bliss & Skrede 1971 Exp Brain Res 13:208): with ``N`` cells in reach and
each unit a negative Gaussian of width ``sigma_u`` at the spike time plus the conduction and
synaptic delay of the fEPSP, the population spike is ``-(A / N) sum_k g(t - t_k)``; its
amplitude grows with the number of cells firing together and shrinks with their jitter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synpharm.errors import InputError
from synpharm.model.field_potential import FieldWaveform, synthesize_field_sweeps
from synpharm.model.population_drive import PerisomaticInhibition, relax_deviation
from synpharm.parameters import ParameterSet

__all__ = [
    "PopulationDraw",
    "PyramidalPopulation",
    "SomaticField",
    "draw_population",
    "input_scale",
    "population_firing",
    "population_from_parameters",
    "somatic_field_from_parameters",
    "spike_density",
    "synthesize_somatic_sweeps",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PyramidalPopulation:
    """The CA1 pyramidal cells under a somatic electrode (SI units).

    Attributes
    ----------
    cells
        Cells simulated per slice (numerical resolution; the field scales with the fraction
        that fires).
    threshold
        Mean spike threshold [V].
    threshold_sd
        Cell-to-cell standard deviation of the threshold [V].
    resting_potential
        Resting potential [V] (``E_L`` of the model cell).
    reset, refractory
        Reset potential [V] and refractory period [s] after a spike.
    soma_time_constant
        ``C_s / (g_L,s + g_c)`` of the model soma [s].
    contacts_at_max
        Activated Schaffer-collateral contacts per cell at maximal stimulation.
    quantal_cv
        Coefficient of variation of the quantal size.
    excitation_log_sd
        Standard deviation of the logarithm of a cell's share of the activated afferents
        relative to the representative cell (fixed per cell, mean 1): the cell-to-cell spread
        of excitation beyond the compound-Poisson spread (:mod:`synpharm.model.population_drive`).
    """

    cells: int
    threshold: float
    threshold_sd: float
    resting_potential: float
    reset: float
    refractory: float
    soma_time_constant: float
    contacts_at_max: float
    quantal_cv: float
    excitation_log_sd: float = 0.0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not math.isfinite(value):
                raise InputError(f"population.{item.name}", f"{value} is not finite",
                                 "fix the value in the parameter file")
        for name in ("cells", "soma_time_constant", "contacts_at_max"):
            if getattr(self, name) <= 0:
                raise InputError(f"population.{name}", "must be > 0",
                                 "fix the value in the parameter file")
        if min(self.threshold_sd, self.quantal_cv, self.refractory, self.excitation_log_sd) < 0:
            raise InputError("population", "threshold_sd, quantal_cv, refractory and "
                             "excitation_log_sd must be >= 0",
                             "fix the values in the parameter file")


def population_from_parameters(params: ParameterSet) -> PyramidalPopulation:
    """The population of a slice preparation (``parameters/ca1_slice.toml``)."""
    names = ("population_cells", "spike_threshold_cell_sd", "membrane_capacitance",
             "soma_membrane_fraction", "leak_conductance", "soma_dendrite_coupling")
    missing = [n for n in names if n not in params]
    if missing:
        raise InputError(f"parameter set {params.name!r}", f"lacks {missing}",
                         "add them (see parameters/ca1_slice.toml) to record in stratum pyramidale")
    fraction = params["soma_membrane_fraction"]
    tau = params["membrane_capacitance"] * fraction / (
        params["leak_conductance"] * fraction + params["soma_dendrite_coupling"])
    return PyramidalPopulation(
        cells=int(params["population_cells"]),
        threshold=params["spike_threshold"],
        threshold_sd=params["spike_threshold_cell_sd"],
        resting_potential=params["resting_potential"],
        reset=params["spike_reset"],
        refractory=params["refractory_period"],
        soma_time_constant=tau,
        contacts_at_max=params["synapses_per_neuron_at_max_stimulus"],
        quantal_cv=params["quantal_size_cv"],
        excitation_log_sd=params.get("excitation_cell_log_sd", 0.0),
    )


@dataclass(frozen=True)
class PopulationDraw:
    """One slice's cells, each ``(cells,)``: thresholds [V], compound-Poisson input deviations
    ``z_j`` and the share of the activated afferents ``s_j`` (mean 1; None: 1 for every cell)."""

    thresholds: FloatArray
    input_z: FloatArray
    share: FloatArray | None = None


def draw_population(population: PyramidalPopulation, rng: np.random.Generator) -> PopulationDraw:
    """Draw the thresholds, input deviations and afferent shares of one slice's cells.

    The share is log-normal with mean 1: ``s_j = exp(sigma z_j' - sigma^2 / 2)``.
    """
    thresholds = population.threshold + population.threshold_sd * rng.standard_normal(
        population.cells)
    input_z = rng.standard_normal(population.cells)
    sigma = population.excitation_log_sd
    share = np.exp(sigma * rng.standard_normal(population.cells) - 0.5 * sigma**2)
    return PopulationDraw(thresholds, input_z, share)


def input_scale(population: PyramidalPopulation, draw: PopulationDraw,
                conducting_fraction: ArrayLike) -> FloatArray:
    """Per-pulse, per-cell excitation relative to the representative cell, ``(n_pulses, cells)``.

    ``a_j s_j``: the compound-Poisson factor ``a_j`` of the activated contacts times the
    cell's afferent share ``s_j`` (:class:`PopulationDraw`). ``conducting_fraction`` is the
    fraction of the slice's axons that conduct at each pulse.
    """
    fraction = np.clip(np.atleast_1d(np.asarray(conducting_fraction, dtype=float)), 0.0, 1.0)
    n_active = population.contacts_at_max * fraction
    with np.errstate(divide="ignore"):
        cv = np.where(n_active > 0, np.sqrt((1.0 + population.quantal_cv**2)
                                            / np.maximum(n_active, 1e-12)), 0.0)
    scale = np.maximum(1.0 + cv[:, None] * draw.input_z[None, :], 0.0)
    return scale if draw.share is None else scale * draw.share[None, :]


def _cell_components(v_rep: FloatArray, scale: FloatArray, excitation: ArrayLike | None,
                     rest: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``(base, shape, gain)`` with cell j's free potential ``base + gain_j shape(t)``:
    ``(V_free, X, scale - 1)`` when the inhibition is shared, ``(E_L, V_free - E_L, scale)``
    when everything scales."""
    if excitation is None:
        return np.full_like(v_rep, rest), v_rep - rest, scale
    return v_rep, np.asarray(excitation, dtype=float), scale - 1.0


def _crossing_fraction(before: FloatArray, after: FloatArray, threshold: FloatArray) -> FloatArray:
    """Fraction of the step at which the potential crossed ``threshold`` (linear), in [0, 1]."""
    rise = after - before
    frac = np.where(rise > 0, (threshold - before) / np.where(rise > 0, rise, 1.0), 1.0)
    return np.clip(frac, 0.0, 1.0)


def _highest_reach(base: FloatArray, shape: FloatArray, gain: FloatArray,
                   dendritic: tuple[ArrayLike, ArrayLike] | None) -> FloatArray:
    """Upper bound per pulse of any cell's free potential ``base + gain shape`` [V], plus the
    dendritic spike's largest somatic depolarisation where a cell fires one."""
    reach = (base.max(axis=1) + np.maximum(gain.max(axis=1), 0.0) * np.maximum(
        shape.max(axis=1), 0.0) + np.maximum(-gain.min(axis=1), 0.0) * np.maximum(
        -shape.min(axis=1), 0.0))
    if dendritic is None:
        return reach
    spikes = (np.asarray(dendritic[0]) >= 0).any(axis=1)
    return reach + np.where(spikes, max(float(np.max(dendritic[1])), 0.0), 0.0)


def _dendritic_spike_term(k: int, onset: NDArray[np.int64], waveform: ArrayLike) -> FloatArray:
    """Somatic depolarisation [V] at sample ``k`` of the cells' own dendritic spikes (``onset``
    -1: none)."""
    wave = np.asarray(waveform, dtype=float)
    since = k - onset
    return np.where((onset >= 0) & (since >= 0), wave[np.clip(since, 0, wave.size - 1)], 0.0)


def population_firing(soma: ArrayLike, dt: float, scale: ArrayLike, draw: PopulationDraw,
                      population: PyramidalPopulation,
                      excitation: ArrayLike | None = None,
                      dendritic: tuple[ArrayLike, ArrayLike] | None = None,
                      perisomatic: PerisomaticInhibition | None = None,
                      ) -> tuple[FloatArray, FloatArray]:
    """Spike times of every cell after each stimulus.

    Parameters
    ----------
    soma
        Threshold-free somatic potential of the representative cell [V], sample k at
        ``(k + 1) dt`` after the stimulus, shape ``(n_pulses, n_samples)``.
    dt
        Sampling step of ``soma`` [s].
    scale
        Input scale per pulse and cell (:func:`input_scale`), shape ``(n_pulses, cells)``.
    draw
        The slice's cells (:func:`draw_population`).
    population
        Population constants.
    excitation
        Excitatory part ``X(t)`` of the representative cell's somatic depolarisation [V], shape
        of ``soma``: cell j follows ``soma + (scale_j - 1) X`` (inhibition shared). None: cell j
        follows ``E_L + scale_j (soma - E_L)`` (everything scaled).
    dendritic
        ``(onset, waveform)``: per pulse and cell the sample from which the cell's own dendritic
        spike acts (-1: none), ``(n_pulses, cells)``, and the spike's somatic depolarisation
        from then on [V], ``(n_samples,)`` (:mod:`synpharm.model.population_drive`).
    perisomatic
        A conductance shared by every cell's soma (perisomatic feed-forward GABA-A): each
        cell's deviation from its free trajectory is advanced by
        :func:`~synpharm.model.population_drive.relax_deviation`. None: no conductance.

    Returns
    -------
    pulse, time
        Pulse index and spike time after the stimulus [s] of every spike, shape ``(n_spikes,)``.
    """
    rest = population.resting_potential
    v_rep = np.asarray(soma, dtype=float)
    a = np.asarray(scale, dtype=float)
    base, shape, gain = _cell_components(v_rep, a, excitation, rest)
    n_samples = v_rep.shape[1]
    theta = draw.thresholds[None, :]
    # each cell resets as far below its own threshold as the mean cell (module docstring)
    reset = theta - (population.threshold - population.reset)
    # pulses in which no cell can reach threshold are provably silent
    active = np.flatnonzero(_highest_reach(base, shape, gain, dendritic) >= theta.min())
    if active.size == 0:
        return np.zeros(0), np.zeros(0)
    pulses, times = [], []
    gain, base, shape = gain[active], base[active], shape[active]
    onset = None if dendritic is None else np.asarray(dendritic[0], dtype=np.int64)[active]
    g_inh = (np.zeros((active.size, n_samples)) if perisomatic is None
             else np.asarray(perisomatic.conductance, dtype=float)[active])
    deviation, refractory = np.zeros_like(gain), np.zeros_like(gain)
    previous = base[:, 0, None] + gain * 0.0
    for k in range(n_samples):
        free = base[:, k, None] + gain * shape[:, k, None]
        if onset is not None:
            free = free + _dendritic_spike_term(k, onset, dendritic[1])
        clamped = refractory > 0.0
        relaxed = relax_deviation(deviation, free, g_inh[:, k, None], dt,
                                  population.soma_time_constant, perisomatic)
        deviation = np.where(clamped, reset - free, relaxed)
        refractory = np.maximum(refractory - dt, 0.0)
        v = free + deviation
        fire = (~clamped) & (v >= theta)
        if fire.any():
            p, j = np.nonzero(fire)
            pulses.append(active[p])
            times.append((k + _crossing_fraction(previous[p, j], v[p, j], theta[0, j])) * dt)
            refractory[p, j] = population.refractory
            v[p, j] = reset[0, j]
            deviation[p, j] = reset[0, j] - free[p, j]
        previous = v
    if not pulses:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(pulses).astype(float), np.concatenate(times)


def spike_density(pulse: ArrayLike, time: ArrayLike, n_pulses: int, cells: int,
                  sample_time: ArrayLike, width: float) -> FloatArray:
    """Fraction of the population's unit spikes per sample: sum of unit Gaussians / ``cells``.

    Parameters
    ----------
    pulse, time
        Spikes from :func:`population_firing` (time already shifted to the sweep's clock) [s].
    n_pulses
        Number of sweeps.
    cells
        Cells of the population (normalisation).
    sample_time
        Sample times of the sweep [s], shape ``(n_samples,)``.
    width
        Standard deviation of the unit spike [s].

    Returns
    -------
    numpy.ndarray
        ``sum_k exp(-(t - t_k)^2 / (2 width^2)) / cells`` per sweep, shape
        ``(n_pulses, n_samples)``: 1 would be every cell firing at the same instant.
    """
    t = np.asarray(sample_time, dtype=float)
    out = np.zeros((n_pulses, t.size))
    pulse = np.asarray(pulse, dtype=np.int64)
    time = np.asarray(time, dtype=float)
    if pulse.size == 0:
        return out
    # bin the spikes on a fine grid, then convolve each sweep with the unit spike
    step = width / 8.0
    grid = np.arange(t[0] - 6 * width, t[-1] + 6 * width, step)
    hist = np.zeros((n_pulses, grid.size))
    index = np.clip(np.rint((time - grid[0]) / step).astype(np.int64), 0, grid.size - 1)
    np.add.at(hist, (pulse, index), 1.0)
    half = math.ceil(6 * width / step)
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) * step / width) ** 2)
    for p in np.unique(pulse):
        smooth = np.convolve(hist[p], kernel, mode="same")
        out[p] = np.interp(t, grid, smooth)
    return out / cells


@dataclass(frozen=True)
class SomaticField:
    """What an electrode in stratum pyramidale adds to the field of stratum radiatum (SI units).

    Attributes
    ----------
    fepsp_ratio
        Peak of the positive-going fEPSP in the cell-body layer (the current source that
        closes the dendritic sink) per unit peak of the negative radiatum fEPSP.
    population_spike_full_amplitude
        Field [V] if every cell in reach fired at the same instant (the population spike of
        a fraction f of the cells firing in synchrony is f times this).
    unit_spike_width
        Standard deviation of one cell's extracellular spike (negative Gaussian) [s].
    """

    fepsp_ratio: float
    population_spike_full_amplitude: float
    unit_spike_width: float

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not (math.isfinite(value) and value >= 0):
                raise InputError(f"somatic_field.{item.name}", f"must be finite and >= 0, "
                                 f"got {value}", "fix the value in field_potential.toml")
        if self.unit_spike_width == 0:
            raise InputError("somatic_field.unit_spike_width", "must be > 0",
                             "fix the value in field_potential.toml")


def somatic_field_from_parameters(params: ParameterSet) -> SomaticField:
    """The somatic-site constants from ``parameters/field_potential.toml``."""
    names = [item.name for item in fields(SomaticField)]
    keys = ["somatic_" + n if n == "fepsp_ratio" else n for n in names]
    missing = [k for k in keys if k not in params]
    if missing:
        raise InputError(f"parameter set {params.name!r}", f"lacks {missing}",
                         "add them (see parameters/field_potential.toml)")
    return SomaticField(**{n: float(params[k]) for n, k in zip(names, keys, strict=True)})


def synthesize_somatic_sweeps(
    fepsp_scale: ArrayLike,
    volley_scale: ArrayLike,
    spikes: tuple[ArrayLike, ArrayLike],
    cells: int,
    *,
    waveform: FieldWaveform,
    somatic: SomaticField,
    sampling_rate: float,
    sweep_duration: float,
    stimulus_time: float,
    noise_sd: float | None = None,
    rng: np.random.Generator | None = None,
) -> FloatArray:
    """Sweeps of a field electrode in stratum pyramidale, one per stimulus.

    Artefact, fiber volley and noise as in
    :func:`~synpharm.model.field_potential.synthesize_field_sweeps`; the fEPSP appears
    positive-going (``somatic.fepsp_ratio`` times the radiatum fEPSP, inverted) and the
    population spike is ``-population_spike_full_amplitude`` times the spike density of
    :func:`spike_density`. Spike times of :func:`population_firing` count from the synaptic
    onset, so they are shifted by ``waveform.fepsp_onset_latency``.

    Parameters
    ----------
    fepsp_scale, volley_scale
        Peak radiatum fEPSP and fiber-volley amplitudes per sweep [V], shape ``(n,)``.
    spikes
        ``(pulse, time)`` of every population spike (:func:`population_firing`).
    cells
        Cells of the population.

    Returns
    -------
    numpy.ndarray
        Sweeps [V], shape ``(n, round(sweep_duration * sampling_rate))``.
    """
    fepsp = np.atleast_1d(np.asarray(fepsp_scale, dtype=float))
    sweeps = synthesize_field_sweeps(
        -somatic.fepsp_ratio * fepsp, volley_scale, waveform=waveform,
        sampling_rate=sampling_rate, sweep_duration=sweep_duration,
        stimulus_time=stimulus_time, noise_sd=noise_sd, rng=rng)
    t = np.arange(sweeps.shape[1]) / sampling_rate - stimulus_time
    pulse, time = (np.asarray(x, dtype=float) for x in spikes)
    density = spike_density(pulse, time + waveform.fepsp_onset_latency, fepsp.size, cells, t,
                            somatic.unit_spike_width)
    return sweeps - somatic.population_spike_full_amplitude * density

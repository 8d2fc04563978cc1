"""Single-connection preparations with quantal release: definitions and virtual-cell draws."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from synpharm.model.channels import release_half_activation_power
from synpharm.parameters import ParameterSet, load_parameter_set, package_parameter_file

__all__ = [
    "QUANTAL_PREPARATIONS",
    "QuantalCells",
    "QuantalPreparation",
    "cultured_hippocampal_neurons",
    "draw_cells",
    "mossy_fiber_slice",
]


@dataclass(frozen=True)
class QuantalPreparation:
    """One synaptic connection per virtual cell, recorded in one cell.

    Attributes
    ----------
    name
        Preparation name used in protocols (``experiment.preparation``).
    parameters
        Parameter set (each value with unit and citation or calibration tag).
    recording
        ``"voltage_clamp"`` (responses are currents [A]) or ``"current_clamp"`` (potentials [V]).
    transmitter
        ``"gaba"`` (presynaptic GABA-B are autoreceptors, activated also by the released GABA)
        or ``"glutamate"`` (heteroreceptors, activated by bath agonists only).
    minimal_stimulation
        True when the stimulus recruits a single input with failures, so that quantal analysis
        of the responses is meaningful.
    measure
        Name of the per-sweep measure, e.g. ``"ipsc_amplitude"``.
    unit, unit_scale
        Display unit of the measure and the factor from SI to it (``"pA"``, 1e12).
    direction
        Sign of the response in the recording (``"negative"``: inward IPSC at -60 mV with a
        high-Cl pipette; ``"positive"``: depolarising EPSP).
    """

    name: str
    parameters: ParameterSet
    recording: str
    transmitter: str
    minimal_stimulation: bool
    measure: str
    unit: str
    unit_scale: float
    direction: str

    @property
    def max_stimulus_frequency(self) -> float:
        """Fastest stimulation whose sweeps do not overlap beyond one preceding response [Hz]."""
        return 1.0 / self.parameters["minimum_stimulus_interval"]

    @property
    def presynaptic_occupancy_field(self) -> str:
        """The :class:`~synpharm.pharmacology.DrugEffects` field acting on the terminals."""
        if self.transmitter == "gaba":
            return "gabab_presynaptic_gabaergic_occupancy"
        return "gabab_presynaptic_glutamatergic_occupancy"

    @property
    def autoreceptors(self) -> bool:
        """Whether the released transmitter activates the terminal's own GABA-B receptors."""
        return self.transmitter == "gaba"


def _parameters(name: str, parameters: ParameterSet | None) -> ParameterSet:
    return parameters or load_parameter_set(package_parameter_file(name))


def cultured_hippocampal_neurons(parameters: ParameterSet | None = None) -> QuantalPreparation:
    """Cultured rat hippocampal neurons: evoked monosynaptic IPSCs in whole-cell voltage clamp."""
    return QuantalPreparation(
        name="cultured_hippocampal_neurons",
        parameters=_parameters("cultured_hippocampal_neurons", parameters),
        recording="voltage_clamp",
        transmitter="gaba",
        minimal_stimulation=False,
        measure="ipsc_amplitude",
        unit="pA",
        unit_scale=1e12,
        direction="negative",
    )


def mossy_fiber_slice(parameters: ParameterSet | None = None) -> QuantalPreparation:
    """Guinea-pig slice: minimal-stimulation mossy-fibre EPSPs in CA3 cells (current clamp)."""
    return QuantalPreparation(
        name="mossy_fiber_slice",
        parameters=_parameters("mossy_fiber_slice", parameters),
        recording="current_clamp",
        transmitter="glutamate",
        minimal_stimulation=True,
        measure="epsp_amplitude",
        unit="mV",
        unit_scale=1e3,
        direction="positive",
    )


QUANTAL_PREPARATIONS = {
    "cultured_hippocampal_neurons": cultured_hippocampal_neurons,
    "mossy_fiber_slice": mossy_fiber_slice,
}


@dataclass(frozen=True)
class QuantalCells:
    """Per-cell properties of a virtual cohort, arrays of shape ``(n_cells,)``.

    Attributes
    ----------
    n_sites
        Release sites of the recorded connection.
    release_half_power
        K^n of Dodge-Rahamimoff release, giving each cell its control release probability.
    release_probability
        Control release probability per site (at control Ca2+ influx).
    quantal_size
        Mean response to one quantum at rest, magnitude in SI units (A in voltage clamp,
        V in current clamp).
    """

    n_sites: NDArray[np.int64]
    release_half_power: NDArray[np.float64]
    release_probability: NDArray[np.float64]
    quantal_size: NDArray[np.float64]


def _beta(rng: np.random.Generator, mean: float, cv: float) -> float:
    """Beta draw with the given mean and coefficient of variation (mean in (0, 1))."""
    variance = (cv * mean) ** 2
    concentration = mean * (1.0 - mean) / variance - 1.0
    return float(rng.beta(mean * concentration, (1.0 - mean) * concentration))


def _lognormal(rng: np.random.Generator, mean: float, cv: float) -> float:
    sigma = math.sqrt(math.log1p(cv**2))
    return float(mean * rng.lognormal(-0.5 * sigma**2, sigma))


def _unitary_quantal_size(prep: QuantalPreparation) -> float:
    p = prep.parameters
    if prep.recording == "voltage_clamp":
        return abs(p["quantal_conductance"] * (p["holding_potential"] - p["chloride_reversal"]))
    return p["quantal_epsp_amplitude"]


def _sites(rng: np.random.Generator, p: ParameterSet) -> int:
    low, high = int(p["release_sites_min"]), int(p["release_sites_max"])
    if "release_sites_mean" in p:
        return int(np.clip(rng.poisson(p["release_sites_mean"]), low, high))
    return int(rng.integers(low, high + 1))


def draw_cells(prep: QuantalPreparation, seeds: list[np.random.SeedSequence]) -> QuantalCells:
    """Draw one virtual cell (one recorded connection) per seed."""
    p = prep.parameters
    size_cv_key = (
        "quantal_conductance_between_cell_cv"
        if "quantal_conductance_between_cell_cv" in p
        else "quantal_size_between_cell_cv"
    )
    q0 = _unitary_quantal_size(prep)
    p_cap = 0.9 * p["release_probability_max"]
    n_sites, p0, size = [], [], []
    for seq in seeds:
        rng = np.random.default_rng(seq)
        n_sites.append(_sites(rng, p))
        draw = _beta(rng, p["release_probability_mean"], p["release_probability_between_cell_cv"])
        p0.append(min(max(draw, 1e-3), p_cap))
        size.append(_lognormal(rng, q0, p[size_cv_key]))
    p0_array = np.array(p0)
    half_power = np.array(
        [
            release_half_activation_power(
                x, p["release_calcium_cooperativity"], p["release_probability_max"]
            )
            for x in p0
        ]
    )
    return QuantalCells(
        np.array(n_sites, dtype=np.int64), half_power, p0_array, np.array(size, dtype=float)
    )

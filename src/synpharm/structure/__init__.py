"""Structural plasticity: dendritic spine populations over hours to weeks.

Spines on dendrite segments form, change class (new -> thin <-> stubby, thin <-> mushroom) and
are eliminated, each spine tracked individually. Formation and maturation are modulated by the
signaling network's ``synaptic_protein(t)`` and ``bdnf(t)`` (1 = baseline); conditions such as
chronic stress are modifiers of the rates. The readouts are what an experimenter measures:
longitudinal two-photon imaging (the same spines at several sessions: density, formation and
elimination rates) and endpoint histology (Golgi: density per 10 um, class fractions).
Model and parameters: ``docs/structure.md``.

>>> import numpy as np
>>> from synpharm.structure import load_spine_parameters, simulate_spines, golgi_readouts
>>> params = load_spine_parameters("mouse_mpfc_l5")
>>> pop = simulate_spines(params, np.array([0.0, 86400.0]), {}, 3, 4, seed=0)
>>> golgi_readouts(pop, 86400.0)["density_per_10um"].shape
(3,)
"""

from synpharm.structure._mean_field import expected_course
from synpharm.structure._parameters import (
    MODIFIER_KEYS,
    STATE_NAMES,
    BaselineRates,
    SpineParameters,
    baseline_rates,
    load_spine_parameters,
    steady_state,
)
from synpharm.structure._readouts import (
    expected_imaging_turnover,
    golgi_readouts,
    imaging_readouts,
)
from synpharm.structure._simulate import DRIVE_NAMES, SpinePopulation, simulate_spines

__all__ = [
    "DRIVE_NAMES",
    "MODIFIER_KEYS",
    "STATE_NAMES",
    "BaselineRates",
    "SpineParameters",
    "SpinePopulation",
    "baseline_rates",
    "expected_course",
    "expected_imaging_turnover",
    "golgi_readouts",
    "imaging_readouts",
    "load_spine_parameters",
    "simulate_spines",
    "steady_state",
]

"""Pharmacology: concentrations -> occupancy, block and the declared effects the biophysics uses.

Small pure NumPy functions with units in their docstrings (internal units: concentration
mol/m^3, numerically mM; time s; voltage V; rates 1/s; second-order rates m^3/(mol s)).

- Binding: :func:`hill_occupancy`, :func:`gaddum_occupancy`, :func:`hill_inhibition`,
  :func:`competitive_fraction_available`.
- Exposure: :class:`ExposureEvent`, :func:`bath_concentration` (exponential bath exchange).
- Open-channel block (Woodhull, trapping): :func:`open_channel_block_equilibrium`,
  :func:`blocker_unbinding_rate`, :func:`open_channel_block_step`,
  :func:`closed_channel_block_step`.
- Declared effects: :class:`DrugEffects`, :func:`drug_effects`.
"""

from synpharm.pharmacology._binding import (
    competitive_fraction_available,
    gaddum_occupancy,
    hill_inhibition,
    hill_occupancy,
)
from synpharm.pharmacology._block import (
    blocker_unbinding_rate,
    closed_channel_block_step,
    open_channel_block_equilibrium,
    open_channel_block_step,
)
from synpharm.pharmacology._effects import (
    GABAB_AGONIST_SITES,
    SIMULATED_EFFECTS,
    DrugEffects,
    OpenChannelBlocker,
    UnsimulatedEffect,
    drug_effects,
    unsimulated_effects,
    unsimulated_records,
)
from synpharm.pharmacology._exposure import ExposureEvent, bath_concentration

__all__ = [
    "GABAB_AGONIST_SITES",
    "SIMULATED_EFFECTS",
    "DrugEffects",
    "ExposureEvent",
    "OpenChannelBlocker",
    "UnsimulatedEffect",
    "bath_concentration",
    "blocker_unbinding_rate",
    "closed_channel_block_step",
    "competitive_fraction_available",
    "drug_effects",
    "gaddum_occupancy",
    "hill_inhibition",
    "hill_occupancy",
    "open_channel_block_equilibrium",
    "open_channel_block_step",
    "unsimulated_effects",
    "unsimulated_records",
]

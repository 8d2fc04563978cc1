"""Synaptic plasticity rules as data + compiled building blocks shared by the engines.

:mod:`synpharm.model.plasticity.graupner_brunel` holds the calcium-based rule of Graupner & Brunel
(2012); the batched population integrator that uses it is
:mod:`synpharm.solvers.gb_population`.
"""

from synpharm.model.plasticity.graupner_brunel import (
    DP_PARAMETER_FILE,
    GraupnerBrunelRule,
    graupner_brunel_rule,
)

__all__ = ["DP_PARAMETER_FILE", "GraupnerBrunelRule", "graupner_brunel_rule"]

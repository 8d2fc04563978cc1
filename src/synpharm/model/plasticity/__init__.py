"""The calcium-based plasticity rule, once, with the evaluators each solver needs.

- :mod:`.calcium_rule` - THE rule: gates, gain/loss of the early phase, the explicit step of the
  compiled slice kernels (CA1, DG, mossy fibre), plasticity noise, late-phase capture;
- :mod:`.phosphatase` - the slow phosphatase/kinase readout (LTD arm) in closed form: impulse
  activation per stimulus, decay and depression between stimuli, periodic steady state;
- :mod:`.closed_form` - the rule solved in closed form for periodic trains (VEP), pairings
  (human PAS) and quiet gaps;
- :mod:`.graupner_brunel` - the published bistable variant (Graupner & Brunel 2012) for the
  GB-LTP benchmark; its population integrator is :mod:`synpharm.solvers.gb_population`.
"""

from synpharm.model.plasticity.graupner_brunel import (
    DP_PARAMETER_FILE,
    GraupnerBrunelRule,
    graupner_brunel_rule,
)

__all__ = ["DP_PARAMETER_FILE", "GraupnerBrunelRule", "graupner_brunel_rule"]

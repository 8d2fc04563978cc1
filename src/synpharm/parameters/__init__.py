"""Parameter sets as data: every value with its unit and a citation, or marked calibrated.

A parameter file is TOML with one table per parameter::

    [quantal_conductance]
    value = "0.35 nS"
    kind = "conductance"
    source = "Author et al. 2001 J Neurosci 21:1, Fig. 2"

    [calcium_per_nmda_charge]
    value = 0.8
    kind = "dimensionless"
    calibrated = "LIT-GEN-1: control 3 x 100 Hz LTP at 60 min"

Exactly one of ``source`` or ``calibrated`` is required. Values are converted to the internal SI
convention of :mod:`synpharm.units` when loaded. Model code receives a :class:`ParameterSet`
and holds no numbers of its own.
"""

from synpharm.parameters._set import (
    Parameter,
    ParameterSet,
    load_parameter_set,
    package_parameter_file,
)

__all__ = ["Parameter", "ParameterSet", "load_parameter_set", "package_parameter_file"]

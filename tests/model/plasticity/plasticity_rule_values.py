"""The plasticity-rule constants the rule tests write out, shared by the kinase and
phosphatase tests (so that a test reads its values here, not the data file's current fit)."""

from __future__ import annotations

from synpharm.preparations.ca1_slice import ca1_slice, slice_constants

#: the rule's values the tests write out (data-file values change with recalibration)
RULE_VALUES = {
    "phosphatase_rate": 1.0, "phosphatase_tau": 20.0, "phosphatase_threshold": 0.16,
    "phosphatase_gamma": 1.2, "tau_h": 688.4, "theta_p": 3.0, "theta_d": 1.2, "gamma_p": 370.0,
    "gamma_d": 62.62, "h_max": 2.381, "kinase_rate": 1.0, "kinase_tau": 10.0,
    "kinase_hill": 4.0, "kinase_threshold": 0.35, "kinase_veto": 0.01, "kinase_half": 3.5,
}


def rule_constants(**changes: float):
    """CA1 slice constants (a type numba can cache) with the rule's values, and ``changes``."""
    return slice_constants(ca1_slice())._replace(**{**RULE_VALUES, **changes})

"""Dentate gyrus slice: medial perforant path -> granule cells, with GABA-B autoreceptor circuits.

The same equations and compiled engine as the CA1 slice (:mod:`synpharm.preparations.ca1_slice`);
only the data differ (``parameters/dentate_gyrus_slice.toml``): a granule cell resting near
-78 mV with a shunting GABA-A reversal, strong feed-forward and feedback (basket-cell)
inhibition whose terminals carry GABA-B autoreceptors, and perforant-path terminals with weak
presynaptic GABA-B inhibition (Lanthorn & Cotman 1981). Whether baclofen raises or lowers LTP
here is not written anywhere; it follows from these parameters (``docs/circuits.md``).

Examples
--------
>>> prep = dentate_gyrus_slice()
>>> prep.name, round(prep.parameters["resting_potential"] * 1e3)
('dentate_gyrus_slice', -78)
"""

from __future__ import annotations

from synpharm.parameters import ParameterSet, load_parameter_set, package_parameter_file
from synpharm.preparations.ca1_slice import Preparation

__all__ = ["dentate_gyrus_slice"]


def dentate_gyrus_slice(parameters: ParameterSet | None = None) -> Preparation:
    """The dentate gyrus (perforant path -> granule cell) slice preparation.

    Parameters
    ----------
    parameters
        A parameter set with the names of ``dentate_gyrus_slice.toml`` (e.g. an ablation made
        with :meth:`ParameterSet.with_values`); default: the shipped data file.
    """
    params = parameters or load_parameter_set(package_parameter_file("dentate_gyrus_slice"))
    return Preparation("dentate_gyrus_slice", params)

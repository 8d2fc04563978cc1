"""Receptor-level virtual assays that need no preparation (binding-style experiments).

``nmda_channel_block``: the equilibrium fraction of open NMDA channels blocked by each
compound at 0 mV in Mg2+-free solution with glutamate and glycine present -- the conditions of
a [3H]MK-801 displacement assay on brain membranes -- over a concentration series, fitted with
the same four-parameter Hill function used on real data. The block comes from the compound's
declared open-channel kinetics (``kd_0mV``), through the pharmacology layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from synpharm.analysis.fitting import fit_hill
from synpharm.analysis.results import ExperimentResult
from synpharm.compounds import load_compound
from synpharm.errors import InputError
from synpharm.pharmacology import drug_effects, open_channel_block_equilibrium

__all__ = ["nmda_channel_block_assay"]

#: Assay concentrations [mol/m^3]: 1 nM to 1 mM, 4 per decade.
ASSAY_CONCENTRATIONS = np.logspace(-6, 0, 25)


def _blocked_fraction(name: str, concentrations: np.ndarray, field: str,
                      search: Sequence[Path] = ()) -> np.ndarray:
    compound = load_compound(name, search)
    blockers = drug_effects([(compound, concentrations)]).nmda_blockers
    if not blockers:
        raise InputError(field, f"{name} does not block the NMDA channel", "give an NMDA blocker")
    b = blockers[0]
    return open_channel_block_equilibrium(concentrations, b.kd_0mV, 0.0, b.voltage_e_fold)


def nmda_channel_block_assay(compounds: list[str], field: str = "compounds",
                             search: Sequence[Path] = ()) -> ExperimentResult:
    """IC50 of NMDA channel block at 0 mV for each compound (µM), as ``analyses["channel_block"]``.

    Parameters
    ----------
    compounds
        Compound names or aliases.
    field
        Field name used in error messages.
    search
        Folders with user compound files (the targets file's folder).
    """
    fits = []
    for name in compounds:
        inhibition = 100.0 * _blocked_fraction(name, ASSAY_CONCENTRATIONS, field, search)
        fit = fit_hill(ASSAY_CONCENTRATIONS * 1e3, inhibition, n_bootstrap=200, increasing=True)
        fits.append(
            {
                "compound": name,
                "readout": "equilibrium NMDA channel block at 0 mV, Mg2+-free",
                "ic50_uM": float(fit.ec50),
                "ic50_ci_uM": [float(fit.ec50_ci[0]), float(fit.ec50_ci[1])],
                "hill_slope": float(fit.hill_slope),
                "n_concentrations": int(ASSAY_CONCENTRATIONS.size),
            }
        )
    return ExperimentResult(
        protocol_name="nmda_channel_block",
        conditions=[],
        induction_time=None,
        drug_time=None,
        provenance={"assay": "nmda_channel_block", "compounds": list(compounds)},
        analyses={"channel_block": fits},
    )

"""From compounds and concentrations to the declared effects the biophysics consumes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synpharm.compounds import Compound
from synpharm.pharmacology._binding import (
    gaddum_occupancy,
    hill_inhibition,
)

__all__ = [
    "GABAB_AGONIST_SITES",
    "SIMULATED_EFFECTS",
    "DrugEffects",
    "OpenChannelBlocker",
    "UnsimulatedEffect",
    "drug_effects",
    "unsimulated_effects",
    "unsimulated_records",
]

#: agonist target identifier -> DrugEffects field
GABAB_AGONIST_SITES: dict[str, str] = {
    "GABAB_presynaptic_glutamatergic": "gabab_presynaptic_glutamatergic_occupancy",
    "GABAB_presynaptic_gabaergic": "gabab_presynaptic_gabaergic_occupancy",
    "GABAB_postsynaptic_GIRK": "gabab_postsynaptic_occupancy",
}
_GABAB_ANTAGONIST_TARGET = "GABAB"
_NMDA_SITE_TARGET = "NMDA_glutamate_site"
_NMDA_CHANNEL_TARGET = "NMDA"
_NAV_TARGET = "NaV_axonal"
_AMPA_TARGET = "AMPA"
_GABAA_TARGET = "GABAA"


#: (mechanism, target) pairs the slice and quantal models consume, with what they drive.
SIMULATED_EFFECTS: dict[tuple[str, str], str] = {
    **{("agonist", site): f"GABA-B occupancy ({field})"
       for site, field in GABAB_AGONIST_SITES.items()},
    ("competitive_antagonist", _GABAB_ANTAGONIST_TARGET): "GABA-B dose ratio (Gaddum)",
    ("competitive_antagonist", _NMDA_SITE_TARGET): "NMDA receptors free of antagonist",
    ("open_channel_blocker", _NMDA_CHANNEL_TARGET): "use-dependent NMDA channel block",
    ("channel_blocker", _NAV_TARGET): "axonal Na+ channels available",
    ("competitive_antagonist", _AMPA_TARGET): "AMPA receptors free of antagonist (slice model)",
    ("competitive_antagonist", _GABAA_TARGET):
        "GABA-A receptors free of antagonist (slice model: feed-forward and feedback inhibition)",
    ("channel_blocker", _GABAA_TARGET):
        "GABA-A channels not blocked (slice model: feed-forward and feedback inhibition)",
    # inputs of the synaptic signalling network (synpharm.signaling; in-vivo and spine studies)
    ("inhibitor", "mTORC1"): "signalling network: mTORC1 inhibition (studies only)",
    ("inhibitor", "TrkB"): "signalling network: TrkB inhibition (studies only)",
    ("agonist", "ERK_pathway"): "signalling network: direct ERK drive (studies only)",
}


#: competitive antagonists at one site each: (mechanism, target) -> name of the fraction free
_COMPETITIVE_SITES: dict[tuple[str, str], str] = {
    ("competitive_antagonist", _NMDA_SITE_TARGET): "nmda",
    ("competitive_antagonist", _AMPA_TARGET): "ampa",
    ("competitive_antagonist", _GABAA_TARGET): "gabaa_site",
}
#: Hill-type channel blockers: (mechanism, target) -> name of the fraction not blocked
_CHANNEL_BLOCKS: dict[tuple[str, str], str] = {
    ("channel_blocker", _NAV_TARGET): "nav",
    ("channel_blocker", _GABAA_TARGET): "gabaa_channel",
}


class UnsimulatedEffect(NamedTuple):
    """A declared effect no model consumes, and why."""

    compound: str
    target: str
    mechanism: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return self._asdict()

    def text(self) -> str:
        return (f"{self.compound}: {self.mechanism} at {self.target} is not simulated "
                f"({self.reason})")


def _unsimulated_reason(mechanism: str, target: str) -> str:
    targets = sorted({t for m, t in SIMULATED_EFFECTS if m == mechanism})
    if targets:
        return (f"the model has no {target!r} target for a {mechanism}; "
                f"simulated {mechanism} targets: {', '.join(targets)}")
    mechanisms = sorted({m for m, t in SIMULATED_EFFECTS if t == target})
    if mechanisms:
        return f"{target} is simulated only for: {', '.join(mechanisms)}"
    return f"the model has no {target!r} target"


def unsimulated_effects(compound: Compound) -> tuple[UnsimulatedEffect, ...]:
    """The compound's declared effects that no model consumes (see :data:`SIMULATED_EFFECTS`).

    Examples
    --------
    >>> from synpharm.compounds import load_compound
    >>> [e.target for e in unsimulated_effects(load_compound("ketamine"))][:1]
    ['HCN1']
    """
    return tuple(
        UnsimulatedEffect(compound.name, e.target, e.mechanism,
                          _unsimulated_reason(e.mechanism, e.target))
        for e in compound.targets if (e.mechanism, e.target) not in SIMULATED_EFFECTS
    )


class OpenChannelBlocker(NamedTuple):
    """An NMDA open-channel blocker present, in internal units (see :mod:`._block`)."""

    concentration: NDArray[np.float64]  # [mol/m^3], shape of the input concentration
    kd_0mV: float  # [mol/m^3]
    k_on: float  # [m^3/(mol s)]
    voltage_e_fold: float  # [V]
    trapping: bool
    compound: str


@dataclass(frozen=True)
class DrugEffects:
    """Declared drug effects, each an array with the broadcast shape of the concentrations.

    Attributes
    ----------
    gabab_presynaptic_glutamatergic_occupancy, gabab_presynaptic_gabaergic_occupancy, \
gabab_postsynaptic_occupancy
        Agonist occupancy [0, 1] of GABA-B receptors on glutamatergic terminals, on GABAergic
        terminals (autoreceptors) and postsynaptically (GIRK-coupled), competitive antagonists
        included through Gaddum's dose ratio. Exogenous agonists only: synaptically released
        GABA is the biophysics' business.
    nmda_glutamate_site_available
        Fraction of NMDA receptors free of competitive glutamate-site antagonists (1 = none).
    nmda_blockers
        Open-channel blockers present (concentration array, Kd(0), k_on, V_e, trapping, name);
        their blocked fraction is a state the engine integrates (use-dependent block).
    nav_available
        Fraction of axonal Na+ channels not blocked (1 = no block).
    ampa_available
        Fraction of AMPA receptors free of competitive antagonists (CNQX, NBQX), ``1/(1 + sum
        c/Kd)``: an antagonist equilibrated with the receptors before a release event stays
        bound through the ~1 ms glutamate transient, as for ``nmda_glutamate_site_available``.
    gabaa_available
        Fraction of the GABA-A conductance left by competitive antagonists (bicuculline,
        gabazine: ``1/(1 + sum c/Kd)``) and channel blockers (picrotoxin: ``1 - Hill
        inhibition``), which act at different sites and multiply.
    ignored_effects
        Declared effects at targets no current consumer uses, e.g. ``"ketamine: HCN1"``.
    """

    gabab_presynaptic_glutamatergic_occupancy: NDArray[np.float64]
    gabab_presynaptic_gabaergic_occupancy: NDArray[np.float64]
    gabab_postsynaptic_occupancy: NDArray[np.float64]
    nmda_glutamate_site_available: NDArray[np.float64]
    nmda_blockers: tuple[OpenChannelBlocker, ...]
    nav_available: NDArray[np.float64]
    ampa_available: NDArray[np.float64]
    gabaa_available: NDArray[np.float64]
    ignored_effects: tuple[str, ...] = ()


def _gabab_occupancy(agonists: list[tuple[NDArray[np.float64], float, float]],
                     antagonists: list[tuple[NDArray[np.float64], float]],
                     shape: tuple[int, ...]) -> NDArray[np.float64]:
    """Total agonist occupancy at one site; several agonists compete (each Hill-weighted)."""
    if not agonists:
        return np.zeros(shape)
    if len(agonists) == 1:
        c, ec50, hill = agonists[0]
        return np.broadcast_to(gaddum_occupancy(c, ec50, hill, antagonists), shape).copy()
    dose_ratio = 1.0 + sum((c / kd for c, kd in antagonists), np.zeros(shape))
    weights = [(c / (ec50 * dose_ratio)) ** hill for c, ec50, hill in agonists]
    total = np.sum(weights, axis=0)
    return total / (1.0 + total)


def drug_effects(compounds_and_concentrations: Iterable[tuple[Compound, ArrayLike]]
                 ) -> DrugEffects:
    """Evaluate the declared effects of compounds at given concentrations.

    Parameters
    ----------
    compounds_and_concentrations
        Pairs ``(compound, concentration [mol/m^3])``; concentrations are scalars or arrays
        (e.g. shape ``(n_times,)`` along a wash-in time course) that broadcast together.

    Returns
    -------
    DrugEffects
        Arrays of the broadcast shape (0-d for scalar input). Several NaV blockers act
        independently (fractions available multiply); several competitive antagonists add
        their c/Kd terms (one site: NMDA glutamate site, AMPA, GABA-A); a GABA-A channel
        blocker multiplies with them.

    Examples
    --------
    >>> from synpharm.compounds import load_compound
    >>> e = drug_effects([(load_compound("d_apv"), 0.05)])  # 50 uM D-APV
    >>> round(float(e.nmda_glutamate_site_available), 3)
    0.027
    """
    pairs = [(compound, np.asarray(c, dtype=float)) for compound, c in compounds_and_concentrations]
    shape = np.broadcast_shapes(*(c.shape for _, c in pairs)) if pairs else ()
    agonists: dict[str, list[tuple[NDArray[np.float64], float, float]]] = {
        site: [] for site in GABAB_AGONIST_SITES}
    gabab_antagonists: list[tuple[NDArray[np.float64], float]] = []
    available = {name: np.ones(shape) for name in ("nmda", "nav", "ampa", "gabaa_site",
                                                   "gabaa_channel")}
    blockers: list[OpenChannelBlocker] = []
    ignored: list[str] = []
    for compound, c in pairs:
        for effect in compound.targets:
            key = (effect.mechanism, effect.target)
            if effect.mechanism == "agonist" and effect.target in agonists:
                agonists[effect.target].append((c, effect.value("ec50"), effect.value("hill")))
            elif key == ("competitive_antagonist", _GABAB_ANTAGONIST_TARGET):
                gabab_antagonists.append((c, effect.value("kd")))
            elif key in _COMPETITIVE_SITES:
                # several antagonists at one site: 1/(1 + sum c/Kd) = 1/(sum of 1/f - (n-1))
                name = _COMPETITIVE_SITES[key]
                available[name] = 1.0 / (1.0 / available[name] + c / effect.value("kd"))
            elif key in _CHANNEL_BLOCKS:
                name = _CHANNEL_BLOCKS[key]
                available[name] = available[name] * (
                    1.0 - hill_inhibition(c, effect.value("ic50"), effect.value("hill")))
            elif key == ("open_channel_blocker", _NMDA_CHANNEL_TARGET):
                blockers.append(OpenChannelBlocker(
                    np.broadcast_to(c, shape).copy(), effect.value("kd_0mV"), effect.value("k_on"),
                    effect.value("voltage_e_fold"), bool(effect.trapping), compound.name))
            else:
                ignored.append(f"{compound.name}: {effect.target} ({effect.mechanism})")
    occupancy = {field: _gabab_occupancy(agonists[site], gabab_antagonists, shape)
                 for site, field in GABAB_AGONIST_SITES.items()}

    def out(values: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.broadcast_to(values, shape).copy()

    return DrugEffects(
        **occupancy,
        nmda_glutamate_site_available=out(available["nmda"]),
        nmda_blockers=tuple(blockers),
        nav_available=out(available["nav"]),
        ampa_available=out(available["ampa"]),
        gabaa_available=out(available["gabaa_site"] * available["gabaa_channel"]),
        ignored_effects=tuple(ignored),
    )


def unsimulated_records(compounds: Mapping[str, Compound]) -> list[dict[str, str]]:
    """Declared effects of ``compounds`` that the model does not simulate, as JSON records."""
    return [e.as_dict() for c in compounds.values() for e in unsimulated_effects(c)]

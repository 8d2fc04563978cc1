"""Pharmacokinetic models as data: the ``[[pharmacokinetics]]`` tables of the compound files.

A table declares one species' linear mammillary model (1-3 compartments, rate constants and a
central volume), the routes with their bioavailability and absorption rate, the sampling sites
(site:plasma ratio at equilibrium and an optional equilibration rate, as for an effect site)
and log-normal between-subject variability. Format::

    [[pharmacokinetics]]
    species = "human"
    compartments = 2
    [pharmacokinetics.central_volume]          # kind "volume" or "volume_per_body_mass"
    value = "21.3 L"; kind = "volume"; source = "..."
    [pharmacokinetics.elimination_rate]        # k10 (also rate_central_to_peripheral k12,
    value = "0.375 /h"; kind = "rate_constant"; source = "..."   # rate_peripheral_to_central
                                               # k21, rate_central_to_deep k13, rate_deep_to_central
                                               # k31 for 2 and 3 compartments)
    [pharmacokinetics.body_mass]  ...          # kind "mass"
    [pharmacokinetics.cv_clearance] ...        # dimensionless, log-normal SD of log
    [pharmacokinetics.cv_volume] ...
    [pharmacokinetics.routes.oral.bioavailability] ...
    [pharmacokinetics.routes.oral.absorption_rate] ...
    [pharmacokinetics.routes.oral.cv_absorption_rate] ...
    [pharmacokinetics.routes.intravenous]      # an empty table: route allowed, F = 1
    [pharmacokinetics.sites.csf.ratio] ...     # dimensionless, site / plasma at equilibrium
    [pharmacokinetics.sites.csf.equilibration_rate] ...   # optional, 1/time

Every number has a unit and exactly one of ``source`` or ``calibrated`` (see
:mod:`synpharm.parameters`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from synpharm.compounds import Compound, load_compound
from synpharm.errors import InputError
from synpharm.parameters import Parameter
from synpharm.units import parse_quantity

__all__ = [
    "PharmacokineticModel",
    "RouteParameters",
    "SiteParameters",
    "SubjectParameters",
    "draw_subjects",
    "pharmacokinetic_model",
    "pharmacokinetic_species",
]

#: rate constants of a mammillary model with 1, 2 or 3 compartments
RATE_NAMES: dict[int, tuple[str, ...]] = {
    1: ("elimination_rate",),
    2: ("elimination_rate", "rate_central_to_peripheral", "rate_peripheral_to_central"),
    3: ("elimination_rate", "rate_central_to_peripheral", "rate_peripheral_to_central",
        "rate_central_to_deep", "rate_deep_to_central"),
}
_MODEL_KEYS = {"species", "compartments", "note", "central_volume", "body_mass", "cv_clearance",
               "cv_volume", "routes", "sites"}
_ROUTE_KEYS = {"bioavailability", "absorption_rate", "cv_absorption_rate", "note"}
_SITE_KEYS = {"ratio", "equilibration_rate", "note"}
_QUANTITY_KEYS = {"value", "kind", "source", "calibrated", "note"}


@dataclass(frozen=True)
class RouteParameters:
    """Absorption by one route; ``absorption_rate`` is None for intravenous administration."""

    route: str
    bioavailability: Parameter | None
    absorption_rate: Parameter | None
    cv_absorption_rate: Parameter | None
    note: str = ""


@dataclass(frozen=True)
class SiteParameters:
    """A sampling site: concentration = ratio x plasma, lagging by ``equilibration_rate``."""

    site: str
    ratio: Parameter
    equilibration_rate: Parameter | None
    note: str = ""


@dataclass(frozen=True)
class PharmacokineticModel:
    """One compound's linear compartment model in one species, every value with provenance.

    Attributes
    ----------
    compound, species
        Canonical compound name and species (``"human"``, ``"mouse"``, ``"rat"``).
    molar_mass
        [kg/mol], from the compound file.
    compartments
        1, 2 or 3 (central, peripheral, deep).
    central_volume
        [m^3], or [m^3/kg] when ``volume_per_body_mass``.
    rates
        Rate constant name -> Parameter [1/s] (see :data:`RATE_NAMES`).
    body_mass
        Reference body mass [kg] (converts between per-kg and absolute doses and volumes).
    cv_clearance, cv_volume
        Between-subject SD of log clearance and log volumes (log-normal).
    routes, sites
        Allowed routes and sampling sites (``"plasma"`` is always present).
    """

    compound: str
    species: str
    molar_mass: float
    compartments: int
    central_volume: Parameter
    volume_per_body_mass: bool
    rates: Mapping[str, Parameter]
    body_mass: Parameter
    cv_clearance: Parameter
    cv_volume: Parameter
    routes: Mapping[str, RouteParameters]
    sites: Mapping[str, SiteParameters]
    note: str = ""

    def parameters(self) -> list[Parameter]:
        """Every number of the model (for citation lists)."""
        found = [self.central_volume, *self.rates.values(), self.body_mass, self.cv_clearance,
                 self.cv_volume]
        for route in self.routes.values():
            found += [p for p in (route.bioavailability, route.absorption_rate,
                                  route.cv_absorption_rate) if p is not None]
        for site in self.sites.values():
            found += [p for p in (site.ratio, site.equilibration_rate) if p is not None]
        return found

    def citations(self) -> dict[str, str]:
        """Parameter name -> citation or calibration tag."""
        return {p.name: p.provenance for p in self.parameters()}


@dataclass(frozen=True)
class SubjectParameters:
    """Individual parameter values of ``n`` subjects, arrays of shape ``(n,)``, SI units.

    ``central_volume`` is absolute [m^3]; rates [1/s] (zero where the model has fewer
    compartments); ``absorption_rate`` and ``bioavailability`` per route.
    """

    model: PharmacokineticModel
    central_volume: NDArray[np.float64]
    body_mass: NDArray[np.float64]
    rates: Mapping[str, NDArray[np.float64]]
    absorption_rate: Mapping[str, NDArray[np.float64]]
    bioavailability: Mapping[str, NDArray[np.float64]]

    @property
    def n_subjects(self) -> int:
        """Number of subjects."""
        return int(self.central_volume.shape[0])


# ----------------------------------------------------------------------------- reading


def _quantity(name: str, table: object, kinds: tuple[str, ...], field: str) -> Parameter:
    if not isinstance(table, dict):
        raise InputError(field, "is not a table", "write value, kind and source (or calibrated)")
    unknown = sorted(set(table) - _QUANTITY_KEYS)
    if unknown:
        raise InputError(field, f"unknown keys {unknown}", f"use only {sorted(_QUANTITY_KEYS)}")
    kind = table.get("kind")
    if kind not in kinds:
        raise InputError(field, f"kind is {kind!r}", f"write kind = one of {list(kinds)}")
    source, calibrated = str(table.get("source", "")).strip(), str(
        table.get("calibrated", "")).strip()
    if bool(source) == bool(calibrated):
        raise InputError(field, "needs exactly one of 'source' or 'calibrated'",
                         "cite the paper, or write calibrated = 'seed: why'")
    if "value" not in table:
        raise InputError(field, "has no 'value'", "add a value with its unit")
    value = parse_quantity(table["value"], kind, field)
    if not value >= 0:
        raise InputError(field, f"{table['value']!r} is negative", "give a value >= 0")
    return Parameter(name=name, value=value, kind=kind, text=str(table["value"]), source=source,
                     calibrated=calibrated, note=str(table.get("note", "")))


def _optional(table: Mapping[str, Any], name: str, kinds: tuple[str, ...], field: str
              ) -> Parameter | None:
    return _quantity(name, table[name], kinds, f"{field}.{name}") if name in table else None


def _route(route: str, table: object, field: str) -> RouteParameters:
    from synpharm.pharmacokinetics._dose import ROUTES

    if route not in ROUTES:
        raise InputError(field, f"unknown route {route!r}", f"use one of: {', '.join(ROUTES)}")
    if not isinstance(table, dict) or set(table) - _ROUTE_KEYS:
        raise InputError(field, "must be a table of bioavailability, absorption_rate, "
                         "cv_absorption_rate", "remove other keys")
    absorption = _optional(table, "absorption_rate", ("rate_constant",), field)
    if (route == "intravenous") != (absorption is None):
        raise InputError(field, "intravenous takes no absorption_rate; other routes need one",
                         "declare absorption_rate for extravascular routes only")
    return RouteParameters(route, _optional(table, "bioavailability", ("dimensionless",), field),
                           absorption,
                           _optional(table, "cv_absorption_rate", ("dimensionless",), field),
                           str(table.get("note", "")))


def _site(site: str, table: object, field: str) -> SiteParameters:
    if not isinstance(table, dict) or set(table) - _SITE_KEYS or "ratio" not in table:
        raise InputError(field, "needs a ratio (and optionally equilibration_rate)",
                         "write [....sites.<name>.ratio]")
    ratio = _quantity("ratio", table["ratio"], ("dimensionless",), f"{field}.ratio")
    rate = _optional(table, "equilibration_rate", ("rate_constant",), field)
    if rate is not None and not rate.value > 0:
        raise InputError(f"{field}.equilibration_rate", "is not positive", "give a rate > 0")
    return SiteParameters(site, ratio, rate, str(table.get("note", "")))


def _model(compound: Compound, table: Mapping[str, Any], field: str) -> PharmacokineticModel:
    unknown = sorted(set(table) - _MODEL_KEYS - set(RATE_NAMES[3]))
    if unknown:
        raise InputError(field, f"unknown keys {unknown}", f"use only {sorted(_MODEL_KEYS)}")
    n = table.get("compartments")
    if n not in RATE_NAMES:
        raise InputError(f"{field}.compartments", f"{n!r} is not 1, 2 or 3", "write 1, 2 or 3")
    extra = sorted(set(RATE_NAMES[3]) - set(RATE_NAMES[n]) & set(table))
    missing = sorted(set(RATE_NAMES[n]) - set(table))
    if extra or missing:
        raise InputError(field, f"a {n}-compartment model needs exactly {list(RATE_NAMES[n])}",
                         f"missing {missing}, remove {extra}")
    rates = {name: _quantity(name, table[name], ("rate_constant",), f"{field}.{name}")
             for name in RATE_NAMES[n]}
    if not rates["elimination_rate"].value > 0 or not all(r.value > 0 for r in rates.values()):
        raise InputError(field, "rate constants must be positive", "give rates > 0")
    volume = _quantity("central_volume", table.get("central_volume"),
                       ("volume", "volume_per_body_mass"), f"{field}.central_volume")
    routes = table.get("routes", {})
    sites = table.get("sites", {})
    if not isinstance(routes, dict) or not routes or not isinstance(sites, dict):
        raise InputError(field, "needs [..routes.<route>] tables and optional sites",
                         "declare at least one route")
    if "plasma" in sites:
        raise InputError(f"{field}.sites", "'plasma' is implicit", "remove sites.plasma")
    site_models = {"plasma": SiteParameters(
        "plasma", Parameter("ratio", 1.0, "dimensionless", "1",
                            source="definition: plasma is the reference site"), None)}
    site_models |= {name: _site(name, entry, f"{field}.sites.{name}")
                    for name, entry in sites.items()}
    return PharmacokineticModel(
        compound=compound.name, species=str(table.get("species", "")).lower(),
        molar_mass=compound.molecular_weight.value, compartments=n, central_volume=volume,
        volume_per_body_mass=volume.kind == "volume_per_body_mass", rates=rates,
        body_mass=_quantity("body_mass", table.get("body_mass"), ("mass",), f"{field}.body_mass"),
        cv_clearance=_quantity("cv_clearance", table.get("cv_clearance"), ("dimensionless",),
                               f"{field}.cv_clearance"),
        cv_volume=_quantity("cv_volume", table.get("cv_volume"), ("dimensionless",),
                            f"{field}.cv_volume"),
        routes={name: _route(name, entry, f"{field}.routes.{name}")
                for name, entry in routes.items()},
        sites=site_models, note=str(table.get("note", "")))


def pharmacokinetic_species(compound: str | Compound) -> list[str]:
    """Species with a pharmacokinetic model for ``compound``."""
    found = compound if isinstance(compound, Compound) else load_compound(compound)
    return [str(table.get("species", "")).lower() for table in found.pharmacokinetics]


def pharmacokinetic_model(compound: str | Compound, species: str) -> PharmacokineticModel:
    """The validated model of ``compound`` in ``species``.

    Raises
    ------
    InputError
        Unknown compound, no model for the species, or an invalid ``[[pharmacokinetics]]`` table.
    """
    found = compound if isinstance(compound, Compound) else load_compound(compound)
    wanted = str(species).strip().lower()
    for index, table in enumerate(found.pharmacokinetics):
        if str(table.get("species", "")).lower() == wanted:
            return _model(found, table, f"{found.name}.pharmacokinetics[{index}]")
    available = pharmacokinetic_species(found)
    raise InputError("species", f"no pharmacokinetic model of {found.name} in {species!r}",
                     f"use one of: {', '.join(available) or '(none declared)'}")


# ----------------------------------------------------------------------------- subjects


def _lognormal(rng: np.random.Generator | None, cv: float, n: int) -> NDArray[np.float64]:
    """Multiplicative factors exp(eta), eta ~ N(-s^2/2, s^2) with s^2 = log(1 + cv^2) (mean 1)."""
    if rng is None or cv == 0:
        return np.ones(n)
    sigma = np.sqrt(np.log1p(cv**2))
    return np.exp(rng.normal(-0.5 * sigma**2, sigma, n))


def draw_subjects(model: PharmacokineticModel, n: int | None = None,
                  rng: np.random.Generator | None = None) -> SubjectParameters:
    """Individual parameters: the typical subject (``rng`` None) or ``n`` log-normal draws.

    Volumes are scaled by one factor per subject (CV ``cv_volume``), elimination clearance by
    another (CV ``cv_clearance``); intercompartmental clearances scale with the volumes, so the
    distribution rate constants are shared and the elimination rate constant is
    k10 x f_CL / f_V. Absorption rates vary with ``cv_absorption_rate`` of each route.
    Coefficients of variation are converted to log-normal SDs, mean factor 1.

    Parameters
    ----------
    model
        From :func:`pharmacokinetic_model`.
    n
        Number of subjects (default 1).
    rng
        Generator for the draws; None gives ``n`` copies of the typical subject.
    """
    n = 1 if n is None else int(n)
    if n < 1:
        raise InputError("subjects", f"{n} is not a positive number of subjects", "give >= 1")
    f_volume = _lognormal(rng, model.cv_volume.value, n)
    f_clearance = _lognormal(rng, model.cv_clearance.value, n)
    body_mass = np.full(n, model.body_mass.value)
    volume = model.central_volume.value * (body_mass if model.volume_per_body_mass else 1.0)
    rates = {name: np.full(n, p.value) for name, p in model.rates.items()}
    rates["elimination_rate"] = rates["elimination_rate"] * f_clearance / f_volume
    absorption, bioavailability = {}, {}
    for name, route in model.routes.items():
        f = route.bioavailability.value if route.bioavailability is not None else 1.0
        bioavailability[name] = np.full(n, f)
        if route.absorption_rate is not None:
            cv = route.cv_absorption_rate.value if route.cv_absorption_rate is not None else 0.0
            absorption[name] = route.absorption_rate.value * _lognormal(rng, cv, n)
    return SubjectParameters(model=model, central_volume=volume * f_volume, body_mass=body_mass,
                             rates=rates, absorption_rate=absorption,
                             bioavailability=bioavailability)

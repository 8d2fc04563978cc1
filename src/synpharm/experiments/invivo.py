"""In-vivo dosing studies: dose -> brain exposure -> signalling -> spines -> function.

Study kind ``"invivo_dosing"``. Arms of animals (species, condition such as CSDS or FSL, doses,
signalling ablations) are followed on one study clock (0 = first dose). Readouts are those of
the papers: longitudinal two-photon imaging of the same dendrite segments (density,
formation and elimination between sessions), endpoint Golgi histology of a separate cohort
(density, thin/stubby/mushroom fractions) and ex-vivo CA1 slice LTP at a time after dosing.

The layers are composed, never re-implemented: :mod:`synpharm.pharmacokinetics` (brain
concentration), :mod:`synpharm.signaling` (synaptic protein, BDNF; 1 = baseline),
:mod:`synpharm.structure` (spines) and, for slices, :func:`synpharm.experiments.slice.run_protocol`
on the
CA1 slice preparation whose parameters carry the synaptic state of the dosed animal
(:func:`exvivo_slice_parameters`: AMPA and NMDA receptor content and late-phase capture scale
with the synaptic protein, ``synaptic_protein_coupling.toml``; the condition's own changes come
from ``conditions_<name>.toml``). The drug itself is gone from the slice (prepared and perfused
in drug-free aCSF), so only its delayed effects remain.

TOML::

    [study]
    kind = "invivo_dosing"
    name = "ket_spines_mpfc_14d"
    species = "mouse"
    region = "mpfc"              # signalling region (drive_from_concentrations)
    spines = "mouse_mpfc_l5"     # spine parameter set (imaging, golgi)
    cohort = 20                  # animals per arm
    seed = 0
    segments_per_animal = 4

    [[arms]]
    name = "saline"

    [[arms]]
    name = "ketamine"
    condition = "healthy"        # or "csds_susceptible", "fsl"
    doses = [{compound = "ketamine", dose = "10 mg/kg i.p.", time = "0 h"}]

    [imaging]                    # conditions "<arm> <session>"
    sessions = ["0 h", "6 h", "12 h", "1 d", "2 d", "7 d", "14 d"]

    [golgi]                      # conditions "<arm> golgi <time>" (a separate, terminal cohort)
    times = ["24 h"]
    segments_per_animal = 15     # optional: segments counted per animal (default: the study's)

    [slice_ltp]                  # conditions "<arm> slice"
    time = "24 h"
    protocol = "control_ltp"
    region = "ca1"
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np

from synpharm.errors import InputError
from synpharm.experiments._chain import (
    DoseEvent,
    Layers,
    brain_exposure,
    parse_dose_events,
    signaling_course,
)
from synpharm.parameters import ParameterSet, load_parameter_set, package_parameter_file
from synpharm.units import parse_quantity

__all__ = [
    "CONDITION_FILES",
    "InVivoArm",
    "InVivoStudy",
    "build_invivo_study",
    "exvivo_slice_parameters",
    "study_time_grid",
]

HOUR, DAY = 3600.0, 86400.0
#: condition -> parameter file with its non-spine changes (None: nothing outside the spines)
CONDITION_FILES: dict[str, str | None] = {
    "healthy": None,
    "csds_susceptible": "conditions_csds_mouse",
    "fsl": None,
}
_STUDY_KEYS = {
    "kind", "name", "description", "species", "region", "spines", "cohort", "seed",
    "segments_per_animal", "site",
}
_TABLES = {"study", "arms", "imaging", "golgi", "slice_ltp"}


@dataclass(frozen=True)
class InVivoArm:
    """A group of animals: condition, doses and signalling ablations."""

    name: str
    condition: str = "healthy"
    doses: tuple[DoseEvent, ...] = ()
    ablations: tuple[str, ...] = ()
    #: (compound, brain concentration [mol/m^3]) held constant (pretreatment at steady state)
    brain_concentrations: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class SliceAssay:
    """Ex-vivo CA1 slice LTP: ``protocol`` run on slices prepared at ``time`` after dosing."""

    time: float
    protocol: str = "control_ltp"
    region: str = "ca1"


@lru_cache(maxsize=8)
def _parameter_file(name: str) -> ParameterSet:
    return load_parameter_set(package_parameter_file(name))


def condition_parameters(name: str) -> ParameterSet | None:
    """The non-spine parameter changes of a condition (None for none)."""
    file = CONDITION_FILES[name]
    return None if file is None else _parameter_file(file)


def _content(protein: float, coupling: float) -> float:
    return max(0.0, 1.0 + coupling * (protein - 1.0))


def exvivo_slice_parameters(
    base: ParameterSet,
    synaptic_protein: float,
    condition: ParameterSet | None = None,
    coupling: ParameterSet | None = None,
) -> ParameterSet:
    """CA1 slice parameters of an animal with the given synaptic-protein level.

    Parameters
    ----------
    base
        The healthy slice (``ca1_slice.toml``).
    synaptic_protein
        Synaptic protein of the animal when the slice is prepared (1 = baseline).
    condition
        The animal's condition (``conditions_*.toml``): ``nmda_content_factor_ca1``, if present,
        scales the NMDA receptor content.
    coupling
        ``synaptic_protein_coupling.toml`` (default: the shipped file).

    Returns
    -------
    ParameterSet
        ``quantal_conductance`` and ``field_gain`` (AMPA content: current and field per quantum)
        scaled by ``1 + k_ampa (P - 1)``; NMDA conductance (via ``nmda_to_ampa_conductance_ratio``)
        and NMDA Ca2+ influx (``calcium_per_open_nmda_synapse``) by the NMDA content
        ``f_condition (1 + k_nmda (P - 1))``; ``late_phase_time_constant`` divided by
        ``1 + k_capture (P - 1)`` (capture needs plasticity-related protein).
    """
    coupling = coupling or _parameter_file("synaptic_protein_coupling")
    ampa = _content(synaptic_protein, coupling["ampa_content_per_synaptic_protein"])
    nmda = _content(synaptic_protein, coupling["nmda_content_per_synaptic_protein"])
    if condition is not None and "nmda_content_factor_ca1" in condition:
        nmda *= condition["nmda_content_factor_ca1"]
    capture = _content(synaptic_protein, coupling["capture_rate_per_synaptic_protein"])
    if ampa <= 0.0 or capture <= 0.0:
        raise InputError("synaptic_protein", f"{synaptic_protein:g} leaves no AMPA content",
                         "check the signalling output")
    return base.with_values(
        quantal_conductance=base["quantal_conductance"] * ampa,
        field_gain=base["field_gain"] * ampa,
        nmda_to_ampa_conductance_ratio=base["nmda_to_ampa_conductance_ratio"] * nmda / ampa,
        calcium_per_open_nmda_synapse=base["calcium_per_open_nmda_synapse"] * nmda,
        late_phase_time_constant=base["late_phase_time_constant"] / capture,
    )


def study_time_grid(events: list[float], first_dose: float = 0.0) -> np.ndarray:
    """Time grid [s] for the slow layers: 10-min steps over the first two days after the first
    dose, hourly afterwards, plus every event time (sessions, endpoints), sorted and unique."""
    start = min([first_dose, *events])
    end = max([first_dose + HOUR, *events])
    dense_end = min(end, first_dose + 2 * DAY)
    parts = [np.array(events, dtype=float), np.arange(first_dose, dense_end, 600.0)]
    if end > dense_end:
        parts.append(np.arange(dense_end, end, HOUR))
    parts.append(np.array([start, end]))
    return np.unique(np.concatenate(parts))


@dataclass(frozen=True)
class InVivoStudy:
    """An in-vivo dosing study read from TOML (see the module docstring)."""

    kind: ClassVar[str] = "invivo_dosing"
    name: str
    description: str
    arms: tuple[InVivoArm, ...]
    species: str = "mouse"
    region: str = "mpfc"
    spines: str | None = None
    cohort: int = 10
    seed: int = 0
    segments_per_animal: int = 4
    site: str = "brain"
    sessions: tuple[tuple[str, float], ...] = ()
    golgi_times: tuple[tuple[str, float], ...] = ()
    golgi_segments_per_animal: int | None = None
    slice_ltp: SliceAssay | None = None
    source: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return self.source or {"study": {"kind": "invivo_dosing", "name": self.name}}


def arm_course(study: InVivoStudy, arm: InVivoArm, times: np.ndarray, layers: Layers,
               region: str | None = None) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Brain concentrations and signalling species of an arm on ``times`` (1 = baseline).

    Arms without doses or ablations keep every species at baseline without calling the
    signalling layer.
    """
    concentrations = brain_exposure(layers, arm.doses, study.species, times, study.site)
    for compound, level in arm.brain_concentrations:
        held = np.full(times.shape, level)
        concentrations[compound] = concentrations.get(compound, 0.0) + held
    if not concentrations and not arm.ablations:
        ones = np.ones_like(times)
        return concentrations, {"synaptic_protein": ones, "bdnf": ones, "erk_active": ones}
    species = signaling_course(
        layers, concentrations, times, region or study.region, arm.ablations
    )
    return concentrations, species


def provenance(study: InVivoStudy, n: int, seed: int) -> dict[str, Any]:
    """Versions, cohort, seed, the study digest and the citations of the parameters used."""
    from synpharm._version import __version__

    cited = {
        f"synaptic_protein_coupling.{k}": v
        for k, v in _parameter_file("synaptic_protein_coupling").citations().items()
    }
    for name in sorted({a.condition for a in study.arms}):
        params = condition_parameters(name)
        if params is not None:
            cited |= {f"{params.name}.{k}": v for k, v in params.citations().items()}
    text = json.dumps(study.to_dict(), sort_keys=True, default=str)
    return {
        "synpharm": __version__,
        "study_kind": "invivo_dosing",
        "cohort": n,
        "seed": seed,
        "protocol_sha": hashlib.sha256(text.encode()).hexdigest()[:16],
        "parameters": cited,
    }


# ---------------------------------------------------------------- reading the TOML


def _int(value: Any, field_name: str, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InputError(field_name, f"{value!r} is not an integer >= {minimum}",
                         f"give e.g. {max(minimum, 4)}")
    return value


def _arm(item: Any, k: int) -> InVivoArm:
    where = f"arms[{k}]"
    if not isinstance(item, Mapping) or not isinstance(item.get("name"), str) or not item["name"]:
        raise InputError(f"{where}.name", "is missing", "name every arm")
    unknown = set(item) - {"name", "condition", "doses", "ablations", "brain_concentrations"}
    if unknown:
        raise InputError(where, f"unknown keys {sorted(unknown)}",
                         "use name, condition, doses, ablations, brain_concentrations")
    name = item.get("condition", "healthy")
    if not isinstance(name, str) or name not in CONDITION_FILES:
        raise InputError(f"{where}.condition", f"unknown condition {name!r}",
                         f"use one of: {', '.join(CONDITION_FILES)}")
    ablations = item.get("ablations", [])
    if not isinstance(ablations, list) or not all(isinstance(a, str) for a in ablations):
        raise InputError(f"{where}.ablations", "is not a list of names",
                         "give e.g. ['creb_to_bdnf']")
    doses = parse_dose_events(item.get("doses"), f"{where}.doses")
    held = _brain_concentrations(item.get("brain_concentrations"),
                                 f"{where}.brain_concentrations")
    return InVivoArm(item["name"], name, doses, tuple(ablations), held)


def _brain_concentrations(items: Any, where: str) -> tuple[tuple[str, float], ...]:
    """``[{compound, concentration}]`` tables: brain levels held constant (e.g. rapamycin)."""
    if items is None:
        return ()
    if not isinstance(items, list):
        raise InputError(where, "is not a list of tables",
                         "write e.g. [{ compound = 'rapamycin', concentration = '100 nM' }]")
    out = []
    for k, item in enumerate(items):
        here = f"{where}[{k}]"
        if not isinstance(item, Mapping) or set(item) != {"compound", "concentration"}:
            raise InputError(here, "needs exactly compound and concentration",
                             "write { compound = 'rapamycin', concentration = '100 nM' }")
        if not isinstance(item["compound"], str) or not item["compound"]:
            raise InputError(f"{here}.compound", "is missing", "name a compound, e.g. rapamycin")
        level = parse_quantity(item["concentration"], "concentration", f"{here}.concentration")
        if not level >= 0:
            raise InputError(f"{here}.concentration", f"{level!r} is negative", "give >= 0")
        out.append((item["compound"], float(level)))
    return tuple(out)


def _times(table: Any, key: str, where: str) -> tuple[tuple[str, float], ...]:
    if table is None:
        return ()
    if not isinstance(table, Mapping) or set(table) - {key}:
        raise InputError(where, f"must hold only '{key}'", f"write {key} = ['1 d', ...]")
    items = table.get(key)
    if not isinstance(items, list) or not items:
        raise InputError(f"{where}.{key}", "needs a list of times", "e.g. ['0 h', '1 d']")
    out = [(str(t), parse_quantity(t, "time", f"{where}.{key}[{i}]")) for i, t in enumerate(items)]
    values = [v for _, v in out]
    if values != sorted(set(values)):
        raise InputError(f"{where}.{key}", "times must increase", "list them in order")
    return tuple(out)


def _golgi(table: Any) -> tuple[tuple[tuple[str, float], ...], int | None]:
    """``[golgi]``: ``times`` and optionally ``segments_per_animal`` (Golgi counts cover more
    dendrite per animal than a few two-photon fields)."""
    if not isinstance(table, Mapping) or "segments_per_animal" not in table:
        return _times(table, "times", "golgi"), None
    unknown = sorted(set(table) - {"times", "segments_per_animal"})
    if unknown:
        raise InputError("golgi", f"unknown keys {unknown}", "use times and segments_per_animal")
    rest = {k: v for k, v in table.items() if k != "segments_per_animal"}
    segments = _int(table["segments_per_animal"], "golgi.segments_per_animal", 1)
    return _times(rest, "times", "golgi"), segments


def _slice_assay(table: Any) -> SliceAssay | None:
    if table is None:
        return None
    if not isinstance(table, Mapping) or set(table) - {"time", "protocol", "region"}:
        raise InputError("slice_ltp", "unknown keys", "use time, protocol, region")
    time = parse_quantity(table.get("time", "24 h"), "time", "slice_ltp.time")
    protocol = table.get("protocol", "control_ltp")
    from synpharm.protocols.library import library_protocol_path

    if not isinstance(protocol, str) or library_protocol_path(protocol) is None:
        raise InputError("slice_ltp.protocol", f"no library protocol {protocol!r}",
                         "name a protocol listed by 'synpharm protocols'")
    return SliceAssay(time, protocol, str(table.get("region", "ca1")))


def build_invivo_study(data: Mapping[str, Any], source: str = "<dict>") -> InVivoStudy:
    """Build an :class:`InVivoStudy` from its TOML mapping (``STUDY_KINDS`` entry)."""
    unknown = set(data) - _TABLES
    if unknown:
        raise InputError(source, f"unknown tables {sorted(unknown)}",
                         f"use: {', '.join(sorted(_TABLES))}")
    table = dict(data["study"])
    if set(table) - _STUDY_KEYS:
        raise InputError("study", f"unknown keys {sorted(set(table) - _STUDY_KEYS)}",
                         f"use: {', '.join(sorted(_STUDY_KEYS))}")
    name = table.get("name")
    if not isinstance(name, str) or not name:
        raise InputError("study.name", "is missing", "name the study")
    items = data.get("arms")
    if not isinstance(items, list) or not items:
        raise InputError("arms", f"no [[arms]] (in {source})", "add at least one arm")
    arms = tuple(_arm(item, k) for k, item in enumerate(items))
    if len({a.name for a in arms}) != len(arms):
        raise InputError("arms", "two arms have the same name", "give every arm its own name")
    sessions = _times(data.get("imaging"), "sessions", "imaging")
    golgi, golgi_segments = _golgi(data.get("golgi"))
    spines = table.get("spines")
    if (sessions or golgi) and not isinstance(spines, str):
        raise InputError("study.spines", "is missing", "name a spine set, e.g. 'mouse_mpfc_l5'")
    return InVivoStudy(
        name=name,
        description=str(table.get("description", "")),
        arms=arms,
        species=str(table.get("species", "mouse")),
        region=str(table.get("region", "mpfc")),
        spines=spines,
        cohort=_int(table.get("cohort", 10), "study.cohort", 2),
        seed=_int(table.get("seed", 0), "study.seed", 0),
        segments_per_animal=_int(table.get("segments_per_animal", 4),
                                 "study.segments_per_animal", 1),
        site=str(table.get("site", "brain")),
        sessions=sessions,
        golgi_times=golgi,
        golgi_segments_per_animal=golgi_segments,
        slice_ltp=_slice_assay(data.get("slice_ltp")),
        source=json.loads(json.dumps(dict(data), default=str)),
    )

"""A virtual experiment as data: experiment settings, conditions and steps, read from TOML."""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

from synpharm.errors import InputError
from synpharm.protocols._bath import Bath, bath_dict, parse_bath
from synpharm.protocols._step_parsing import parse_drugs, parse_step
from synpharm.protocols._steps import (
    STEP_TYPES,
    Condition,
    Drug,
    InputOutput,
    PairedPulse,
    Step,
    Train,
    WashIn,
    WashOut,
    format_value,
    within,
)
from synpharm.safety import check_printable, loads_toml, read_input_bytes
from synpharm.units import parse_quantity

__all__ = ["Protocol", "check_stimulation_rate", "read_toml"]

_EXPERIMENT_KEYS = ("name", "description", "preparation", "cohort", "seed", "test_intensity",
                    "bath", "recording_site")
#: where the field electrode sits (synpharm.experiments.slice)
RECORDING_SITES = ("stratum_radiatum", "stratum_pyramidale")
_SECTIONS = ("experiment", "conditions", "condition_series", "steps", "preparation", "compounds")
_QUANTITY_KINDS = {
    "duration": "time",
    "test_rate": "frequency",
    "exchange_time": "time",
    "frequency": "frequency",
    "interval": "time",
    "burst_rate": "frequency",
    "rate": "frequency",
}


def _variant(spec: object, settings: dict[str, Any]) -> Any:
    """Check the shape of a ``[preparation]`` table (its contents are checked when it is built);
    its ``base`` becomes ``experiment.preparation`` (the two must not disagree)."""
    if spec is None:
        return None
    if isinstance(spec, str):
        return spec
    if not isinstance(spec, Mapping) or not isinstance(spec.get("base"), str):
        raise InputError("preparation", "is not a [preparation] table with a base",
                         "write base = 'ca1_slice' (or preparation = 'variant.toml')")
    named = settings.get("preparation")
    if named is not None and named != spec["base"]:
        raise InputError("experiment.preparation", f"{named!r} differs from preparation.base "
                         f"{spec['base']!r}", "name the preparation once, in [preparation]")
    if not spec["base"].endswith(".toml"):
        settings["preparation"] = spec["base"]
    return dict(spec)


def _compound_path(table: object) -> tuple[str, ...]:
    """``[compounds] path = ["folder", ...]``: folders with user compound files."""
    if table is None:
        return ()
    if not isinstance(table, Mapping) or set(table) != {"path"}:
        raise InputError("compounds", "is not a table with only 'path'",
                         "write [compounds] path = ['my_compounds']")
    path = table["path"]
    path = [path] if isinstance(path, str) else path
    if not isinstance(path, list) or not all(isinstance(p, str) and p for p in path):
        raise InputError("compounds.path", f"{path!r} is not a list of folders",
                         "write path = ['my_compounds']")
    return tuple(path)


def _integer(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(name, f"{value!r} is not a whole number", "give an integer such as 12")
    if value < minimum:
        raise InputError(
            name, f"must be at least {minimum}, got {value}", f"give an integer >= {minimum}"
        )
    return value


def _text(value: object, name: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise InputError(name, f"{value!r} is not a non-empty string", f"give {name} as text")
    return value


def read_toml(path: str | Path) -> dict[str, Any]:
    """A TOML document; bad encoding or syntax is an :class:`InputError` naming the file.

    Raises :class:`FileNotFoundError` if the file does not exist.
    """
    path = Path(path)
    raw = read_input_bytes(path)
    try:
        data = loads_toml(raw.decode("utf-8"), str(path))
    except UnicodeDecodeError as error:
        raise InputError(
            str(path), f"is not UTF-8 text ({error.reason})", "save the file as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(
            str(path), f"is not valid TOML ({_toml_problem(error)})", "fix the TOML syntax"
        ) from None
    return data


@dataclass(frozen=True)
class Protocol:
    """A virtual slice experiment: who is tested (conditions) and what is done (steps).

    Parameters
    ----------
    name
        Short name, also the default output folder (``out/<name>``); no ``/``.
    description
        Free text.
    preparation
        Preparation model name, e.g. ``"ca1_slice"``.
    cohort
        Slices per condition (>= 1).
    seed
        Seed of the virtual cohort (>= 0).
    test_intensity
        Test stimulus intensity as a fraction of the maximal stimulus, in (0, 1].
    recording_site
        Where the field electrode sits: ``"stratum_radiatum"`` (dendritic layer: fEPSP) or
        ``"stratum_pyramidale"`` (cell-body layer: positive-going fEPSP and the population
        spike; the fEPSP slope is still read from a dendritic electrode, the two-electrode
        arrangement of Andersen et al. 1980).
    conditions
        The arms of the experiment; empty means one ``Condition("control")``.
    steps
        The steps in order; at least one.
    bath
        ACSF Ca2+, Mg2+ and temperature of every condition (``[experiment.bath]``); a
        condition's own ``bath`` overrides it field by field, and unset fields mean the
        preparation's reference ACSF (:meth:`condition_bath`).

    Examples
    --------
    >>> p = Protocol.from_dict({
    ...     "experiment": {"name": "demo"},
    ...     "steps": [{"type": "baseline", "duration": "10 min", "test_rate": "0.05 Hz"}],
    ... })
    >>> p.conditions[0].name, p.steps[0].duration
    ('control', 600.0)
    """

    #: experiment kind (:data:`synpharm.experiments.KINDS`)
    kind: ClassVar[str] = "slice_protocol"
    name: str
    description: str = ""
    preparation: str = "ca1_slice"
    cohort: int = 12
    seed: int = 0
    test_intensity: float = 0.5
    recording_site: str = "stratum_radiatum"
    conditions: tuple[Condition, ...] = ()
    steps: tuple[Step, ...] = ()
    bath: Bath = field(default_factory=Bath)
    #: ``[preparation]`` table or variant-file path (synpharm.preparations.variants), if any
    preparation_variant: Any = field(default=None, hash=False)
    #: ``[compounds] path``: folders with user compound files, relative to ``folder``
    compound_path: tuple[str, ...] = ()
    #: folder of the protocol file (variant files and compound paths are relative to it)
    folder: str | None = field(default=None, compare=False, hash=False)
    #: the protocol file, when read from one (named in errors about its variant)
    source_file: str | None = field(default=None, compare=False, hash=False)

    @property
    def compound_search(self) -> tuple[Path, ...]:
        """Folders searched for user compounds: the protocol's folder, then ``[compounds]``."""
        base = Path(self.folder) if self.folder else Path(".")
        return (base, *(base / p for p in self.compound_path))

    def __post_init__(self) -> None:
        check_printable(_text(self.name, "name"), "name")
        if "/" in self.name or "\\" in self.name:
            raise InputError(
                "name", f"{self.name!r} contains a path separator", "use a name without '/' or '\\'"
            )
        _text(self.description, "description", empty=True)
        _text(self.preparation, "preparation")
        _integer(self.cohort, "cohort", 1)
        _integer(self.seed, "seed", 0)
        intensity = self.test_intensity
        if (
            isinstance(intensity, bool)
            or not isinstance(intensity, int | float)
            or not (math.isfinite(intensity) and 0 < intensity <= 1)
        ):
            raise InputError(
                "test_intensity",
                f"must be a fraction in (0, 1], got {intensity!r}",
                "give a value such as 0.5",
            )
        object.__setattr__(self, "test_intensity", float(intensity))
        if not isinstance(self.bath, Bath):
            raise InputError("bath", f"{self.bath!r} is not a Bath", "give a Bath(...)")
        if self.recording_site not in RECORDING_SITES:
            raise InputError(
                "recording_site",
                f"{self.recording_site!r} is not a recording site",
                f"use one of {', '.join(map(repr, RECORDING_SITES))}",
            )
        conditions = tuple(self.conditions) or (Condition("control"),)
        object.__setattr__(self, "conditions", conditions)
        seen: set[str] = set()
        for i, condition in enumerate(conditions):
            if condition.name in seen:
                raise InputError(
                    f"conditions[{i}].name",
                    f"duplicate condition name {condition.name!r}",
                    "give every condition a unique name",
                )
            seen.add(condition.name)
        object.__setattr__(self, "steps", tuple(self.steps))
        if not self.steps:
            raise InputError(
                "steps",
                "a protocol needs at least one step",
                "add [[steps]] tables, e.g. type = 'baseline'",
            )
        for i, step in enumerate(self.steps):
            if not isinstance(step, tuple(STEP_TYPES.values())):
                raise InputError(
                    f"steps[{i}]",
                    f"{step!r} is not a protocol step",
                    f"use one of {', '.join(STEP_TYPES)}",
                )

    # ------------------------------------------------------------------ reading
    @classmethod
    def from_toml(cls, path: str | Path) -> Protocol:
        """Read a protocol file; raises :class:`FileNotFoundError` if it does not exist."""
        data = read_toml(path)
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<dict>") -> Protocol:
        """Build a protocol from the TOML document structure (tables, arrays of tables)."""
        if not isinstance(data, Mapping):
            raise InputError(
                source,
                "is not a table of protocol sections",
                "write [experiment] and [[steps]] tables",
            )
        unknown = sorted(set(data) - set(_SECTIONS))
        if unknown:
            raise InputError(
                unknown[0],
                f"is not a protocol section (in {source})",
                f"use {', '.join(_SECTIONS)}",
            )
        settings = _experiment(data.get("experiment"))
        conditions = _conditions(data.get("conditions", []))
        conditions += _condition_series(data.get("condition_series", []))
        steps_data = data.get("steps", [])
        if not isinstance(steps_data, list):
            raise InputError("steps", "is not an array of tables", "write [[steps]] tables")
        steps = tuple(parse_step(table, i) for i, table in enumerate(steps_data))
        variant = _variant(data.get("preparation"), settings)
        is_file = Path(source).is_file()
        folder = str(Path(source).parent) if is_file else None
        try:
            return cls(**settings, conditions=conditions, steps=steps,
                       preparation_variant=variant, folder=folder,
                       source_file=source if is_file else None,
                       compound_path=_compound_path(data.get("compounds")))
        except InputError as error:
            if error.field in _EXPERIMENT_KEYS:
                raise within("experiment", error) from None
            raise

    def condition_bath(self, condition: Condition) -> Bath:
        """The ACSF of ``condition``: its own fields over ``[experiment.bath]`` (unset = the
        preparation's reference ACSF)."""
        return condition.bath.over(self.bath)

    # ------------------------------------------------------------------ writing
    def compound_names(self) -> set[str]:
        """Every compound named (names, aliases or file paths): conditions, wash-ins, wash-outs."""
        names = {d.compound for c in self.conditions for d in c.drugs}
        for step in self.steps:
            if isinstance(step, WashIn):
                names.update(d.compound for d in step.drugs or ())
            elif isinstance(step, WashOut):
                names.update(step.compounds or ())
        return names

    def to_dict(self) -> dict[str, Any]:
        """The TOML document structure; ``Protocol.from_dict(p.to_dict()) == p``."""
        experiment = {key: getattr(self, key) for key in _EXPERIMENT_KEYS if key != "bath"}
        if not self.bath.is_empty:
            experiment["bath"] = bath_dict(self.bath)
        if self.recording_site == RECORDING_SITES[0]:
            del experiment["recording_site"]  # the default: protocols without it stay unchanged
        document = {
            "experiment": experiment,
            "conditions": [_condition_dict(c) for c in self.conditions],
            "steps": [_step_dict(step) for step in self.steps],
        }
        if self.preparation_variant is not None:
            document["preparation"] = self.preparation_variant
        if self.compound_path:
            document["compounds"] = {"path": list(self.compound_path)}
        return document

    def to_toml(self) -> str:
        """The protocol as TOML text that :meth:`from_toml` reads back to an equal protocol."""
        import tomli_w

        return tomli_w.dumps(self.to_dict())


def check_stimulation_rate(protocol: Protocol, max_frequency: float) -> None:
    """Raise :class:`InputError` if a step stimulates faster than ``max_frequency`` [Hz].

    Checks train frequencies and paired-pulse intervals (as 1 / interval). The engine calls
    this with the highest rate its time step resolves.
    """
    limit = format_value(max_frequency, "frequency")
    for i, step in enumerate(protocol.steps):
        if isinstance(step, Train) and step.frequency > max_frequency:
            raise InputError(
                f"steps[{i}].frequency",
                f"{format_value(step.frequency, 'frequency')} is faster than the "
                f"integration allows (max {limit})",
                "lower the train frequency",
            )
        if isinstance(step, PairedPulse) and 1 / step.interval > max_frequency:
            raise InputError(
                f"steps[{i}].interval",
                f"{format_value(step.interval, 'time')} is shorter than the "
                f"integration allows (max {limit})",
                "lengthen the paired-pulse interval",
            )


def _toml_problem(error: tomllib.TOMLDecodeError) -> str:
    message = str(error)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if match is None:
        return message
    text = message[: match.start()].strip()
    return f"line {match.group(1)}, column {match.group(2)}: {text}"


def _experiment(table: object) -> dict[str, Any]:
    if table is None:
        raise InputError("experiment", "is missing", "add an [experiment] table with a name")
    if not isinstance(table, dict):
        raise InputError("experiment", "is not a table", "write [experiment] with name = '...'")
    unknown = sorted(set(table) - set(_EXPERIMENT_KEYS))
    if unknown:
        raise InputError(
            "experiment",
            f"unknown key(s) {', '.join(map(repr, unknown))}",
            f"allowed keys: {', '.join(_EXPERIMENT_KEYS)}",
        )
    if "name" not in table:
        raise InputError("experiment.name", "is missing", "add name = '...' to [experiment]")
    settings = dict(table)
    if "bath" in settings:
        settings["bath"] = parse_bath(settings["bath"], "experiment.bath")
    return settings


def _conditions(items: object) -> tuple[Condition, ...]:
    if not isinstance(items, list):
        raise InputError("conditions", "is not an array of tables", "write [[conditions]] tables")
    conditions = []
    for i, table in enumerate(items):
        where = f"conditions[{i}]"
        if not isinstance(table, dict):
            raise InputError(where, f"{table!r} is not a table", "write [[conditions]] tables")
        unknown = sorted(set(table) - {"name", "compound", "concentration", "drugs", "bath"})
        if unknown:
            raise InputError(
                where,
                f"unknown key(s) {', '.join(map(repr, unknown))}",
                "allowed keys: name, compound, concentration, drugs, bath",
            )
        drugs = parse_drugs(table, where) or ()
        name = table.get("name", _default_name(table, drugs))
        bath = parse_bath(table["bath"], f"{where}.bath") if "bath" in table else Bath()
        try:
            conditions.append(Condition(name, drugs, bath))
        except InputError as error:
            raise within(where, error) from None
    return tuple(conditions)


def _default_name(table: Mapping[str, Any], drugs: tuple[Drug, ...]) -> str:
    if not drugs:
        return "control"
    if "compound" in table:
        return f"{table['compound']} {table['concentration']}"
    return " + ".join(f"{d['compound']} {d['concentration']}" for d in table["drugs"])


def _condition_series(items: object) -> tuple[Condition, ...]:
    if not isinstance(items, list):
        raise InputError(
            "condition_series", "is not an array of tables", "write [[condition_series]] tables"
        )
    conditions = []
    for i, table in enumerate(items):
        where = f"condition_series[{i}]"
        if not isinstance(table, dict):
            raise InputError(
                where, f"{table!r} is not a table", "write [[condition_series]] tables"
            )
        unknown = sorted(set(table) - {"compound", "concentrations"})
        missing = [key for key in ("compound", "concentrations") if key not in table]
        if unknown or missing:
            problem = (
                f"unknown key(s) {', '.join(map(repr, unknown))}"
                if unknown
                else f"{missing[0]} is missing"
            )
            raise InputError(where, problem, "give compound and concentrations")
        values = table["concentrations"]
        if not isinstance(values, list) or not values:
            raise InputError(
                f"{where}.concentrations",
                f"{values!r} is not a non-empty list",
                "give a list such as ['3 uM', '10 uM']",
            )
        for j, text in enumerate(values):
            name = f"{where}.concentrations[{j}]"
            concentration = parse_quantity(text, "concentration", name)
            try:
                parsed = Drug(table["compound"], concentration)
            except InputError as error:
                field = name if error.field == "concentration" else f"{where}.compound"
                raise InputError(field, error.problem, error.fix) from None
            conditions.append(Condition(f"{table['compound']} {text}", (parsed,)))
    return tuple(conditions)


def _condition_dict(condition: Condition) -> dict[str, Any]:
    out: dict[str, Any] = {"name": condition.name}
    if len(condition.drugs) == 1:
        out.update(_drug_dict(condition.drugs[0]))
    elif condition.drugs:
        out["drugs"] = [_drug_dict(drug) for drug in condition.drugs]
    if not condition.bath.is_empty:
        out["bath"] = bath_dict(condition.bath)
    return out


def _drug_dict(drug: Drug) -> dict[str, str]:
    return {
        "compound": drug.compound,
        "concentration": format_value(drug.concentration, "concentration"),
    }


def _step_dict(step: Step) -> dict[str, Any]:
    out: dict[str, Any] = {"type": step.type}
    for spec in fields(step):
        value = getattr(step, spec.name)
        if value is None:
            continue
        if spec.name in _QUANTITY_KINDS:
            value = format_value(value, _QUANTITY_KINDS[spec.name])
        elif isinstance(step, WashIn) and spec.name == "drugs":
            value = [_drug_dict(drug) for drug in value]
        elif isinstance(step, WashOut | InputOutput):
            value = list(value) if isinstance(value, tuple) else value
        out[spec.name] = value
    return out

"""A sweep file (TOML) read into a :class:`Sweep`: protocols x conditions x parameter sets x seeds.

Every field is checked where it enters; a bad field is an :class:`~synpharm.errors.InputError`
that names it (``protocols[1].overrides[0].duration``, ``parameter_sets[2].values.foo``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from synpharm.errors import InputError
from synpharm.protocols import Condition, Drug, Protocol, read_toml
from synpharm.safety import check_grid_size

__all__ = [
    "ParameterSet",
    "ProtocolEntry",
    "Sweep",
    "base_preparation",
    "load_sweep",
    "preparation_overrides",
    "sweep_from_dict",
]

_SECTIONS = ("sweep", "concentrations", "protocols", "parameter_sets", "parameter_grid")
_SWEEP_KEYS = ("name", "description", "cohort", "seeds", "control")
_PROTOCOL_SOURCES = ("library", "file", "steps")
_PROTOCOL_KEYS = (
    *_PROTOCOL_SOURCES,
    "label",
    "overrides",
    "experiment",
    "conditions",
    "condition_series",
)


@dataclass(frozen=True)
class ProtocolEntry:
    """One protocol of the sweep, its conditions already those the sweep runs.

    Attributes
    ----------
    label
        Name of the protocol in the results table (default: the experiment name).
    protocol
        The protocol; ``cohort`` and ``seed`` are set per chunk.
    """

    label: str
    protocol: Protocol


@dataclass(frozen=True)
class ParameterSet:
    """Preparation parameters replaced in one arm of the sweep.

    Attributes
    ----------
    name
        Label in the results table (``"default"`` for the published parameters).
    values
        Parameter name -> value as written (with its unit), in file order.
    field
        Where the set was declared, for error messages (``parameter_sets[1].values``).
    """

    name: str
    values: tuple[tuple[str, Any], ...] = ()
    field: str = "parameter_sets"


@dataclass(frozen=True)
class Sweep:
    """A grid of virtual experiments.

    Every protocol runs every one of its conditions with every parameter set, seed and cohort
    size; one such combination is a *chunk* (see :func:`synpharm.sweep.plan_chunks`).

    Attributes
    ----------
    name, description
        Name (default output folder ``out/<name>``) and free text.
    protocols
        The protocols with the conditions they run.
    parameter_sets
        At least one; ``ParameterSet("default")`` when the file declares none.
    seeds
        Seeds of the virtual cohorts (>= 0), each an independent replicate of the whole grid.
    cohorts
        Slices (cells) per condition; several values make cohort size a grid axis.
    """

    name: str
    description: str
    protocols: tuple[ProtocolEntry, ...]
    parameter_sets: tuple[ParameterSet, ...]
    seeds: tuple[int, ...]
    cohorts: tuple[int, ...]


def load_sweep(path: str | Path) -> Sweep:
    """Read a sweep file; protocol files named in it are relative to its folder.

    Raises :class:`FileNotFoundError` if ``path`` does not exist.
    """
    path = Path(path)
    return sweep_from_dict(read_toml(path), base=path.parent, source=str(path))


def sweep_from_dict(
    data: Mapping[str, Any], base: str | Path = ".", source: str = "<dict>"
) -> Sweep:
    """Build a sweep from the TOML document structure (see ``docs/sweep.md``)."""
    if not isinstance(data, Mapping):
        raise InputError(source, "is not a table of sweep sections", "write a [sweep] table")
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        raise InputError(
            unknown[0], f"is not a sweep section (in {source})", f"use {', '.join(_SECTIONS)}"
        )
    settings = _sweep_table(data.get("sweep"))
    concentrations = _concentrations(data.get("concentrations"), settings["control"])
    protocols = _protocols(data.get("protocols"), Path(base), concentrations)
    _check_grid_names(data.get("parameter_grid"), protocols)
    parameter_sets = _parameter_sets(data.get("parameter_sets"), data.get("parameter_grid"))
    for entry in protocols:
        for parameter_set in parameter_sets:
            preparation_overrides(entry.protocol.preparation, parameter_set)
    return Sweep(
        name=settings["name"],
        description=settings["description"],
        protocols=protocols,
        parameter_sets=parameter_sets,
        seeds=settings["seeds"],
        cohorts=settings["cohort"],
    )


# ---------------------------------------------------------------------------- [sweep]
def _whole_numbers(value: object, field: str, minimum: int) -> tuple[int, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise InputError(field, "is an empty list", "give at least one whole number")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int) or item < minimum:
            raise InputError(
                field, f"{item!r} is not a whole number >= {minimum}", "give e.g. 12 or [6, 12]"
            )
    if len(set(items)) != len(items):
        raise InputError(field, f"{items!r} repeats a value", "list each value once")
    return tuple(items)


def _sweep_table(table: object) -> dict[str, Any]:
    if table is None:
        raise InputError("sweep", "is missing", "add a [sweep] table with a name")
    if not isinstance(table, dict):
        raise InputError("sweep", "is not a table", "write [sweep] with name = '...'")
    unknown = sorted(set(table) - set(_SWEEP_KEYS))
    if unknown:
        raise InputError(
            f"sweep.{unknown[0]}", "is not a sweep setting", f"use {', '.join(_SWEEP_KEYS)}"
        )
    name = table.get("name")
    if not isinstance(name, str) or not name.strip() or "/" in name or "\\" in name:
        raise InputError("sweep.name", f"{name!r} is not a name", "give a name without '/'")
    description = table.get("description", "")
    if not isinstance(description, str):
        raise InputError("sweep.description", f"{description!r} is not text", "give a string")
    control = table.get("control", True)
    if not isinstance(control, bool):
        raise InputError("sweep.control", f"{control!r} is not true or false", "give true")
    return {
        "name": name,
        "description": description,
        "cohort": _whole_numbers(table.get("cohort", 12), "sweep.cohort", 1),
        "seeds": _whole_numbers(table.get("seeds", [0]), "sweep.seeds", 0),
        "control": control,
    }


# ---------------------------------------------------------------------------- [concentrations]
def _concentrations(table: object, control: bool) -> tuple[Condition, ...] | None:
    """The conditions every protocol runs, or None to keep each protocol's own conditions."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise InputError("concentrations", "is not a table", "write [concentrations]")
    unknown = sorted(set(table) - {"compound", "values"})
    if unknown:
        raise InputError(
            f"concentrations.{unknown[0]}",
            "is not a key of [concentrations]",
            "use compound and values",
        )
    compound = table.get("compound")
    _check_compound(compound, "concentrations.compound")
    values = table.get("values")
    if not isinstance(values, list) or not values:
        raise InputError(
            "concentrations.values",
            f"{values!r} is not a non-empty list",
            "give a list such as ['1 uM', '10 uM']",
        )
    from synpharm.units import parse_quantity

    conditions = [Condition("control")] if control else []
    seen: dict[float, str] = {}
    for j, text in enumerate(values):
        field = f"concentrations.values[{j}]"
        concentration = parse_quantity(text, "concentration", field)
        if not concentration > 0:
            raise InputError(field, f"{text!r} is not above zero", "drop it (control is added)")
        if concentration in seen:
            raise InputError(field, f"{text!r} repeats {seen[concentration]!r}", "list it once")
        seen[concentration] = text
        conditions.append(Condition(f"{compound} {text}", (Drug(compound, concentration),)))
    return tuple(conditions)


def _check_compound(name: object, field: str) -> None:
    from synpharm.compounds import load_compound

    if not isinstance(name, str) or not name.strip():
        raise InputError(field, f"{name!r} is not a compound name", "give e.g. 'baclofen'")
    try:
        load_compound(name)
    except InputError as error:
        raise InputError(field, error.problem, error.fix) from None


# ---------------------------------------------------------------------------- [[protocols]]
def _protocols(
    items: object, base: Path, conditions: tuple[Condition, ...] | None
) -> tuple[ProtocolEntry, ...]:
    if items is None:
        raise InputError("protocols", "is missing", "add [[protocols]] with library = 'name'")
    if not isinstance(items, list) or not items:
        raise InputError("protocols", "is not a non-empty array of tables", "write [[protocols]]")
    entries = [_protocol_entry(table, i, base, conditions) for i, table in enumerate(items)]
    labels = [entry.label for entry in entries]
    for i, label in enumerate(labels):
        if labels.index(label) != i:
            raise InputError(
                f"protocols[{i}].label", f"{label!r} is used twice", "give each protocol a label"
            )
    return tuple(entries)


def _protocol_entry(
    table: object, i: int, base: Path, conditions: tuple[Condition, ...] | None
) -> ProtocolEntry:
    where = f"protocols[{i}]"
    if not isinstance(table, dict):
        raise InputError(where, f"{table!r} is not a table", "write [[protocols]] tables")
    unknown = sorted(set(table) - set(_PROTOCOL_KEYS))
    if unknown:
        raise InputError(
            f"{where}.{unknown[0]}", "is not a protocol key", f"use {', '.join(_PROTOCOL_KEYS)}"
        )
    sources = [key for key in _PROTOCOL_SOURCES if key in table]
    if len(sources) != 1:
        raise InputError(
            where,
            f"gives {len(sources)} of library, file, steps",
            "give exactly one: library = 'name', file = 'path.toml' or [[protocols.steps]]",
        )
    document = _protocol_document(table, sources[0], where, base, f"protocol_{i}")
    document = _apply_overrides(document, table.get("overrides", []), where)
    protocol = _parse_protocol(document, where)
    try:
        _preparation_parameters(protocol.preparation)
    except InputError as error:
        raise InputError(f"{where}.{error.field}", error.problem, error.fix) from None
    if conditions is not None:
        protocol = replace(protocol, conditions=conditions)
    label = table.get("label", protocol.name)
    if not isinstance(label, str) or not label.strip():
        raise InputError(f"{where}.label", f"{label!r} is not a label", "give a short name")
    return ProtocolEntry(label, protocol)


def _protocol_document(
    table: dict[str, Any], source: str, where: str, base: Path, default_name: str
) -> dict[str, Any]:
    """The protocol's TOML document (library, file or inline), as the protocol reader wants it."""
    if source == "steps":
        keys = ("experiment", "conditions", "condition_series", "steps")
        document = {key: table[key] for key in keys if key in table}
        experiment = document.get("experiment", {})
        if isinstance(experiment, dict):
            document["experiment"] = {"name": default_name, **experiment}
        return document
    extra = [key for key in ("experiment", "conditions", "condition_series") if key in table]
    if extra:
        raise InputError(
            f"{where}.{extra[0]}",
            "only goes with an inline protocol ([[protocols.steps]])",
            f"change the protocol {source} or write the protocol inline",
        )
    return read_toml(_protocol_path(table[source], source, where, base))


def _protocol_path(name: object, source: str, where: str, base: Path) -> Path:
    from synpharm.protocols.library import library_protocol_path, library_protocols

    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{where}.{source}", f"{name!r} is not a name", "give a protocol name")
    if source == "library":
        path = library_protocol_path(name)
        if path is None:
            raise InputError(
                f"{where}.library",
                f"no library protocol {name!r}",
                f"use one of {', '.join(library_protocols())}",
            )
        return path
    path = Path(name) if Path(name).is_absolute() else base / name
    if not path.is_file():
        raise InputError(f"{where}.file", f"{str(path)!r} is not a file", "check the path")
    return path


def _parse_protocol(document: dict[str, Any], where: str) -> Protocol:
    try:
        return Protocol.from_dict(document, source=where)
    except InputError as error:
        raise InputError(f"{where}.{error.field}", error.problem, error.fix) from None


def _apply_overrides(document: dict[str, Any], overrides: object, where: str) -> dict[str, Any]:
    """The protocol document with step fields replaced, e.g. ``{step = 3, duration = '30 min'}``.

    Each override is checked by reading the protocol back, so that its error names it.
    """
    if not isinstance(overrides, list):
        raise InputError(f"{where}.overrides", "is not a list of tables", "write [{step = 0, ...}]")
    steps = document.get("steps")
    for j, override in enumerate(overrides):
        field = f"{where}.overrides[{j}]"
        if not isinstance(override, dict) or len(override) < 2:
            raise InputError(field, f"{override!r} is not a step override", _OVERRIDE_FIX)
        index = override.get("step")
        n = len(steps) if isinstance(steps, list) else 0
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
            raise InputError(
                f"{field}.step", f"{index!r} is not a step index", f"give 0 to {n - 1}"
            )
        changed = [dict(step) for step in steps]
        changed[index].update({k: v for k, v in override.items() if k != "step"})
        candidate = {**document, "steps": changed}
        try:
            Protocol.from_dict(candidate, source=where)
        except InputError as error:
            prefix = f"steps[{index}]"
            inner = error.field.removeprefix(prefix).lstrip(".")
            named = f"{field}.{inner}" if inner else field
            raise InputError(named, error.problem, error.fix) from None
        document, steps = candidate, changed
    return document


_OVERRIDE_FIX = "write {step = N, <field> = <value>} with N counting steps from 0"


# ---------------------------------------------------------------------------- parameters
def _parameter_sets(items: object, grid: object) -> tuple[ParameterSet, ...]:
    sets = _explicit_sets(items) + _grid_sets(grid)
    if not sets:
        return (ParameterSet("default"),)
    names = [s.name for s in sets]
    for name in names:
        if names.count(name) > 1:
            raise InputError(
                "parameter_sets", f"name {name!r} is used twice", "give each set its own name"
            )
    return tuple(sets)


def _explicit_sets(items: object) -> list[ParameterSet]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise InputError("parameter_sets", "is not an array of tables", "write [[parameter_sets]]")
    sets = []
    for i, table in enumerate(items):
        where = f"parameter_sets[{i}]"
        if not isinstance(table, dict):
            raise InputError(where, f"{table!r} is not a table", "write [[parameter_sets]]")
        unknown = sorted(set(table) - {"name", "values"})
        if unknown:
            raise InputError(f"{where}.{unknown[0]}", "is not a key", "use name and values")
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"{where}.name", f"{name!r} is not a name", "give e.g. 'low_pr'")
        values = table.get("values", {})
        if not isinstance(values, dict):
            raise InputError(f"{where}.values", "is not a table", "write values = {name = '...'}")
        sets.append(ParameterSet(name, tuple(values.items()), f"{where}.values"))
    return sets


def _check_grid_names(grid: object, protocols: tuple[ProtocolEntry, ...]) -> None:
    """Check the names of ``[parameter_grid]`` (with each first value) before any product."""
    if not isinstance(grid, dict):
        return
    first = tuple((k, v[0]) for k, v in grid.items() if isinstance(v, list) and v)
    probe = ParameterSet("grid", first, "parameter_grid")
    for entry in protocols:
        preparation_overrides(entry.protocol.preparation, probe)


def _grid_sets(grid: object) -> list[ParameterSet]:
    """``[parameter_grid]`` name -> list of values: one set per combination (first key slowest)."""
    if grid is None:
        return []
    if not isinstance(grid, dict) or not grid:
        raise InputError("parameter_grid", "is not a non-empty table", "write name = [values]")
    for name, values in grid.items():
        if not isinstance(values, list) or not values:
            raise InputError(
                f"parameter_grid.{name}", f"{values!r} is not a non-empty list", "give [v1, v2]"
            )
    check_grid_size((len(values) for values in grid.values()), "parameter_grid")
    combos: list[tuple[tuple[str, Any], ...]] = [()]
    for name, values in grid.items():
        combos = [(*combo, (name, value)) for combo in combos for value in values]
    return [
        ParameterSet(", ".join(f"{k}={v}" for k, v in combo), combo, "parameter_grid")
        for combo in combos
    ]


def preparation_overrides(
    preparation_name: str, parameter_set: ParameterSet
) -> tuple[tuple[str, float], ...]:
    """SI values of a parameter set for one preparation, each parsed with the parameter's kind.

    Raises
    ------
    InputError
        Unknown parameter, wrong unit, or a non-finite value; the field names the set and the
        parameter (``parameter_sets[1].values.quantal_conductance``).
    """
    from synpharm.units import parse_quantity

    parameters = _preparation_parameters(preparation_name)
    parsed = []
    for name, text in parameter_set.values:
        field = f"{parameter_set.field}.{name}"
        if name not in parameters:
            from synpharm.preparations.variants import nearest

            raise InputError(
                field,
                f"is not a parameter of preparation {preparation_name!r}",
                nearest(name, list(parameters)),
            )
        value = parse_quantity(text, parameters.parameter(name).kind, field)
        if not math.isfinite(value):
            raise InputError(field, f"{text!r} is not finite", "give a finite value")
        parsed.append((name, value))
    return tuple(parsed)


@lru_cache(maxsize=8)
def base_preparation(name: str):
    """The preparation with its published parameters (read once per process; immutable)."""
    from synpharm.preparations import preparation

    return preparation(name)


def _preparation_parameters(name: str):
    return base_preparation(name).parameters

"""Compound data files: loading, strict validation, lookup by name or alias, description."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from synpharm.errors import InputError
from synpharm.parameters import Parameter
from synpharm.safety import loads_toml, read_input_bytes
from synpharm.units import parse_quantity

__all__ = [
    "COMPOUNDS_ENV",
    "MECHANISMS",
    "Compound",
    "TargetEffect",
    "check_compound_file",
    "citations",
    "compound_search_path",
    "describe_compound",
    "list_compounds",
    "load_compound",
    "load_compound_file",
    "protocol_compounds",
]

#: mechanism type -> {parameter name: quantity kind}; every listed parameter is required.
MECHANISMS: dict[str, dict[str, str]] = {
    "agonist": {"ec50": "concentration", "hill": "dimensionless"},
    "competitive_antagonist": {"kd": "concentration"},
    "open_channel_blocker": {
        "kd_0mV": "concentration",
        "k_on": "second_order_rate",
        "voltage_e_fold": "voltage",
    },
    "channel_blocker": {"ic50": "concentration", "hill": "dimensionless"},
    "inhibitor": {"ic50": "concentration", "hill": "dimensionless"},
}

_MECHANISM_TEXT = {
    "agonist": "agonist (Hill occupancy)",
    "competitive_antagonist": "competitive antagonist (Gaddum: dose ratio 1 + c/Kd)",
    "open_channel_blocker": "open-channel blocker (Woodhull, use-dependent)",
    "channel_blocker": "channel blocker (Hill inhibition)",
    "inhibitor": "inhibitor of a signalling protein (Hill inhibition)",
}

_TOP_KEYS = {
    "name", "aliases", "class", "description", "molecular_weight", "targets",
    "pharmacokinetics",
}
_TARGET_KEYS = {"target", "mechanism", "trapping", "note"}
_QUANTITY_KEYS = {"value", "kind", "source", "calibrated", "note"}
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_MOLAR_MASS = re.compile(r"^\s*(?P<number>[0-9.eE+-]+)\s*(?P<unit>[A-Za-z]+)\s*/\s*mol\s*$")


@dataclass(frozen=True)
class TargetEffect:
    """One declared effect of a compound at one target.

    Attributes
    ----------
    target
        Target identifier, e.g. ``"GABAB_presynaptic_glutamatergic"``, ``"NMDA"``, ``"NaV_axonal"``.
    mechanism
        One of :data:`MECHANISMS`.
    parameters
        The mechanism's parameters in internal SI units, each with provenance.
    trapping
        For ``open_channel_blocker`` only: whether the blocker is trapped when the channel closes.
    trapping_provenance
        Citation (or ``calibrated: ...``) for ``trapping``.
    note
        Free text, e.g. "declared; not used by current preparations".
    """

    target: str
    mechanism: str
    parameters: tuple[Parameter, ...]
    trapping: bool | None = None
    trapping_provenance: str = ""
    note: str = ""

    def parameter(self, name: str) -> Parameter:
        """The :class:`~synpharm.parameters.Parameter` record called ``name``."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(f"{self.mechanism} effect at {self.target} has no parameter {name!r}")

    def value(self, name: str) -> float:
        """Value of parameter ``name`` in internal SI units."""
        return self.parameter(name).value


@dataclass(frozen=True)
class Compound:
    """A compound and its declared effects, each number with unit and provenance.

    Attributes
    ----------
    name
        Canonical name (lower case), e.g. ``"s_ketamine"``.
    aliases
        Other accepted names, e.g. ``("esketamine", "(S)-ketamine")``.
    compound_class
        Pharmacological class, e.g. ``"GABA-B receptor agonist"``.
    description
        One paragraph for people.
    molecular_weight
        Molar mass [kg/mol] with provenance.
    targets
        Declared effects.
    pharmacokinetics
        Optional ``[[pharmacokinetics]]`` tables (one per species), kept as read; they are
        validated and interpreted by :mod:`synpharm.pharmacokinetics`.
    """

    name: str
    aliases: tuple[str, ...]
    compound_class: str
    description: str
    molecular_weight: Parameter
    targets: tuple[TargetEffect, ...]
    pharmacokinetics: tuple[dict[str, Any], ...] = field(default=(), compare=False, repr=False)

    def effects(self, mechanism: str | None = None, target: str | None = None
                ) -> tuple[TargetEffect, ...]:
        """Declared effects, optionally filtered by mechanism and/or target."""
        return tuple(effect for effect in self.targets
                     if (mechanism is None or effect.mechanism == mechanism)
                     and (target is None or effect.target == target))


# ----------------------------------------------------------------------------- validation


def _provenance(table: dict[str, Any], field: str) -> tuple[str, str]:
    source, calibrated = table.get("source", ""), table.get("calibrated", "")
    if not isinstance(source, str) or not isinstance(calibrated, str):
        raise InputError(field, "'source' and 'calibrated' must be text", "quote them")
    if bool(source.strip()) == bool(calibrated.strip()):
        raise InputError(field, "needs exactly one of 'source' or 'calibrated'",
                         "cite the paper (author year journal vol:page), "
                         "or name the target the value was fitted to")
    return source.strip(), calibrated.strip()


def _check_keys(table: dict[str, Any], allowed: set[str], field: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise InputError(field, f"unknown keys {unknown}", f"use only {sorted(allowed)}")


def _quantity(name: str, table: object, kind: str, field: str) -> Parameter:
    if not isinstance(table, dict):
        raise InputError(field, "is not a table",
                         "write value, kind and source (or calibrated) under it")
    _check_keys(table, _QUANTITY_KEYS, field)
    if "value" not in table:
        raise InputError(field, "has no 'value'", "add a value with its unit, such as '10 uM'")
    if table.get("kind") != kind:
        raise InputError(field, f"kind is {table.get('kind')!r}, expected {kind!r}",
                         f"write kind = {kind!r} and a value in a {kind} unit")
    source, calibrated = _provenance(table, field)
    if kind == "molar_mass":
        value = _parse_molar_mass(table["value"], field)
    else:
        value = parse_quantity(table["value"], kind, field)
    if not value > 0:
        raise InputError(field, f"{table['value']!r} is not positive", "give a positive value")
    return Parameter(name=name, value=value, kind=kind, text=str(table["value"]), source=source,
                     calibrated=calibrated, note=str(table.get("note", "")))


def _parse_molar_mass(text: object, field: str) -> float:
    """'237.73 g/mol' -> 0.23773 kg/mol (the units module has no molar-mass kind)."""
    match = _MOLAR_MASS.match(text) if isinstance(text, str) else None
    if match is None:
        raise InputError(field, f"{text!r} is not a molar mass", "write it as '237.73 g/mol'")
    return parse_quantity(f"{match['number']} {match['unit']}", "mass", field)


def _trapping(table: object, field: str) -> tuple[bool, str]:
    if not isinstance(table, dict) or not isinstance(table.get("value"), bool):
        raise InputError(field, "needs a table with a true/false 'value'",
                         "write [targets.trapping] with value = true and a source")
    _check_keys(table, {"value", "source", "calibrated", "note"}, field)
    source, calibrated = _provenance(table, field)
    return table["value"], source if source else f"calibrated: {calibrated}"


def _target(table: object, field: str) -> TargetEffect:
    if not isinstance(table, dict):
        raise InputError(field, "is not a table", "write [[targets]] entries")
    mechanism = table.get("mechanism")
    if mechanism not in MECHANISMS:
        raise InputError(f"{field}.mechanism", f"unknown mechanism {mechanism!r}",
                         f"use one of: {', '.join(MECHANISMS)}")
    expected = MECHANISMS[mechanism]
    _check_keys(table, _TARGET_KEYS | set(expected), field)
    target = table.get("target")
    if not isinstance(target, str) or not _IDENTIFIER.match(target):
        raise InputError(f"{field}.target", f"{target!r} is not a target identifier",
                         "write a name such as 'NMDA' or 'GABAB_postsynaptic_GIRK'")
    missing = sorted(set(expected) - set(table))
    if missing:
        raise InputError(field, f"{mechanism} needs {missing}", "add the missing parameters")
    parameters = tuple(_quantity(name, table[name], kind, f"{field}.{name}")
                       for name, kind in expected.items())
    trapping, trapping_provenance = None, ""
    if mechanism == "open_channel_blocker":
        if "trapping" not in table:
            raise InputError(f"{field}.trapping", "is missing", "declare trapping = true/false")
        trapping, trapping_provenance = _trapping(table["trapping"], f"{field}.trapping")
    elif "trapping" in table:
        raise InputError(f"{field}.trapping", f"has no meaning for a {mechanism}", "remove it")
    return TargetEffect(target=target, mechanism=mechanism, parameters=parameters,
                        trapping=trapping, trapping_provenance=trapping_provenance,
                        note=str(table.get("note", "")))


def _text(document: dict[str, Any], key: str, where: str) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}.{key}", "is missing or empty", f"write {key} = \"...\"")
    return value.strip()


def _compound(document: dict[str, Any], where: str) -> Compound:
    _check_keys(document, _TOP_KEYS, where)
    aliases = document.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise InputError(f"{where}.aliases", "must be a list of names", "write aliases = [\"...\"]")
    targets = document.get("targets")
    if not isinstance(targets, list) or not targets:
        raise InputError(f"{where}.targets", "no [[targets]] declared",
                         "declare at least one effect")
    return Compound(
        name=_text(document, "name", where).lower(),
        aliases=tuple(aliases),
        compound_class=_text(document, "class", where),
        description=" ".join(_text(document, "description", where).split()),
        molecular_weight=_quantity("molecular_weight", document.get("molecular_weight"),
                                   "molar_mass", f"{where}.molecular_weight"),
        targets=tuple(_target(entry, f"{where}.targets[{i}]") for i, entry in enumerate(targets)),
        pharmacokinetics=_pharmacokinetic_tables(document, where),
    )


def _pharmacokinetic_tables(document: dict[str, Any], where: str) -> tuple[dict[str, Any], ...]:
    tables = document.get("pharmacokinetics", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise InputError(f"{where}.pharmacokinetics", "must be [[pharmacokinetics]] tables",
                         "write one [[pharmacokinetics]] table per species")
    return tuple(tables)


def load_compound_file(path: str | Path) -> Compound:
    """Read and validate one compound data file (TOML; see the data files for the format).

    Raises
    ------
    InputError
        Naming the file and the field: missing unit, missing citation, unknown key or mechanism.
    """
    path = Path(path)
    try:
        document = loads_toml(read_input_bytes(path).decode("utf-8"), path.name)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(path.name, f"cannot read compound file ({error})",
                         "fix the TOML") from None
    return _compound(document, path.name)


# ----------------------------------------------------------------------------- registry


def _data_files() -> list[Path]:
    directory = resources.files("synpharm.compounds").joinpath("data")
    return sorted(Path(str(entry)) for entry in directory.iterdir() if entry.name.endswith(".toml"))


@lru_cache(maxsize=1)
def _registry() -> dict[str, Compound]:
    compounds = [load_compound_file(path) for path in _data_files()]
    lookup: dict[str, Compound] = {}
    for compound in compounds:
        for key in (compound.name, *compound.aliases):
            folded = key.casefold()
            if folded in lookup and lookup[folded] is not compound:
                raise InputError(f"{compound.name}.aliases",
                                 f"name {key!r} is also used by {lookup[folded].name!r}",
                                 "make names and aliases unique")
            lookup[folded] = compound
    return lookup


def list_compounds() -> list[str]:
    """Canonical names of all compounds shipped with synpharm, sorted."""
    return sorted({compound.name for compound in _registry().values()})


#: Environment variable with extra compound folders (separated like PATH).
COMPOUNDS_ENV = "SYNPHARM_COMPOUNDS"


def compound_search_path(extra: Sequence[str | Path] = ()) -> tuple[Path, ...]:
    """Folders searched for user compounds: ``extra`` first, then ``$SYNPHARM_COMPOUNDS``."""
    env = [Path(p) for p in os.environ.get(COMPOUNDS_ENV, "").split(os.pathsep) if p]
    return tuple(Path(p) for p in extra) + tuple(env)


def _is_path(name: str) -> bool:
    return name.endswith(".toml") or "/" in name or os.sep in name


@lru_cache(maxsize=64)
def _file_compound(path: Path, mtime_ns: int) -> Compound:
    del mtime_ns  # part of the cache key: an edited file is read again
    return load_compound_file(path)


def _from_file(path: Path) -> Compound:
    resolved = path.resolve()
    return _file_compound(resolved, resolved.stat().st_mtime_ns)


def _looks_like_compound(path: Path) -> bool:
    """A TOML file with top-level ``name`` and ``[[targets]]`` (its errors are then reported)."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return "name" in document and isinstance(document.get("targets"), list) and all(
        isinstance(t, dict) and "mechanism" in t for t in document["targets"])


def _in_folders(name: str, folders: tuple[Path, ...]) -> Compound | None:
    """A compound named ``name`` (or aliased) in one of the folders' ``*.toml`` files."""
    folded = name.casefold()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            if not _looks_like_compound(path):
                continue  # protocols, targets files ... may share the folder
            compound = _from_file(path)
            if folded in {compound.name.casefold(), *(a.casefold() for a in compound.aliases)}:
                return compound
    return None


def load_compound(name: str, search: Sequence[str | Path] = ()) -> Compound:
    """The compound called ``name``: a built-in (name or alias), a user file, or a path.

    Parameters
    ----------
    name
        Canonical name or alias (case-insensitive), or the path of a compound file
        (``*.toml``; relative paths are tried in each ``search`` folder, then the working
        directory).
    search
        Extra folders with user compound files (a protocol's folder and its ``[compounds]``
        path); ``$SYNPHARM_COMPOUNDS`` is searched after them. Built-ins win over user files
        of the same name.

    Examples
    --------
    >>> load_compound("Esketamine").name
    's_ketamine'
    """
    text = str(name).strip()
    folders = compound_search_path(search)
    if _is_path(text):
        candidates = [Path(text)] if Path(text).is_absolute() else [
            *(Path(folder) / text for folder in search), Path(text)]
        for candidate in candidates:
            if candidate.is_file():
                return _from_file(candidate)
        raise InputError("compound", f"no compound file {text!r}",
                         "give a path relative to the protocol (or targets) file")
    compound = _registry().get(text.casefold()) or _in_folders(text, folders)
    if compound is None:
        where = f" or in {', '.join(map(str, folders))}" if folders else ""
        raise InputError("compound", f"unknown compound {name!r}{where}",
                         f"use a compound file path, or one of: {', '.join(list_compounds())}")
    return compound


def protocol_compounds(protocol: Any) -> dict[str, Compound]:
    """Every compound a protocol names, resolved with its search folders.

    ``protocol`` needs ``compound_names()`` and ``compound_search`` (a
    :class:`synpharm.protocols.Protocol`). A name that is not found is an error on
    ``conditions.compound``; an error inside a user compound file names that file and field.
    """
    found = {}
    for name in sorted(protocol.compound_names()):
        try:
            found[name] = load_compound(name, protocol.compound_search)
        except InputError as error:
            if error.field != "compound":  # a user compound file: its error names file and field
                raise
            raise InputError("conditions.compound", error.problem, error.fix) from None
    return found


def check_compound_file(path: str | Path) -> Compound:
    """Validate a user compound file like a built-in one (``synpharm compounds check``).

    The file must exist; its name must not shadow a built-in compound with other data.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "no such compound file", "give the path of a .toml file")
    compound = load_compound_file(path)
    for key in (compound.name, *compound.aliases):
        builtin = _registry().get(key.casefold())
        if builtin is not None and builtin != compound:
            raise InputError(f"{path.name}.name" if key == compound.name else
                             f"{path.name}.aliases", f"{key!r} is a built-in compound "
                             f"({builtin.name})", "choose another name; built-ins take precedence")
    return compound


# ----------------------------------------------------------------------------- description


def _provenance_text(parameter: Parameter) -> str:
    return parameter.provenance


def describe_compound(compound: Compound) -> str:
    """Human-readable summary: every number with its unit and its citation or calibration tag."""
    mw = compound.molecular_weight
    lines = [
        f"{compound.name} - {compound.compound_class}",
        f"  aliases: {', '.join(compound.aliases) if compound.aliases else '(none)'}",
        f"  molecular weight: {mw.text}  [{_provenance_text(mw)}]",
        f"  {compound.description}",
        "  declared effects:",
    ]
    for number, effect in enumerate(compound.targets, start=1):
        lines.append(f"    {number}. {effect.target}: {_MECHANISM_TEXT[effect.mechanism]}")
        for parameter in effect.parameters:
            lines.append(f"       {parameter.name} = {parameter.text}  "
                         f"[{_provenance_text(parameter)}]")
            if parameter.note:
                lines.append(f"         note: {parameter.note}")
        if effect.trapping is not None:
            lines.append(f"       trapping = {str(effect.trapping).lower()}  "
                         f"[{effect.trapping_provenance}]")
        if effect.note:
            lines.append(f"       note: {effect.note}")
    return "\n".join(lines)


def citations(compound: Compound) -> list[str]:
    """The distinct literature sources behind a compound's numbers (calibrated values excluded)."""
    sources: list[str] = []
    parameters = [compound.molecular_weight,
                  *(p for effect in compound.targets for p in effect.parameters)]
    for parameter in parameters:
        if parameter.source and parameter.source not in sources:
            sources.append(parameter.source)
    for effect in compound.targets:
        provenance = effect.trapping_provenance
        if provenance and not provenance.startswith("calibrated:") and provenance not in sources:
            sources.append(provenance)
    return sources

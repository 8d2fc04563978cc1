"""Reaction networks declared as data: species, inputs, reactions with rate laws, parameters.

A network file (TOML, see ``networks/synaptic_signaling.toml``) has a ``[network]`` table naming
its parameter file, ``[[inputs]]`` (drug-driven time courses, 0 = no drug), ``[[species]]``
(initial value and unit) and ``[[reactions]]`` (reactants, products, modifiers and a ``rate``
formula). Formulas use species, parameters and inputs with ``+ - * / **`` and parentheses only,
so the same declaration compiles to NumPy (:mod:`._engine`), to SBML (:mod:`._sbml`) and to a
diagram (:mod:`._diagram`). Ablations remove reactions by name (:meth:`Network.without`).
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from synpharm.errors import InputError
from synpharm.parameters import ParameterSet, load_parameter_set, package_parameter_file
from synpharm.safety import loads_toml, read_input_bytes

__all__ = [
    "Input",
    "Network",
    "Reaction",
    "Species",
    "formula_names",
    "list_networks",
    "load_network",
]

#: SBML SId syntax (also a valid Python identifier).
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.Constant,
                  ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)
_NETWORK_KEYS = {"network", "inputs", "species", "reactions"}
_REACTION_KEYS = {"name", "description", "reactants", "products", "modifiers", "rate"}


@dataclass(frozen=True)
class Species:
    """A species: ``initial`` value (its drug-free steady state) in ``unit``."""

    name: str
    initial: float
    unit: str
    description: str = ""

    @property
    def normalised(self) -> bool:
        """Whether the species is a level normalised to its baseline (1 = baseline)."""
        return "normalised" in self.unit


@dataclass(frozen=True)
class Input:
    """A time course supplied from outside the network (drug effects); baseline 0."""

    name: str
    description: str = ""


@dataclass(frozen=True)
class Reaction:
    """One reaction: stoichiometry, modifiers and its rate law (a formula string)."""

    name: str
    rate: str
    reactants: tuple[tuple[str, float], ...] = ()
    products: tuple[tuple[str, float], ...] = ()
    modifiers: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Network:
    """A reaction network and its parameter set.

    Attributes
    ----------
    name, description
        Identifier and one-line summary.
    species, inputs, reactions
        The declaration, in file order.
    parameters
        Default parameter values (SI) with provenance.
    ablations
        Names of reactions removed from the declared network (empty for the full network).
    """

    name: str
    description: str
    species: tuple[Species, ...]
    inputs: tuple[Input, ...]
    reactions: tuple[Reaction, ...]
    parameters: ParameterSet
    ablations: tuple[str, ...] = ()

    @property
    def species_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.species)

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs)

    @property
    def reaction_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.reactions)

    def reaction(self, name: str) -> Reaction:
        """The reaction called ``name``."""
        for reaction in self.reactions:
            if reaction.name == name:
                return reaction
        raise KeyError(name)

    def without(self, ablations: Iterable[str]) -> Network:
        """The network with the named reactions removed (an ablation experiment).

        Raises
        ------
        InputError
            A name that is not a reaction of the network.
        """
        ablations = tuple(dict.fromkeys(ablations))
        if not ablations:
            return self
        unknown = [name for name in ablations if name not in self.reaction_names]
        if unknown:
            raise InputError("ablations", f"{unknown[0]!r} is not a reaction of {self.name}",
                             f"use reaction names such as {', '.join(self.reaction_names[:4])}, "
                             "...")
        kept = tuple(r for r in self.reactions if r.name not in ablations)
        return replace(self, reactions=kept, ablations=(*self.ablations, *ablations))


def formula_names(formula: str) -> list[str]:
    """Names used in a rate formula, in order of first appearance."""
    tree = ast.parse(formula, mode="eval")
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in names:
            names.append(node.id)
    return names


def _check_formula(formula: object, field: str) -> str:
    if not isinstance(formula, str) or not formula.strip():
        raise InputError(field, "is missing", "write rate = \"k * species\"")
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError:
        raise InputError(field, f"cannot read {formula!r} as a formula",
                         "use names, numbers, + - * / ** and parentheses") from None
    for node in ast.walk(tree):
        bad_constant = isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, int | float))
        if not isinstance(node, _ALLOWED_NODES) or bad_constant:
            raise InputError(field, f"{type(node).__name__} is not allowed in a rate formula",
                             "use names, numbers, + - * / ** and parentheses")
    return " ".join(formula.split())


def _identifier(value: object, field: str) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise InputError(field, f"{value!r} is not a name",
                         "use letters, digits and _ (not starting with a digit)")
    return value


def _stoichiometry(entries: object, field: str) -> tuple[tuple[str, float], ...]:
    """``["a", {species = "b", stoichiometry = 2}]`` -> ``(("a", 1.0), ("b", 2.0))``."""
    if not isinstance(entries, list):
        raise InputError(field, "must be a list of species", "write [\"species_name\"]")
    result = []
    for index, entry in enumerate(entries):
        where = f"{field}[{index}]"
        if isinstance(entry, dict):
            number = entry.get("stoichiometry", 1.0)
            if isinstance(number, bool) or not isinstance(number, int | float) or number <= 0:
                raise InputError(f"{where}.stoichiometry", "must be a positive number", "e.g. 1")
            result.append((_identifier(entry.get("species"), f"{where}.species"), float(number)))
        else:
            result.append((_identifier(entry, where), 1.0))
    return tuple(result)


def _reaction(table: object, field: str) -> Reaction:
    if not isinstance(table, dict):
        raise InputError(field, "is not a table", "write [[reactions]] entries")
    unknown = sorted(set(table) - _REACTION_KEYS)
    if unknown:
        raise InputError(field, f"unknown keys {unknown}", f"use only {sorted(_REACTION_KEYS)}")
    modifiers = table.get("modifiers", [])
    if not isinstance(modifiers, list):
        raise InputError(f"{field}.modifiers", "must be a list of names", "write [\"name\"]")
    return Reaction(
        name=_identifier(table.get("name"), f"{field}.name"),
        rate=_check_formula(table.get("rate"), f"{field}.rate"),
        reactants=_stoichiometry(table.get("reactants", []), f"{field}.reactants"),
        products=_stoichiometry(table.get("products", []), f"{field}.products"),
        modifiers=tuple(_identifier(m, f"{field}.modifiers[{i}]")
                        for i, m in enumerate(modifiers)),
        description=str(table.get("description", "")),
    )


def _species(table: object, field: str) -> Species:
    if not isinstance(table, dict):
        raise InputError(field, "is not a table", "write [[species]] entries")
    initial = table.get("initial")
    if isinstance(initial, bool) or not isinstance(initial, int | float) or initial < 0:
        raise InputError(f"{field}.initial", "must be a number >= 0", "e.g. initial = 1.0")
    unit = table.get("unit")
    if not isinstance(unit, str) or not unit.strip():
        raise InputError(f"{field}.unit", "is missing", "e.g. unit = \"1 (normalised)\"")
    return Species(_identifier(table.get("name"), f"{field}.name"), float(initial), unit,
                   str(table.get("description", "")))


def _check_references(network: Network, where: str) -> None:
    """Every formula name is known, every species/input it uses is a reactant or modifier."""
    species, inputs = set(network.species_names), set(network.input_names)
    parameters = set(network.parameters)
    names = [*species, *inputs, *network.reaction_names]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(where, f"name {duplicates[0]!r} is used twice", "make names unique")
    for index, reaction in enumerate(network.reactions):
        field = f"{where}.reactions[{index}]"
        stoichiometric = {n for n, _ in (*reaction.reactants, *reaction.products)}
        for name in stoichiometric:
            if name not in species:
                raise InputError(field, f"{name!r} is not a species", "declare it in [[species]]")
        for name in reaction.modifiers:
            if name not in species | inputs:
                raise InputError(f"{field}.modifiers", f"{name!r} is not a species or input",
                                 "declare it")
        for name in formula_names(reaction.rate):
            if name not in species | inputs | parameters:
                raise InputError(f"{field}.rate", f"unknown name {name!r}",
                                 "use species, inputs or parameters of the network")
            if name in species | inputs and name not in stoichiometric | set(reaction.modifiers):
                raise InputError(f"{field}.modifiers", f"{name!r} is used in the rate",
                                 "list it as a reactant or modifier")


def _network(document: dict[str, Any], where: str, parameters: ParameterSet | None) -> Network:
    unknown = sorted(set(document) - _NETWORK_KEYS)
    if unknown:
        raise InputError(where, f"unknown sections {unknown}", f"use {sorted(_NETWORK_KEYS)}")
    header = document.get("network")
    if not isinstance(header, dict):
        raise InputError(f"{where}.network", "is missing", "write a [network] table")
    if parameters is None:
        parameter_file = header.get("parameters")
        if not isinstance(parameter_file, str):
            raise InputError(f"{where}.network.parameters", "is missing",
                             "name the parameter file, e.g. parameters = \"signaling_synaptic\"")
        parameters = load_parameter_set(package_parameter_file(parameter_file))
    network = Network(
        name=_identifier(header.get("name"), f"{where}.network.name"),
        description=str(header.get("description", "")),
        species=tuple(_species(t, f"{where}.species[{i}]")
                      for i, t in enumerate(document.get("species", []))),
        inputs=tuple(Input(_identifier(t.get("name"), f"{where}.inputs[{i}].name"),
                           str(t.get("description", "")))
                     for i, t in enumerate(document.get("inputs", []))),
        reactions=tuple(_reaction(t, f"{where}.reactions[{i}]")
                        for i, t in enumerate(document.get("reactions", []))),
        parameters=parameters,
    )
    if not network.species or not network.reactions:
        raise InputError(where, "declares no species or no reactions", "declare both")
    _check_references(network, where)
    return network


def _network_directory() -> Path:
    return Path(str(resources.files("synpharm.signaling").joinpath("networks")))


def list_networks() -> list[str]:
    """Names of the networks shipped with synpharm."""
    return sorted(path.stem for path in _network_directory().glob("*.toml"))


@lru_cache(maxsize=8)
def _load_packaged(name: str) -> Network:
    path = _network_directory() / f"{name}.toml"
    return load_network_file(path)


def load_network_file(path: str | Path, parameters: ParameterSet | None = None) -> Network:
    """Read and check a network file; ``parameters`` overrides the file's parameter set."""
    path = Path(path)
    try:
        document = loads_toml(read_input_bytes(path).decode("utf-8"), str(path))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(str(path), f"cannot read network file ({error})", "fix the TOML") from None
    return _network(document, path.name, parameters)


def load_network(name: str = "synaptic_signaling") -> Network:
    """A network shipped with synpharm by name, or a network file by path.

    Examples
    --------
    >>> net = load_network("synaptic_signaling")
    >>> "mtorc1_active" in net.species_names
    True
    """
    if name in list_networks():
        return _load_packaged(name)
    if Path(name).suffix == ".toml" and Path(name).is_file():
        return load_network_file(name)
    raise InputError("network", f"unknown network {name!r}",
                     f"use one of: {', '.join(list_networks())}, or a .toml file")

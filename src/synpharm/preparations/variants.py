"""Preparation variants: a base preparation with unit-checked parameter overrides.

A variant is written as a ``[preparation]`` table (in a protocol, a targets-file target or a
variant file of its own)::

    [preparation]
    name = "ca1_ventral"                  # optional label
    base = "ca1_slice"                    # a preparation name, or another variant file
    description = "ventral CA1 slice"     # optional

    [preparation.overrides]
    girk_conductance_max = "0.2 nS"       # value with unit (checked against the parameter kind)
    gabab_max_calcium_inhibition_glutamatergic = {value = 0.6, source = "Author 2020 J 1:2"}

or as a path to such a file (``preparation = "variants/ca1_ventral.toml"``). An override can be
text or a table with ``value`` and a ``source`` or ``calibrated`` note (kept as the provenance
of the overridden parameter). Unknown keys and parameter names are errors that name the key and
the nearest valid ones.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from synpharm.errors import InputError

__all__ = ["PreparationVariant", "apply_preparation", "build_preparation", "read_variant"]

_VARIANT_KEYS = ("name", "base", "description", "overrides", "source")
_OVERRIDE_KEYS = ("value", "source", "calibrated", "note")


@dataclass(frozen=True)
class PreparationVariant:
    """A base preparation and the parameter overrides that make the variant.

    Attributes
    ----------
    name
        Label of the variant (the file stem or ``base`` when none is given).
    base
        Name of the base preparation, e.g. ``"ca1_slice"``.
    overrides
        ``(parameter, value text, provenance)`` triples, values as written (parsed on build).
    where
        Field or file the variant came from (prefix of error messages).
    """

    name: str
    base: str
    overrides: tuple[tuple[str, str, str], ...]
    where: str


#: how the parameter files mark an on/off switch of a mechanism (its source text begins so)
MODEL_SWITCH = "model switch"


def nearest(name: str, choices: list[str] | tuple[str, ...]) -> str:
    """'did you mean' text: the closest valid names, or all of them when few."""
    close = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.5)
    if close:
        return "nearest valid: " + ", ".join(close)
    shown = sorted(choices)
    return "valid: " + ", ".join(shown[:12]) + (" ..." if len(shown) > 12 else "")


def _check_keys(table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise InputError(f"{where}.{key}", "is not a known key", nearest(key, allowed))


def _override(name: str, entry: object, where: str) -> tuple[str, str, str]:
    field = f"{where}.overrides.{name}"
    if isinstance(entry, Mapping):
        _check_keys(entry, _OVERRIDE_KEYS, field)
        if "value" not in entry:
            raise InputError(field, "has no 'value'", "write value = '2 uM'")
        provenance = str(entry.get("source") or "")
        if entry.get("calibrated"):
            provenance = f"calibrated: {entry['calibrated']}"
        entry = entry["value"]
    else:
        provenance = ""
    if isinstance(entry, bool) or not isinstance(entry, str | int | float):
        raise InputError(field, f"{entry!r} is not a value", "write a value with its unit")
    return name, str(entry), provenance


def read_variant(spec: object, base_dir: Path, where: str) -> PreparationVariant:
    """A :class:`PreparationVariant` from a ``[preparation]`` table or a variant file path.

    Parameters
    ----------
    spec
        The table, or a path (relative to ``base_dir``) to a TOML file with a ``[preparation]``
        table.
    base_dir
        Folder relative paths are resolved against.
    where
        Field name for error messages, e.g. ``"my_targets.toml: targets[X].preparation"``.
    """
    if isinstance(spec, str):
        path = (base_dir / spec) if not Path(spec).is_absolute() else Path(spec)
        if not path.is_file():
            raise InputError(where, f"no preparation variant file {str(path)!r}",
                             "give a path relative to the file that names it")
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise InputError(str(path), f"is not valid TOML ({error})", "fix the syntax") from None
        _check_keys(document, ("preparation",), str(path))
        variant = read_variant(document.get("preparation"), path.parent, f"{path}: preparation")
        return variant if variant.name != variant.base else replace(variant, name=path.stem)
    if not isinstance(spec, Mapping):
        raise InputError(where, f"{spec!r} is not a [preparation] table or a file path",
                         "write base = 'ca1_slice' and [preparation.overrides]")
    _check_keys(spec, _VARIANT_KEYS, where)
    base = spec.get("base")
    if not isinstance(base, str) or not base:
        raise InputError(f"{where}.base", "is missing", "name the base preparation, e.g. ca1_slice")
    overrides = spec.get("overrides", {})
    if not isinstance(overrides, Mapping):
        raise InputError(f"{where}.overrides", "is not a table", "write name = 'value unit'")
    entries = tuple(_override(k, v, where) for k, v in overrides.items())
    if base.endswith(".toml"):  # a variant of a variant: its overrides first
        parent = read_variant(base, base_dir, f"{where}.base")
        entries = (*parent.overrides, *entries)
        base = parent.base
    return PreparationVariant(str(spec.get("name", base)), base, entries, where)


def build_preparation(variant: PreparationVariant, base: Callable[[str], Any]) -> Any:
    """The base preparation with the variant's overrides (SI, unit-checked), renamed.

    ``base`` returns a preparation by name (e.g. :func:`synpharm.preparations.preparation`); it is
    passed in so that this module imports nothing above the preparations layer.

    Raises
    ------
    InputError
        Unknown base, unknown parameter (with the nearest valid names), wrong unit or a
        non-finite value; the field names the variant and the parameter.
    """
    from synpharm.parameters import Parameter
    from synpharm.units import parse_quantity

    prep = base(variant.base)
    parameters = prep.parameters
    entries = dict(parameters.entries)
    for name, text, provenance in variant.overrides:
        field = f"{variant.where}.overrides.{name}"
        if name not in entries:
            raise InputError(field, f"is not a parameter of preparation {variant.base!r}",
                             nearest(name, list(entries)))
        old: Parameter = entries[name]
        value = parse_quantity(text, old.kind, field)
        if not math.isfinite(value):
            raise InputError(field, f"{text!r} is not finite", "give a finite value")
        if old.source.startswith(MODEL_SWITCH) and value not in (0.0, 1.0):
            raise InputError(field, f"{text!r} is not 0 or 1 (a model switch)",
                             "give 0 (off) or 1 (on)")
        source = provenance or f"override in {variant.where}"
        entries[name] = replace(old, value=float(value), text=text, source=source,
                                calibrated="", note=f"variant {variant.name}")
    new_parameters = type(parameters)(f"{parameters.name}+{variant.name}", entries)
    return replace(prep, parameters=new_parameters)


def apply_preparation(protocol: Any, spec: object, base_dir: Path, where: str,
                      base: Callable[[str], Any]) -> Any:
    """The preparation a protocol runs in when a target or protocol names a variant, else None.

    ``spec`` is a target's variant (table or path) or ``None``; a protocol's own
    ``preparation_variant`` is used when ``spec`` is ``None``. ``base`` looks preparations up
    by name (see :func:`build_preparation`).
    """
    if spec is None:
        spec = getattr(protocol, "preparation_variant", None)
        base_dir = Path(getattr(protocol, "folder", None) or base_dir)
    if spec is None:
        return None
    return build_preparation(read_variant(spec, base_dir, where), base)

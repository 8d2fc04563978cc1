"""Reading protocol steps and drugs from TOML tables into the typed objects of :mod:`._steps`.

Values are converted to SI units with :mod:`synpharm.units`; errors name the location
(``"steps[2].duration"``). Indices in field names count from 0, like TOML arrays in Python.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from synpharm.errors import InputError
from synpharm.protocols._steps import STEP_TYPES, Drug, Step, Train, WashIn, _positive, within
from synpharm.units import parse_quantity

__all__ = ["parse_drugs", "parse_step"]

# How each field is read from TOML: field name -> reader(value, full field name).
_Reader = Callable[[Any, str], Any]


def _quantity(kind: str) -> _Reader:
    return lambda value, name: parse_quantity(value, kind, name)


def _as_is(value: Any, name: str) -> Any:
    return value


def _string_list(value: Any, name: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list):
        raise InputError(name, f"{value!r} is not a list", "give a list such as ['ketamine']")
    return tuple(value)


def _number_list(value: Any, name: str) -> tuple[Any, ...]:
    if isinstance(value, str) or not isinstance(value, list):
        raise InputError(name, f"{value!r} is not a list", "give a list such as [0.2, 0.5, 1.0]")
    return tuple(value)


_READERS: dict[str, _Reader] = {
    "duration": _quantity("time"),
    "test_rate": _quantity("frequency"),
    "exchange_time": _quantity("time"),
    "frequency": _quantity("frequency"),
    "interval": _quantity("time"),
    "burst_rate": _quantity("frequency"),
    "rate": _quantity("frequency"),
    "n_trains": _as_is,
    "pulses": _as_is,
    "bursts": _as_is,
    "pairs": _as_is,
    "repeats": _as_is,
    "intensities": _number_list,
    "compounds": _string_list,
}


def parse_drugs(table: Mapping[str, Any], where: str) -> tuple[Drug, ...] | None:
    """Read ``compound``/``concentration`` (one drug) or ``drugs = [{...}, ...]`` from a table.

    Returns ``None`` when the table names no drug. The keys are removed from consideration by
    the caller.
    """
    has_single = "compound" in table or "concentration" in table
    if has_single and "drugs" in table:
        raise InputError(
            f"{where}.drugs",
            "given together with compound/concentration",
            "use either compound and concentration, or a drugs list",
        )
    if has_single:
        return (_drug(table, where),)
    if "drugs" not in table:
        return None
    items = table["drugs"]
    if not isinstance(items, list):
        raise InputError(
            f"{where}.drugs",
            f"{items!r} is not a list",
            "write drugs = [{compound = 'x', concentration = '10 uM'}]",
        )
    drugs = []
    for i, item in enumerate(items):
        name = f"{where}.drugs[{i}]"
        if not isinstance(item, dict):
            raise InputError(
                name, f"{item!r} is not a table", "write {compound = 'x', concentration = '10 uM'}"
            )
        unknown = sorted(set(item) - {"compound", "concentration"})
        if unknown:
            raise InputError(
                name,
                f"unknown key(s) {', '.join(map(repr, unknown))}",
                "a drug has only compound and concentration",
            )
        drugs.append(_drug(item, name))
    return tuple(drugs)


def _drug(table: Mapping[str, Any], where: str) -> Drug:
    for key in ("compound", "concentration"):
        if key not in table:
            raise InputError(
                f"{where}.{key}",
                "is missing",
                "give both compound and concentration, e.g. concentration = '10 uM'",
            )
    compound = table["compound"]
    if not isinstance(compound, str):
        raise InputError(
            f"{where}.compound",
            f"{compound!r} is not a compound name",
            "give a name such as 'ketamine'",
        )
    concentration = parse_quantity(
        table["concentration"], "concentration", f"{where}.concentration"
    )
    try:
        return Drug(compound, concentration)
    except InputError as error:
        raise within(where, error) from None


def _train_pulses(table: dict[str, Any], where: str) -> None:
    """Replace ``duration`` by ``pulses = round(duration * frequency)`` for a train."""
    if "duration" not in table:
        return
    if "pulses" in table:
        raise InputError(
            f"{where}.duration", "given together with pulses", "give either pulses or duration"
        )
    if "frequency" not in table:
        raise InputError(f"{where}.frequency", "is missing", "give a frequency such as '100 Hz'")
    duration = parse_quantity(table.pop("duration"), "time", f"{where}.duration")
    frequency = parse_quantity(table["frequency"], "frequency", f"{where}.frequency")
    duration = _wrap(where, lambda: _positive(duration, "time", "duration"))
    table["pulses"] = max(1, round(duration * frequency))


def _wrap(where: str, build: Callable[[], Any]) -> Any:
    try:
        return build()
    except InputError as error:
        raise within(where, error) from None


def parse_step(table: object, index: int) -> Step:
    """Build one step from its TOML table (``[[steps]]`` number ``index``, counting from 0)."""
    where = f"steps[{index}]"
    if not isinstance(table, dict):
        raise InputError(where, f"{table!r} is not a table", "write [[steps]] with a type")
    table = dict(table)
    kind = table.pop("type", None)
    if kind is None:
        raise InputError(f"{where}.type", "is missing", f"use one of {', '.join(STEP_TYPES)}")
    if kind not in STEP_TYPES:
        raise InputError(
            f"{where}.type", f"unknown step type {kind!r}", f"use one of {', '.join(STEP_TYPES)}"
        )
    cls = STEP_TYPES[kind]
    values: dict[str, Any] = {}
    if cls is WashIn:
        values["drugs"] = parse_drugs(table, where)
        for key in ("compound", "concentration", "drugs"):
            table.pop(key, None)
    if cls is Train:
        _train_pulses(table, where)
    values.update(_read_fields(cls, table, where, skip=set(values)))
    return _wrap(where, lambda: cls(**values))


def _read_fields(
    cls: type[Step], table: dict[str, Any], where: str, skip: set[str]
) -> dict[str, Any]:
    """Read the fields of ``cls`` from ``table``: unit parsing, missing and unknown keys."""
    kind = cls.type
    values: dict[str, Any] = {}
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(table) - set(fields))
    if unknown:
        raise InputError(
            where,
            f"unknown key(s) {', '.join(map(repr, unknown))} for a {kind} step",
            f"allowed keys: {', '.join(['type', *fields])}",
        )
    for name, spec in fields.items():
        if name in skip:
            continue
        if name in table:
            values[name] = _READERS[name](table[name], f"{where}.{name}")
        elif spec.default is dataclasses.MISSING:
            raise InputError(f"{where}.{name}", "is missing", f"add {name} to the {kind} step")
    return values

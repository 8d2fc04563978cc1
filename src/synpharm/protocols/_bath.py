"""The bathing solution of a virtual experiment: ACSF Ca2+, Mg2+ and temperature.

``[experiment.bath]`` sets them for every condition and a condition's own ``bath`` table
overrides them field by field; a field left out everywhere means the preparation's reference
ACSF (the solution its parameters were taken in, e.g. ``calcium_concentration`` of
``parameters/ca1_slice.toml``). Values are stored in the internal SI units of
:mod:`synpharm.units` (mol/m^3, i.e. mM, and kelvin).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from synpharm.errors import InputError
from synpharm.units import parse_quantity, to_unit

__all__ = ["Bath", "bath_dict", "parse_bath"]

#: field -> (unit kind, unit written back to TOML)
BATH_FIELDS: dict[str, tuple[str, str]] = {
    "calcium": ("concentration", "mM"),
    "magnesium": ("concentration", "mM"),
    "temperature": ("temperature", "degC"),
}
#: a slice bath is liquid water and below protein denaturation: 0-45 degC [K]
_TEMPERATURE_RANGE = (273.15, 318.15)


@dataclass(frozen=True)
class Bath:
    """ACSF composition and temperature; ``None`` = not set here (inherited).

    Parameters
    ----------
    calcium
        Bath Ca2+ [mol/m^3] (numerically mM), >= 0.
    magnesium
        Bath Mg2+ [mol/m^3], >= 0.
    temperature
        Bath temperature [K], 0-45 degC.

    Examples
    --------
    >>> Bath(calcium=1.3).over(Bath(calcium=2.5, magnesium=1.3))
    Bath(calcium=1.3, magnesium=1.3, temperature=None)
    """

    calcium: float | None = None
    magnesium: float | None = None
    temperature: float | None = None

    def __post_init__(self) -> None:
        for name in BATH_FIELDS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _checked(name, value))

    def over(self, base: Bath) -> Bath:
        """This bath with its unset fields taken from ``base``."""
        return Bath(*(getattr(self, n) if getattr(self, n) is not None else getattr(base, n)
                      for n in BATH_FIELDS))

    @property
    def is_empty(self) -> bool:
        """True when no field is set."""
        return all(getattr(self, spec.name) is None for spec in fields(self))


def _checked(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(name, f"{value!r} is not a number", "give a value with a unit")
    value = float(value)
    kind, unit = BATH_FIELDS[name]
    if kind == "temperature":
        low, high = _TEMPERATURE_RANGE
        if not (math.isfinite(value) and low <= value <= high):
            shown = f"{to_unit(value, kind, unit):g} {unit}" if math.isfinite(value) else value
            raise InputError(name, f"must be between 0 and 45 degC, got {shown}",
                             "give a bath temperature such as '32 degC'")
    elif not math.isfinite(value) or value < 0:
        shown = f"{to_unit(value, kind, unit):g} {unit}" if math.isfinite(value) else value
        raise InputError(name, f"must be zero or positive, got {shown}",
                         "give a concentration such as '2.5 mM'")
    return value


def parse_bath(table: object, where: str) -> Bath:
    """A :class:`Bath` from a TOML table such as ``{calcium = "2.5 mM"}``.

    Errors name the full field, e.g. ``experiment.bath.calcium`` (``where`` is the table).
    """
    if not isinstance(table, Mapping):
        raise InputError(where, f"{table!r} is not a table",
                         "write a table such as {calcium = '2.5 mM', magnesium = '1.3 mM'}")
    unknown = sorted(set(table) - set(BATH_FIELDS))
    if unknown:
        raise InputError(where, f"unknown key(s) {', '.join(map(repr, unknown))}",
                         f"allowed keys: {', '.join(BATH_FIELDS)}")
    values = {}
    for name, text in table.items():
        field = f"{where}.{name}"
        value = parse_quantity(text, BATH_FIELDS[name][0], field)
        try:
            values[name] = _checked(name, value)
        except InputError as error:
            raise InputError(field, error.problem, error.fix) from None
    return Bath(**values)


def bath_dict(bath: Bath) -> dict[str, Any]:
    """The set fields as TOML strings that :func:`parse_bath` reads back to the same values."""
    out = {}
    for name, (kind, unit) in BATH_FIELDS.items():
        value = getattr(bath, name)
        if value is not None:
            out[name] = _exact_text(value, kind, unit)
    return out


def _exact_text(value: float, kind: str, unit: str) -> str:
    for digits in (12, 15, 17):
        text = f"{to_unit(value, kind, unit):.{digits}g} {unit}"
        if parse_quantity(text, kind, "value") == value:
            return text
    return f"{value!r} {'K' if kind == 'temperature' else 'mol/m**3'}"

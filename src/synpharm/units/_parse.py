"""Strict unit parsing with pint; every kind maps to one SI unit."""

from __future__ import annotations

import math
import sys
from functools import lru_cache
from typing import Any

from synpharm.errors import InputError

#: kind -> (internal SI unit as a pint expression, an example for error messages)
KINDS: dict[str, tuple[str, str]] = {
    "time": ("second", "'20 min'"),
    "frequency": ("hertz", "'100 Hz'"),
    "concentration": ("mol / m**3", "'10 uM'"),
    "voltage": ("volt", "'-70 mV'"),
    "conductance": ("siemens", "'0.5 nS'"),
    "current": ("ampere", "'100 pA'"),
    "length": ("meter", "'10 um'"),
    "dose": ("kg / kg", "'10 mg/kg'"),
    "volume_per_body_mass": ("m**3 / kg", "'0.063 L/kg'"),
    "mass": ("kilogram", "'50 mg'"),
    "dimensionless": ("dimensionless", "'0.5'"),
    "rate_constant": ("1 / second", "'0.2 /s'"),
    "second_order_rate": ("m**3 / mol / second", "'1e5 /M/s'"),
    "volume": ("m**3", "'0.05 um**3'"),
    "capacitance": ("farad", "'150 pF'"),
    "inverse_voltage": ("1 / volt", "'0.062 /mV'"),
    "temperature": ("kelvin", "'32 degC'"),
}


@lru_cache(maxsize=1)
def _registry() -> Any:
    pint = _import_pint()
    registry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    registry.define("molar = mole / liter = M")
    registry.define("percent_ = 0.01 = %")
    return registry


def _import_pint() -> Any:
    """``pint``, imported without its optional dask support when dask is not loaded yet.

    pint imports dask (0.1-0.2 s) only to recognise dask arrays, which synpharm never hands it;
    skipping that keeps every command's start (and its first error line) fast.
    """
    if "dask" in sys.modules:
        import pint

        return pint
    sys.modules["dask"] = None  # type: ignore[assignment]  # find_spec("dask") -> None
    try:
        import pint
    finally:
        del sys.modules["dask"]
    return pint


def _kind_of(text: str) -> str:
    for kind, (unit, _) in KINDS.items():
        try:
            if _registry().Quantity(1, text).check(_registry()(unit).dimensionality):
                return kind
        except Exception:
            continue
    return "unknown"


def _quantity(text: str, field: str) -> Any:
    registry = _registry()
    try:
        return registry.Quantity(text.replace("µ", "u").replace("μ", "u"))
    except Exception as error:  # pint raises many error types
        raise InputError(
            field,
            f"cannot read {text!r} as a quantity ({error})",
            "write a number and a unit, such as '10 uM' or '20 min'",
        ) from None


def _lacks_unit(quantity: Any, kind: str) -> bool:
    """A bare number where a unit is needed (a dose, mg/kg, is dimensionless in SI)."""
    if kind == "dose":
        return bool(quantity.dimensionless) and "gram" not in str(quantity.units)
    return kind != "dimensionless" and bool(quantity.dimensionless)


def parse_quantity(value: str | float | int, kind: str, field: str) -> float:
    """Parse a value with units into the internal SI unit of ``kind``.

    Parameters
    ----------
    value
        A string such as ``"10 uM"``; bare numbers are accepted only for ``"dimensionless"``.
    kind
        One of :data:`KINDS`.
    field
        Name of the field being parsed, used in error messages.

    Returns
    -------
    float
        The value in the internal unit (see module docstring).

    Raises
    ------
    InputError
        Missing or wrong unit, NaN or infinite values.

    Examples
    --------
    >>> parse_quantity("10 uM", "concentration", "concentration")
    0.01
    >>> parse_quantity("20 min", "time", "duration")
    1200.0
    """
    if kind not in KINDS:
        raise ValueError(f"unknown quantity kind {kind!r}")
    unit, example = KINDS[kind]
    if isinstance(value, bool):
        raise InputError(field, f"{value!r} is not a quantity", f"give a {kind} such as {example}")
    if isinstance(value, int | float):
        if kind != "dimensionless":
            raise InputError(field, f"{value!r} has no unit", f"give a {kind} such as {example}")
        quantity = _registry().Quantity(float(value))
    elif isinstance(value, str):
        quantity = _quantity(value.strip(), field)
    else:
        raise InputError(field, f"{value!r} is not a quantity", f"give a {kind} such as {example}")
    target = _registry()(unit)
    if _lacks_unit(quantity, kind):
        raise InputError(field, f"{value!r} has no unit", f"give a {kind} such as {example}")
    if not quantity.check(target.dimensionality):
        found = _kind_of(str(quantity.units))
        raise InputError(
            field,
            f"{value!r} is a {found} quantity, not a {kind}",
            f"give a {kind} such as {example}",
        )
    magnitude = float(quantity.to(target).magnitude)
    if not math.isfinite(magnitude):
        raise InputError(
            field, f"{value!r} is not a finite number", f"give a {kind} such as {example}"
        )
    return magnitude


def to_unit(value_si: float, kind: str, unit: str) -> float:
    """Convert an internal SI value of ``kind`` into ``unit`` (e.g. 0.01 M-SI -> 10 uM)."""
    registry = _registry()
    return float(registry.Quantity(value_si, KINDS[kind][0]).to(unit).magnitude)


def format_quantity(value_si: float, kind: str, unit: str) -> str:
    """Format an internal value, e.g. ``format_quantity(0.01, 'concentration', 'uM')``."""
    return f"{to_unit(value_si, kind, unit):g} {unit}"

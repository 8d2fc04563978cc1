"""Preparations: parameter data plus the model pieces it uses, never an engine.

Field-recording slices (:mod:`.ca1_slice`, :mod:`.dentate_gyrus`; the constants and virtual
cohorts the slice solver integrates), single-connection preparations with quantal release
(:mod:`.quantal`: mossy fibre, cultured neurons) and the human motor cortex
(:mod:`.human_motor_cortex`). :func:`preparation` builds one by the name a protocol gives
(``experiment.preparation``).
"""

from __future__ import annotations

import importlib
from typing import Any

from synpharm.errors import InputError

__all__ = ["FIELD_PREPARATIONS", "preparation", "preparation_names"]

#: field-recording slice preparations: name -> "module:function" (imported when used)
FIELD_PREPARATIONS: dict[str, str] = {
    "ca1_slice": "synpharm.preparations.ca1_slice:ca1_slice",
    "dentate_gyrus_slice": "synpharm.preparations.dentate_gyrus:dentate_gyrus_slice",
}


def preparation_names() -> list[str]:
    """Every preparation a slice protocol can name, sorted."""
    from synpharm.preparations.quantal import QUANTAL_PREPARATIONS

    return sorted([*FIELD_PREPARATIONS, *QUANTAL_PREPARATIONS])


def preparation(name: str) -> Any:
    """A preparation by name, with the default parameters of its data file.

    Raises
    ------
    InputError
        Unknown name (``experiment.preparation``).
    """
    from synpharm.preparations.quantal import QUANTAL_PREPARATIONS

    if name in QUANTAL_PREPARATIONS:
        return QUANTAL_PREPARATIONS[name]()
    if name not in FIELD_PREPARATIONS:
        raise InputError("experiment.preparation", f"unknown preparation {name!r}",
                         f"use one of: {', '.join(preparation_names())}")
    module, function = FIELD_PREPARATIONS[name].split(":")
    return getattr(importlib.import_module(module), function)()

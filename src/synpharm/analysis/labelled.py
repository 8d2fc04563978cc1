"""Results as labelled arrays (:mod:`xarray`): per-pulse tables and readouts by condition.

:meth:`synpharm.analysis.results.ExperimentResult.to_xarray` calls these; xarray comes with the
``[xarray]`` extra (``pip install 'synpharm[xarray]'``).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np

__all__ = ["pulses_dataset", "readouts_dataset"]

#: SI unit of each per-pulse measure of a field recording (single-cell tables carry their own)
_FIELD_UNITS = {"fepsp_slope": "V/s", "fepsp_amplitude": "V", "fiber_volley_amplitude": "V"}


def _xarray() -> Any:
    from synpharm.extras import require

    require("xarray", "to_xarray()")
    import xarray as xr

    return xr


def _measures(table: Any) -> dict[str, np.ndarray]:
    """Every (subjects x pulses) array of a pulse or response table, by field name."""
    return {f.name: np.asarray(getattr(table, f.name), dtype=float) for f in fields(table)
            if np.ndim(getattr(table, f.name)) == 2}


def _unit(table: Any, name: str) -> str:
    if name in _FIELD_UNITS:
        return _FIELD_UNITS[name]
    return "A" if getattr(table, "unit", "").endswith("A") else "V"


def _condition_dataset(xr: Any, condition: Any) -> Any:
    table = condition.pulses
    time = np.asarray(table.time, dtype=float)
    variables = {
        name: (("slice", "time"), values, {"units": _unit(table, name)})
        for name, values in _measures(table).items()
    }
    n_slices = next(iter(variables.values()))[1].shape[0] if variables else 0
    coords = {
        "slice": np.arange(n_slices),
        "time": ("time", time, {"units": "s", "long_name": "stimulus time from protocol start"}),
        "kind": ("time", np.asarray(table.kind).astype(str)),
        "intensity": ("time", np.asarray(table.intensity, dtype=float)),
    }
    return xr.Dataset(variables, coords=coords)


def pulses_dataset(result: Any) -> Any:
    """The per-pulse measurements as a Dataset with dimensions condition x slice x time.

    One variable per measure (SI units in its ``units`` attribute, e.g. ``fepsp_slope`` [V/s]);
    coordinates ``time`` [s], ``kind`` and ``intensity`` along time. Conditions with fewer
    slices are padded with NaN.

    Raises
    ------
    ValueError
        The result has no per-pulse table (a study), or its conditions stimulate at
        different times.
    """
    xr = _xarray()
    conditions = [c for c in result.conditions if c.pulses is not None]
    if not conditions:
        raise ValueError(f"{result.protocol_name!r} has no per-pulse table; "
                         "use to_xarray('readouts')")
    times = [np.asarray(c.pulses.time, dtype=float) for c in conditions]
    if any(t.shape != times[0].shape or not np.array_equal(t, times[0]) for t in times):
        raise ValueError("the conditions stimulate at different times; "
                         "use to_dataframe('pulses')")
    datasets = [_condition_dataset(xr, c) for c in conditions]
    names = [c.name for c in conditions]
    combined = xr.concat(datasets, dim="condition", join="outer", coords="minimal",
                         compat="override")
    return combined.assign_coords(condition=names).assign_attrs(
        protocol=result.protocol_name)


def readouts_dataset(result: Any) -> Any:
    """The readouts as a Dataset with dimensions condition x subject, one variable each.

    Subjects are slices, cells, animals or people in their order within each condition;
    conditions with fewer subjects (or without a readout) are padded with NaN.
    """
    xr = _xarray()
    names = [c.name for c in result.conditions]
    readouts = list(dict.fromkeys(k for c in result.conditions for k in c.readouts))
    n = max((len(r.values) for c in result.conditions for r in c.readouts.values()), default=0)
    variables = {}
    for name in readouts:
        values = np.full((len(names), n), np.nan)
        unit = ""
        for i, condition in enumerate(result.conditions):
            if name in condition.readouts:
                r = condition.readouts[name]
                values[i, : len(r.values)] = np.asarray(r.values, dtype=float)
                unit = r.unit
        variables[name] = (("condition", "subject"), values, {"units": unit})
    coords = {"condition": names, "subject": np.arange(n)}
    return xr.Dataset(variables, coords=coords, attrs={"protocol": result.protocol_name})

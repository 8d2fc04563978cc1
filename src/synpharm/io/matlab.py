"""MATLAB ``.mat`` files holding stimulus-aligned traces (scipy.io; h5py for v7.3 files).

A MATLAB file states neither units nor sampling rate, so both must be given (or a scalar
variable ``fs`` / ``sampling_rate`` [Hz] in the file gives the rate). The traces variable is a
numeric array or a cell array of arrays; a cell array's row is the channel and its column the
group (e.g. stimulus intensity). Each numeric block is ``samples x repetitions`` (MATLAB's
column-per-trace layout, ``layout="samples_by_sweeps"``) or ``repetitions x samples``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from synpharm.errors import InputError
from synpharm.io._recording import Recording, flat_indices, stated_or_file_units

__all__ = ["LAYOUTS", "read_mat"]

LAYOUTS = ("samples_by_sweeps", "sweeps_by_samples")
_RATE_NAMES = ("fs", "sampling_rate", "sample_rate", "sr")


def _load(path: Path) -> dict[str, Any]:
    import scipy.io

    try:
        data = scipy.io.loadmat(path, squeeze_me=False, struct_as_record=False)
    except NotImplementedError:  # MATLAB v7.3 = HDF5
        return _load_hdf5(path)
    except Exception as error:
        import h5py

        if h5py.is_hdf5(path):  # v7.3 written without the MATLAB header
            return _load_hdf5(path)
        raise InputError(
            str(path), f"not a readable MATLAB file ({' '.join(str(error).split())})", ""
        ) from None
    return {k: v for k, v in data.items() if not k.startswith("__")}


def _load_hdf5(path: Path) -> dict[str, Any]:
    import h5py

    out: dict[str, Any] = {}
    with h5py.File(path, "r") as handle:
        for name, item in handle.items():
            if name.startswith("#") or not isinstance(item, h5py.Dataset):
                continue
            if item.dtype == h5py.ref_dtype:  # cell array: an array of references
                cells = np.empty(item.shape, dtype=object)
                for index in np.ndindex(item.shape):
                    cells[index] = np.asarray(handle[item[index]]).T
                out[name] = cells.T
            else:
                out[name] = np.asarray(item).T  # HDF5 stores MATLAB arrays transposed
    return out


def _numeric_block(value: Any, layout: str, where: str) -> np.ndarray:
    try:
        block = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(where, "is not a numeric array", "give an array of traces") from None
    if block.ndim == 1:
        return block[None, :]
    block = np.squeeze(block) if block.ndim > 2 else block
    if block.ndim != 2:
        raise InputError(where, f"has shape {np.shape(value)}", "give a 2-D array of traces")
    return block.T if layout == "samples_by_sweeps" else block


def _blocks(value: Any, layout: str, where: str) -> list[tuple[int, int, np.ndarray]]:
    """(channel, group, sweeps) per numeric block; a cell array is channel x group."""
    if isinstance(value, np.ndarray) and value.dtype == object:
        cells = value if value.ndim == 2 else value.reshape(1, -1)
        return [
            (r, c, _numeric_block(cells[r, c], layout, f"{where}{{{r + 1},{c + 1}}}"))
            for r in range(cells.shape[0])
            for c in range(cells.shape[1])
            if np.size(cells[r, c])
        ]
    return [(0, 0, _numeric_block(value, layout, where))]


def _file_rate(data: dict[str, Any]) -> float | None:
    for name in _RATE_NAMES:
        if name in data and np.size(data[name]) == 1:
            return float(np.asarray(data[name], dtype=float).ravel()[0])
    return None


def _pick_variable(data: dict[str, Any], variable: str | None, path: Path) -> str:
    names = sorted(data)
    if variable is None:
        candidates = [n for n in names if n not in _RATE_NAMES]
        if len(candidates) == 1:
            return candidates[0]
        raise InputError(
            "--variable",
            f"{path.name} holds {', '.join(candidates) or 'no variables'}",
            "name the variable with the traces, e.g. --variable traces",
        )
    if variable not in data:
        raise InputError(
            "--variable",
            f"{path.name} has no variable {variable!r} (it holds {', '.join(names) or 'none'})",
            "give one of those names",
        )
    return variable


def read_mat(
    path: str | Path,
    *,
    variable: str | None = None,
    sampling_rate: float | None = None,
    units: str | None = None,
    layout: str = "samples_by_sweeps",
) -> Recording:
    """Read stimulus-aligned traces from a MATLAB file.

    Parameters
    ----------
    path
        The ``.mat`` file (v5/v7 or v7.3).
    variable
        Name of the traces variable; may be left out when the file holds one variable.
    sampling_rate
        Samples per second [Hz]; required unless the file has a scalar ``fs``.
    units
        Units of the values, e.g. ``"mV"`` (required: MATLAB files carry none).
    layout
        ``"samples_by_sweeps"`` (one trace per column, default) or ``"sweeps_by_samples"``.

    Returns
    -------
    Recording
        ``channel`` = cell row, ``group`` = cell column, ``sweep`` = repetition (all 0-based).

    Raises
    ------
    InputError
        Missing variable, units or sampling rate, traces of unequal length, non-numeric cells.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(2, "no such file", str(path))
    if layout not in LAYOUTS:
        raise InputError("--layout", f"unknown layout {layout!r}", f"use {' or '.join(LAYOUTS)}")
    data = _load(path)
    name = _pick_variable(data, variable, path)
    rate = sampling_rate if sampling_rate is not None else _file_rate(data)
    if rate is None:
        raise InputError(
            "--sampling-rate", f"{path.name} does not state its sampling rate", "e.g. 20000"
        )
    blocks = _blocks(data[name], layout, name)
    if not blocks:
        raise InputError(name, "holds no traces", "")
    lengths = {b.shape[1] for _, _, b in blocks}
    if len(lengths) != 1:
        raise InputError(name, f"traces of unequal length {sorted(lengths)}", "check --layout")
    if sum(b.shape[0] for _, _, b in blocks) < 1 or lengths.pop() < 2:
        raise InputError(
            name,
            f"holds no traces of at least 2 samples (shape {np.shape(data[name])})",
            "give at least 1 trace of at least 2 samples; check --layout",
        )
    n_channels = max(c for c, _, _ in blocks) + 1
    scale = stated_or_file_units([None] * n_channels, units, str(path))
    channel, group, sweep = flat_indices([(c, g, b.shape[0]) for c, g, b in blocks])
    sweeps = np.concatenate([b * scale[c][1] for c, _, b in blocks], axis=0)
    return Recording(
        sweeps=sweeps,
        sampling_rate=float(rate),
        channel=channel,
        group=group,
        sweep=sweep,
        channel_names=tuple(f"{name}_row{c + 1}" for c in range(n_channels)),
        channel_units=tuple(si for si, _ in scale),
        source=str(path),
    )

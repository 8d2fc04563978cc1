"""Sweeps in CSV files and NumPy arrays.

CSV: a header row, then one column per sweep (all of one channel). Units go in the header,
``"sweep1 (mV)"`` or ``"sweep1 [mV]"``; an optional first column ``"time (ms)"`` gives the
sampling rate. NumPy: ``.npy`` holds an array ``(n_sweeps, n_samples)``; ``.npz`` may also hold
``sampling_rate`` [Hz], ``units`` (a string) and ``sweep_time`` [s]. Units and rate not in the
file must be stated.
"""

from __future__ import annotations

import csv
import math
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from synpharm.errors import InputError
from synpharm.io._recording import Recording, si_unit, stated_or_file_units

__all__ = ["read_csv", "read_numpy"]

_HEADER = re.compile(r"^\s*(?P<name>.*?)\s*[\(\[]\s*(?P<unit>[^\)\]]+?)\s*[\)\]]\s*$")
_TIME_SCALE = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6}


def _split_header(cell: str) -> tuple[str, str | None]:
    match = _HEADER.match(cell)
    if match:
        return match["name"], match["unit"]
    return cell.strip(), None


def _parse_rows(path: Path, rows: list[list[str]], names: list[str]) -> np.ndarray:
    """The numeric table, or an InputError naming the first cell that is not a number."""
    width = len(names)
    for r, row in enumerate(rows):
        if len(row) != width:
            raise InputError(
                f"{path.name} row {r + 2}", f"has {len(row)} cells, the header {width}", ""
            )
    try:
        return np.array(rows, dtype=float)
    except ValueError:
        pass
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            try:
                float(cell)
            except ValueError:
                raise InputError(
                    f"{path.name} row {r + 2}, column {names[c]!r}",
                    f"{cell!r} is not a number",
                    "keep only numbers below the header (NaN for missing samples)",
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _time_column(values: np.ndarray, unit: str | None, path: Path) -> float:
    if unit is None or unit.strip().lower() not in _TIME_SCALE:
        raise InputError(f"{path.name} column 'time'", f"unit {unit!r}", "use (s) or (ms)")
    step = np.diff(values) * _TIME_SCALE[unit.strip().lower()]
    if step.size == 0 or not np.all(step > 0) or np.ptp(step) > 1e-6 * step.mean():
        raise InputError(f"{path.name} column 'time'", "is not evenly spaced", "")
    return float(1.0 / step.mean())


def read_csv(
    path: str | Path, *, sampling_rate: float | None = None, units: str | None = None
) -> Recording:
    """Read sweeps stored one per column in a CSV file (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(2, "no such file", str(path))
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = [row for row in csv.reader(handle) if row]
    except UnicodeDecodeError as error:
        problem = f"is not UTF-8 text ({error.reason})"
        raise InputError(path.name, problem, "save it as UTF-8") from None
    if len(rows) < 3:
        raise InputError(path.name, "needs a header row and at least 2 samples", "")
    names, file_units = zip(*(_split_header(cell) for cell in rows[0]), strict=True)
    table = _parse_rows(path, rows[1:], list(names))
    rate = sampling_rate
    if names[0].lower() in ("time", "t"):
        file_rate = _time_column(table[:, 0], file_units[0], path)
        rate = file_rate if rate is None else rate
        table, names, file_units = table[:, 1:], names[1:], file_units[1:]
    if rate is None:
        raise InputError(
            "--sampling-rate", f"{path.name} has no time column", "give e.g. --sampling-rate 20000"
        )
    if not names:
        raise InputError(path.name, "has no sweep columns", "")
    scales = stated_or_file_units(list(file_units), units, str(path))
    if len(set(scales)) > 1:
        raise InputError(
            path.name,
            f"columns have mismatched units {sorted({u for u in file_units if u})}",
            "put one channel with one unit per file",
        )
    n = table.shape[1]
    return Recording(
        sweeps=table.T * scales[0][1],
        sampling_rate=float(rate),
        channel=np.zeros(n, dtype=np.intp),
        group=np.zeros(n, dtype=np.intp),
        sweep=np.arange(n, dtype=np.intp),
        channel_names=("channel 0",),
        channel_units=(scales[0][0],),
        source=str(path),
    )


def _stored_rate(value: object, name: str) -> float:
    """The ``sampling_rate`` entry of an ``.npz`` file [Hz]: one finite positive number."""
    array = np.asarray(value)
    rate = float(array.reshape(-1)[0]) if array.size == 1 and array.dtype.kind in "iuf" else None
    if rate is None or not (math.isfinite(rate) and rate > 0):
        raise InputError(
            f"{name}: sampling_rate",
            f"must be one positive number of Hz, got {rate if rate is not None else array!r}",
            "save sampling_rate=20000.0 or give --sampling-rate",
        )
    return rate


def _load_numpy(handle: Any, name: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The sweeps array and the other arrays stored with it (``.npz``) from an open file."""
    loaded = np.load(handle, allow_pickle=False)
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        return loaded, {}
    with loaded:
        if "sweeps" not in loaded:
            raise InputError(name, "has no array 'sweeps'", "save it as sweeps=...")
        keys = ("sampling_rate", "units", "sweep_time", "protocol", "start_time")
        stored = {k: loaded[k] for k in keys if k in loaded}
        if "sweep_time" in stored:
            stored["sweep_time"] = np.asarray(stored["sweep_time"], dtype=float).ravel()
        return loaded["sweeps"], stored


def read_numpy(
    path: str | Path, *, sampling_rate: float | None = None, units: str | None = None
) -> Recording:
    """Read ``(n_sweeps, n_samples)`` sweeps from ``.npy`` or ``.npz`` (key ``sweeps``).

    An ``.npz`` may also hold ``sampling_rate`` [Hz], ``units``, ``sweep_time`` (start of
    each sweep from the start of the recording [s], one per sweep), ``protocol`` (the name of
    the acquisition protocol) and ``start_time`` (when the recording started [s since the
    epoch]), the last two used to join the files of one slice (``synpharm analyze --join``).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(2, "no such file", str(path))
    try:
        with path.open("rb") as handle:  # closed even when the archive is broken
            data, stored = _load_numpy(handle, path.name)
        sweeps = np.atleast_2d(np.asarray(data, dtype=float))
    except InputError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise InputError(path.name, f"not a readable NumPy file ({error})", "") from None
    if sampling_rate is None and "sampling_rate" in stored:
        sampling_rate = _stored_rate(stored["sampling_rate"], path.name)
    file_units = str(stored["units"]) if "units" in stored else None
    sweep_time = stored.get("sweep_time")
    if sweeps.ndim != 2 or sweeps.shape[0] < 1 or sweeps.shape[1] < 2:
        raise InputError(
            path.name,
            f"array of shape {np.shape(data)}",
            "give (n_sweeps, n_samples) with at least 1 sweep of at least 2 samples",
        )
    if sampling_rate is None:
        raise InputError("--sampling-rate", f"{path.name} does not state it", "e.g. 20000")
    ((si, scale),) = stated_or_file_units([file_units], units, str(path))
    si_unit(si, "units")
    n = sweeps.shape[0]
    if sweep_time is not None and sweep_time.shape != (n,):
        raise InputError(
            f"{path.name}: sweep_time", f"has {sweep_time.size} values", f"give one per sweep ({n})"
        )
    return Recording(
        sweeps=sweeps * scale,
        sampling_rate=float(sampling_rate),
        channel=np.zeros(n, dtype=np.intp),
        group=np.zeros(n, dtype=np.intp),
        sweep=np.arange(n, dtype=np.intp),
        channel_names=("channel 0",),
        channel_units=(si,),
        source=str(path),
        sweep_time=sweep_time if sweep_time is not None else np.zeros(0),
        protocol=str(stored["protocol"]) if "protocol" in stored else "",
        start_time=_stored_start(stored.get("start_time"), path.name),
    )


def _stored_start(value: object, name: str) -> float | None:
    if value is None:
        return None
    try:
        start = float(np.asarray(value).item())
    except (TypeError, ValueError):
        start = math.nan
    if not math.isfinite(start):
        raise InputError(f"{name}: start_time", f"{value!r} is not a number", "seconds since 1970")
    return start


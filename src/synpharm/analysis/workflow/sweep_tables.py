"""``synpharm analyze`` on per-sweep tables (from synpharm or another tool): re-summarise them.

A table is a ``.parquet`` file, or a ``.csv`` whose header has a time and a slope column. Column
names understood (case-insensitive): time ``time_s``/``time``/``time (s)`` [s] or ``time_min``
[min]; slope ``fepsp_slope_mV_per_ms``/``slope``/any name containing "slope"; optional
``file``, ``channel``, ``group``, ``pathway``, ``sweep``, ``kind``, ``fepsp_amplitude_mV``,
``flag``, ``slope_sign``. Slopes keep the table's units and sign (LTP is a ratio).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from synpharm.errors import InputError

__all__ = ["is_sweep_table", "read_sweep_table", "resummarise"]

_TIME = {"time_s": 1.0, "time": 1.0, "time (s)": 1.0, "time_min": 60.0, "time (min)": 60.0}


def _header(path: Path) -> list[str]:
    """Column names of a table file; [] for a CSV that is not UTF-8 text (not a table)."""
    if path.suffix.lower() == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            return list(pq.read_schema(path).names)
        except (pa.ArrowException, OSError) as error:
            raise InputError(path.name, f"not a readable Parquet file ({error})", "") from None
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return next(csv.reader(handle), [])
    except UnicodeDecodeError:
        return []


def is_sweep_table(path: Path) -> bool:
    """True for a Parquet file or a CSV with a time and a slope column."""
    if path.suffix.lower() == ".parquet":
        return True
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    names = [n.strip().lower() for n in _header(path)]
    return any(n in _TIME for n in names) and any("slope" in n for n in names)


def _columns(path: Path) -> dict[str, list]:
    if path.suffix.lower() == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path).to_pydict()
        except (pa.ArrowException, OSError) as error:
            raise InputError(path.name, f"not a readable Parquet file ({error})", "") from None
        return {k.strip().lower(): v for k, v in table.items()}
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    names = [n.strip().lower() for n in rows[0]]
    return {n: [r[k] if k < len(r) else "" for r in rows[1:]] for k, n in enumerate(names)}


def _numbers(values: list, field: str, path: Path) -> np.ndarray:
    try:
        return np.array([np.nan if v in ("", None) else float(v) for v in values], dtype=float)
    except ValueError:
        raise InputError(f"{path.name} column {field}", "holds text", "give numbers") from None


def _slope_column(columns: dict[str, list], path: Path) -> str:
    for name in ("fepsp_slope_mv_per_ms", "slope"):
        if name in columns:
            return name
    found = [n for n in columns if "slope" in n and "window" not in n and "sign" not in n]
    if not found:
        raise InputError(path.name, "has no slope column", "name one column 'slope'")
    return found[0]


def read_sweep_table(path: Path):
    """A :class:`~synpharm.analysis.sweep_table.SweepTable` from a per-sweep table file."""
    from synpharm.analysis.sweep_table import SweepTable

    columns = _columns(path)
    time_name = next((n for n in _TIME if n in columns), None)
    if time_name is None or not columns.get(time_name):
        raise InputError(path.name, "has no time column or no rows", "add a column 'time_s'")
    n = len(columns[time_name])
    time = _numbers(columns[time_name], time_name, path) * _TIME[time_name]
    slope = _numbers(columns[_slope_column(columns, path)], "slope", path)

    def integers(name: str) -> np.ndarray:
        if name not in columns:
            return np.zeros(n, dtype=np.intp)
        return np.nan_to_num(_numbers(columns[name], name, path)).astype(np.intp)

    amplitude = columns.get("fepsp_amplitude_mv")
    flag = columns.get("flag") or [""] * n
    flag = np.array(["" if f is None else str(f) for f in flag], dtype="<U40")
    flag[(flag == "") & ~np.isfinite(slope)] = "missing"
    return SweepTable(
        file=np.array([str(v) for v in columns.get("file", [path.name] * n)]),
        channel=integers("channel"),
        group=integers("group"),
        sweep=integers("sweep") if "sweep" in columns else np.arange(n, dtype=np.intp),
        time=time,
        kind=np.array([str(v) for v in columns.get("kind", ["test"] * n)]),
        intensity=np.full(n, np.nan),
        fepsp_slope=slope,
        fepsp_amplitude=(
            _numbers(amplitude, "amplitude", path) * 1e-3 if amplitude else np.full(n, np.nan)
        ),
        fiber_volley_amplitude=np.full(n, np.nan),
        slope_window=np.full((n, 2), np.nan),
        flag=flag,
        pathway=integers("pathway"),
        slope_sign=str((columns.get("slope_sign") or ["as in the table"])[0]),
    )


class _Source:
    """What the summary needs to know of a table's file (no sweeps, no tags)."""

    def __init__(self, path: Path, table) -> None:
        self.source = str(path)
        self.file_name = path.name
        self.sweep_time = table.time  # for an induction found as a gap in the sweep times
        self.channel = table.channel

    def induction_times(self) -> list[float]:
        return []

    def drug_times(self) -> list[float]:
        return []


def resummarise(files: list[Path], settings: dict[str, Any]) -> tuple[dict, Any, dict, dict]:
    """The document, table, figures and CSV tables of per-sweep tables, re-summarised."""
    from synpharm.analysis import experiments as ex
    from synpharm.analysis.sweep_table import UNITS, concatenate_tables
    from synpharm.analysis.workflow.summary import summarise

    tables = [read_sweep_table(f) for f in files]
    table = concatenate_tables(tables)
    if int(table.pathway.max()) + 1 > settings["pathways"]:
        settings = {**settings, "pathways": int(table.pathway.max()) + 1}
    sources = [_Source(f, t) for f, t in zip(files, tables, strict=True)]
    summary, figures, table = summarise(table, sources, settings)
    figures.pop("qc", None)  # no sweeps to show
    document = {"sweeps": table.rows(), "summary": summary, "units": UNITS}
    series = ex.series_of(table, settings["pathways"])
    rows = ex.time_course_rows(table, series, summary["induction_time_s"])
    return document, table, figures, {"timecourse.csv": rows}

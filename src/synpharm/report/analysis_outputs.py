"""Output files of ``synpharm analyze``: tables (CSV, Parquet), summary JSON and figures.

Everything is written into a staging folder that replaces the destination only when complete
(:func:`synpharm.io.staging.staged_folder`), so a failure never leaves half a folder.
Figures: :mod:`synpharm.report.analysis_figures`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from synpharm.io.staging import staged_folder
from synpharm.safety import spreadsheet_writer

__all__ = ["TABLE_COLUMNS", "json_ready", "write_analysis", "write_rows"]

TABLE_COLUMNS = (
    "file",
    "channel",
    "group",
    "pathway",
    "sweep",
    "time_s",
    "kind",
    "intensity",
    "fepsp_slope_mV_per_ms",
    "fepsp_amplitude_mV",
    "fiber_volley_amplitude_mV",
    "percent_of_baseline",
    "slope_sign",
    "slope_window_start_ms",
    "slope_window_end_ms",
    "flag",
)


def json_ready(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by None and NumPy scalars by Python ones."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _columns(table) -> dict[str, Any]:
    return {
        "file": table.file.astype(str).tolist(),
        "channel": table.channel.astype(np.int64),
        "group": table.group.astype(np.int64),
        "pathway": table.pathway.astype(np.int64),
        "sweep": table.sweep.astype(np.int64),
        "time_s": table.time,
        "kind": table.kind.astype(str).tolist(),
        "intensity": table.intensity,
        "fepsp_slope_mV_per_ms": table.fepsp_slope,
        "fepsp_amplitude_mV": table.fepsp_amplitude * 1e3,
        "fiber_volley_amplitude_mV": table.fiber_volley_amplitude * 1e3,
        "percent_of_baseline": table.percent_of_baseline,
        "slope_sign": [table.slope_sign] * len(table),
        "slope_window_start_ms": table.slope_window[:, 0] * 1e3,
        "slope_window_end_ms": table.slope_window[:, 1] * 1e3,
        "flag": table.flag.astype(str).tolist(),
    }


def _cell(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return "" if not np.isfinite(value) else repr(float(value))
    return str(value)


def _write_csv(path: Path, columns: dict[str, Any], names: tuple[str, ...] = TABLE_COLUMNS) -> None:
    n = len(columns[names[0]])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = spreadsheet_writer(handle, lineterminator="\n")
        writer.writerow(names)
        for k in range(n):
            writer.writerow([_cell(columns[name][k]) for name in names])


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """A CSV of ``rows`` (dicts with the same keys; lists joined by ``;``)."""
    if not rows:
        return
    names = tuple(dict.fromkeys(k for r in rows for k in r))
    columns = {n: [_flat(r.get(n)) for r in rows] for n in names}
    _write_csv(path, columns, names)


def _flat(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ";".join(_cell(v) for v in value)
    return "" if value is None else value


def _write_parquet(path: Path, columns: dict[str, Any]) -> None:
    import importlib.util

    if importlib.util.find_spec("pyarrow") is None:  # optional extra [parquet]; CSV has it all
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({name: columns[name] for name in TABLE_COLUMNS}), path)


def write_analysis(
    out_dir: str | Path,
    document: dict[str, Any],
    table=None,
    figures: dict[str, Any] | None = None,
    tables: dict[str, list[dict[str, Any]]] | None = None,
) -> Path:
    """Write ``summary.json``, ``sweeps.csv``, ``sweeps.parquet`` and figures into ``out_dir``.

    Parameters
    ----------
    out_dir
        Destination folder (replaced as a whole).
    document
        The JSON document (``sweeps``, ``summary``, ``units``).
    table
        The :class:`~synpharm.analysis.recordings.SweepTable`, or None (spines).
    figures
        Figure inputs: ``qc``, ``time_course``, ``input_output``, ``dose_response``
        (:mod:`synpharm.report.analysis_figures`).
    tables
        Further CSV tables by file name (``timecourse.csv``, ``placements.csv``...), as rows.
    """
    with staged_folder(out_dir) as staging:
        (staging / "summary.json").write_text(
            json.dumps(json_ready(document), indent=2, allow_nan=False) + "\n",
            encoding="utf-8",
        )
        if table is not None and len(table):
            columns = _columns(table)
            _write_csv(staging / "sweeps.csv", columns)
            _write_parquet(staging / "sweeps.parquet", columns)
        for name, rows in (tables or {}).items():
            write_rows(staging / name, rows)
        if figures:
            from synpharm.report.analysis_figures import write_figures

            write_figures(staging, figures)
    return Path(out_dir)



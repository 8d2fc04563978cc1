"""The combined results of a sweep, assembled from its chunk files.

``readouts.parquet`` / ``readouts.csv``: one row per protocol x parameter set x seed x cohort x
condition x slice x readout (tidy, long format). ``summary.json``: per grid cell and readout the
mean, SEM and n, a Welch test against the control of the same protocol, parameter set, seed and
cohort size, and Hill fits of concentration-response series (as ``synpharm run`` does).
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from synpharm.safety import spreadsheet_writer
from synpharm.sweep._chunk import Chunk
from synpharm.sweep._execute import SweepRun
from synpharm.sweep._spec import Sweep
from synpharm.sweep._store import ChunkStore

__all__ = [
    "COLUMNS",
    "combined_table",
    "summary_json",
    "sweep_summary",
    "table_csv",
    "write_sweep_outputs",
]

#: columns of the combined table, in order
COLUMNS = (
    "protocol",
    "preparation",
    "parameter_set",
    "seed",
    "cohort",
    "condition",
    "compound",
    "concentration_uM",
    "slice",
    "readout",
    "value",
    "unit",
    "chunk",
)


def _micromolar(concentration: float) -> float:
    """mol/m^3 -> uM, 12 significant digits (the convention of ``synpharm.analysis.results``)."""
    return float(f"{concentration * 1e3:.12g}")


def combined_table(chunks: Sequence[Chunk], store: ChunkStore):
    """All chunks' rows with their grid coordinates, in grid order (a ``pyarrow.Table``).

    Raises
    ------
    FileNotFoundError
        A chunk is not in the store (the run did not finish).
    """
    import pyarrow as pa

    parts = []
    for chunk in chunks:
        rows = store.read(chunk.key)
        n = rows.num_rows
        compound = "+".join(name for name, _ in chunk.drugs) or None
        concentration = _micromolar(chunk.drugs[0][1]) if len(chunk.drugs) == 1 else None
        labels = {
            "protocol": pa.array([chunk.protocol] * n, pa.string()),
            "preparation": pa.array([chunk.preparation] * n, pa.string()),
            "parameter_set": pa.array([chunk.parameter_set] * n, pa.string()),
            "seed": pa.array([chunk.seed] * n, pa.int64()),
            "cohort": pa.array([chunk.cohort] * n, pa.int32()),
            "condition": pa.array([chunk.condition] * n, pa.string()),
            "compound": pa.array([compound] * n, pa.string()),
            "concentration_uM": pa.array([concentration] * n, pa.float64()),
            "chunk": pa.array([chunk.key] * n, pa.string()),
        }
        columns = {**labels, **{name: rows.column(name) for name in rows.column_names}}
        parts.append(pa.table({name: columns[name] for name in COLUMNS}))
    if not parts:
        return pa.table({name: pa.array([], pa.string()) for name in COLUMNS})
    return pa.concat_tables(parts)


def _cells(chunks: Sequence[Chunk], store: ChunkStore):
    """Per chunk: (chunk, readout name -> (values, unit)) from the store."""
    for chunk in chunks:
        table = store.read(chunk.key).to_pydict()
        readouts: dict[str, tuple[list[float], str]] = {}
        for name, value, unit in zip(table["readout"], table["value"], table["unit"], strict=True):
            readouts.setdefault(name, ([], unit))[0].append(value)
        yield chunk, {k: (np.asarray(v, dtype=float), u) for k, (v, u) in readouts.items()}


def _group(chunk: Chunk) -> tuple[str, str, int, int]:
    return (chunk.protocol, chunk.parameter_set, chunk.seed, chunk.cohort)


def sweep_summary(sweep: Sweep, chunks: Sequence[Chunk], store: ChunkStore) -> dict[str, Any]:
    """The ``summary.json`` document (results only; nothing about the run that made them)."""
    from synpharm._version import __version__
    from synpharm.analysis.statistics import welch_t_test

    cells = list(_cells(chunks, store))
    controls = {}
    for chunk, readouts in cells:
        if not chunk.drugs:
            controls.setdefault(_group(chunk), readouts)
    rows = []
    for chunk, readouts in cells:
        control = controls.get(_group(chunk))
        stats = {}
        for name, (values, unit) in readouts.items():
            entry = _describe(values, unit)
            if chunk.drugs and control is not None and name in control:
                t, p = welch_t_test(values, control[name][0])
                if np.isfinite(p):
                    entry.update(welch_t_vs_control=float(t), p_vs_control=float(p))
            stats[name] = entry
        rows.append({**_coordinates(chunk), "readouts": stats})
    codes = sorted({store.metadata(c.key).get("code", "") for c in _distinct(chunks)})
    return {
        "sweep": sweep.name,
        "description": sweep.description,
        "grid": {
            "protocols": [e.label for e in sweep.protocols],
            "parameter_sets": {p.name: dict(p.values) for p in sweep.parameter_sets},
            "seeds": list(sweep.seeds),
            "cohorts": list(sweep.cohorts),
            "chunks": len(chunks),
        },
        "cells": rows,
        "concentration_response": _hill_fits(cells),
        "provenance": {"synpharm": __version__, "code": codes},
    }


def _distinct(chunks: Sequence[Chunk]) -> list[Chunk]:
    return list({c.key: c for c in chunks}.values())


def _coordinates(chunk: Chunk) -> dict[str, Any]:
    return {
        "protocol": chunk.protocol,
        "parameter_set": chunk.parameter_set,
        "seed": chunk.seed,
        "cohort": chunk.cohort,
        "condition": chunk.condition,
        "drugs": [{"compound": n, "concentration_uM": _micromolar(c)} for n, c in chunk.drugs],
        "cohort_seed": chunk.task.protocol.seed,
        "chunk": chunk.key,
    }


def _describe(values: np.ndarray, unit: str) -> dict[str, Any]:
    finite = values[np.isfinite(values)]
    n = int(finite.size)
    mean = float(finite.mean()) if n else float("nan")
    sem = float(finite.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return {"mean": mean, "sem": sem, "n": n, "unit": unit}


def _hill_fits(cells) -> list[dict[str, Any]]:
    """Hill fits of ``baseline_change_percent`` per protocol, parameter set, seed and cohort."""
    from synpharm.analysis.readouts import concentration_response
    from synpharm.analysis.results import ConditionResult, Readout

    groups = defaultdict(list)
    for chunk, readouts in cells:
        built = {n: Readout(n, v, u) for n, (v, u) in readouts.items()}
        groups[_group(chunk)].append(
            ConditionResult(chunk.condition, chunk.drugs, None, built)  # type: ignore[arg-type]
        )
    fits = []
    for (protocol, parameter_set, seed, cohort), results in groups.items():
        for fit in concentration_response(results).get("concentration_response", []):
            fits.append(
                {"protocol": protocol, "parameter_set": parameter_set, "seed": seed,
                 "cohort": cohort, **fit}
            )  # fmt: skip
    return fits


def summary_json(summary: dict[str, Any]) -> str:
    """The summary as strict JSON text (NaN and infinities written as null)."""
    return json.dumps(_finite_or_none(summary), indent=2, allow_nan=False) + "\n"


def _finite_or_none(value: Any) -> Any:
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_or_none(v) for v in value]
    return value


def table_csv(table) -> str:
    """The combined table as CSV text; floats written with Python's shortest exact repr."""
    buffer = io.StringIO()
    writer = spreadsheet_writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    columns = [table.column(name).to_pylist() for name in table.column_names]
    for row in zip(*columns, strict=True):
        writer.writerow(["" if v is None else repr(v) if isinstance(v, float) else v for v in row])
    return buffer.getvalue()


def write_sweep_outputs(
    sweep: Sweep, run: SweepRun, store: ChunkStore, out_dir: str | Path
) -> Path:
    """Write ``readouts.parquet``, ``readouts.csv``, ``summary.json``, the concentration-response
    figure (when there are Hill fits) and ``index.html`` into ``out_dir``.

    The folder is written all at once (staged, then moved into place).
    """
    import pyarrow.parquet as pq

    from synpharm.io.staging import staged_folder

    table = combined_table(run.chunks, store)
    summary = sweep_summary(sweep, run.chunks, store)
    with staged_folder(out_dir) as staging:
        pq.write_table(table, staging / "readouts.parquet")
        (staging / "readouts.csv").write_text(table_csv(table), encoding="utf-8")
        (staging / "summary.json").write_text(summary_json(summary), encoding="utf-8")
        from synpharm.report.sweep_report import write_sweep_report

        write_sweep_report(staging, summary, list(_cells(run.chunks, store)))
    return Path(out_dir)

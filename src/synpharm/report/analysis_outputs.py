"""Output files of ``synpharm analyze``: tables (CSV, Parquet), summary JSON and figures.

Everything is written into a staging folder that replaces the destination only when complete
(:func:`synpharm.io.staging.staged_folder`), so a failure never leaves half a folder.
Figures: LTP time course (% of baseline, 1-min bins, mean +- SEM per group) with averaged
example traces as insets, the input-output curve and the concentration-response fit
(analysis_conventions.md 4d).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from synpharm.io.staging import staged_folder

__all__ = ["TABLE_COLUMNS", "json_ready", "write_analysis"]

TABLE_COLUMNS = (
    "file",
    "channel",
    "group",
    "sweep",
    "time_s",
    "kind",
    "intensity",
    "fepsp_slope_mV_per_ms",
    "fepsp_amplitude_mV",
    "fiber_volley_amplitude_mV",
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
        "sweep": table.sweep.astype(np.int64),
        "time_s": table.time,
        "kind": table.kind.astype(str).tolist(),
        "intensity": table.intensity,
        "fepsp_slope_mV_per_ms": table.fepsp_slope,
        "fepsp_amplitude_mV": table.fepsp_amplitude * 1e3,
        "fiber_volley_amplitude_mV": table.fiber_volley_amplitude * 1e3,
        "slope_window_start_ms": table.slope_window[:, 0] * 1e3,
        "slope_window_end_ms": table.slope_window[:, 1] * 1e3,
        "flag": table.flag.astype(str).tolist(),
    }


def _cell(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return "" if not np.isfinite(value) else repr(float(value))
    return str(value)


def _write_csv(path: Path, columns: dict[str, Any]) -> None:
    n = len(columns["file"])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(TABLE_COLUMNS)
        for k in range(n):
            writer.writerow([_cell(columns[name][k]) for name in TABLE_COLUMNS])


def _write_parquet(path: Path, columns: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({name: columns[name] for name in TABLE_COLUMNS}), path)


def write_analysis(
    out_dir: str | Path,
    document: dict[str, Any],
    table=None,
    figures: dict[str, Any] | None = None,
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
        Figure inputs: ``time_course``, ``input_output``, ``dose_response`` (see the figure
        functions).
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
        if figures:
            _write_figures(staging, figures)
    return Path(out_dir)


def _write_figures(folder: Path, figures: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    makers = {
        "time_course": _time_course_figure,
        "input_output": _input_output_figure,
        "dose_response": _dose_response_figure,
    }
    for name, data in figures.items():
        if not data:
            continue
        fig = makers[name](plt, data)
        fig.savefig(folder / f"{name}.png", dpi=120)
        fig.savefig(folder / f"{name}.svg", metadata={"Date": None})
        plt.close(fig)


def _time_course_figure(plt, data: dict[str, Any]):
    """``data``: {"groups": [{"name", "time_min", "mean", "sem", "traces"}]}, traces a dict
    label -> (time [ms], mean sweep [mV])."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for k, group in enumerate(data["groups"]):
        colour = f"C{k}"
        t, mean, sem = (np.asarray(group[n], dtype=float) for n in ("time_min", "mean", "sem"))
        ax.errorbar(
            t,
            mean,
            yerr=np.nan_to_num(sem),
            fmt="o",
            ms=3,
            color=colour,
            label=group["name"],
            capsize=0,
            lw=0.8,
        )
        _trace_inset(fig, ax, k, group.get("traces", {}), colour)
    ax.axhline(100.0, color="0.6", lw=0.8, ls="--")
    ax.axvline(0.0, color="0.3", lw=0.8)
    ax.set_xlabel("time from induction [min]")
    ax.set_ylabel("fEPSP slope [% of baseline]")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def _trace_inset(fig, ax, index: int, traces: dict[str, Any], colour: str) -> None:
    if not traces or index > 2:
        return
    inset = ax.inset_axes((0.02 + 0.25 * index, 0.68, 0.22, 0.3))
    for style, (label, (t_ms, mv)) in zip(("-", "--", ":"), traces.items(), strict=False):
        inset.plot(t_ms, mv, style, color=colour, lw=0.9, label=label)
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_title("averaged sweeps", fontsize=6)
    inset.legend(frameon=False, fontsize=5)


def _input_output_figure(plt, data: dict[str, Any]):
    """``data``: {"series": [{"name", "points": [{"intensity", "fepsp_slope", ...}]}]}."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.6))
    for k, series in enumerate(data["series"]):
        points = series["points"]
        x = [p["intensity"] for p in points]
        slope = [np.nan if p["fepsp_slope"] is None else p["fepsp_slope"] for p in points]
        volley = [
            np.nan if p["fiber_volley_amplitude"] is None else p["fiber_volley_amplitude"]
            for p in points
        ]
        left.plot(x, slope, "o-", color=f"C{k % 10}", ms=3, label=series["name"])
        right.plot(volley, slope, "o", color=f"C{k % 10}", ms=3)
    left.set_xlabel(data.get("intensity_label", "stimulus intensity"))
    left.set_ylabel("fEPSP slope [mV/ms]")
    right.set_xlabel("fiber volley amplitude [mV]")
    right.set_ylabel("fEPSP slope [mV/ms]")
    left.legend(frameon=False, fontsize=6)
    fig.tight_layout()
    return fig


def _dose_response_figure(plt, fit: dict[str, Any]):
    from synpharm.analysis.fitting import hill_equation

    fig, ax = plt.subplots(figsize=(4.5, 3.6))
    conc = np.asarray(fit["concentrations_uM"], dtype=float)
    ax.semilogx(conc, fit["responses"], "o", color="C0")
    grid = np.geomspace(conc.min() / 3, conc.max() * 3, 200)
    ax.semilogx(
        grid,
        hill_equation(grid, fit["ec50_uM"], fit["hill_slope"], fit["bottom"], fit["top"]),
        color="C0",
    )
    ax.set_xlabel("concentration [uM]")
    ax.set_ylabel(fit["readout"])
    ax.set_title(f"EC50 {fit['ec50_uM']:.3g} uM", fontsize=9)
    fig.tight_layout()
    return fig

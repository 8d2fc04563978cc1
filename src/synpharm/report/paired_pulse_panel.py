"""Paired-pulse panels of the time-course figure.

- PPR against the inter-pulse interval, when a condition has paired pulses at two or more
  intervals (readouts ``ppr_<N>ms``; PHYS-PPF-1).
- PPR per condition, when several conditions have paired pulses at one interval (readout
  ``ppr``; e.g. 2.5 vs 1.3 mM Ca2+ in PHYS-ION-1).

Both show mean ± SEM over slices.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from synpharm.report._course_style import MARKERS, colours

__all__ = ["plot_ppr_by_condition", "plot_ppr_by_interval", "ppr_by_condition", "ppr_by_interval"]


def ppr_by_interval(result: Any) -> dict[int, np.ndarray]:
    """Per condition index: rows (interval [ms], mean, SEM) of its ``ppr_<N>ms`` readouts.

    Empty unless a condition has paired pulses at two or more intervals.
    """
    series = {}
    for k, condition in enumerate(result.conditions):
        rows = []
        for name, readout in condition.readouts.items():
            match = re.fullmatch(r"ppr_(\d+)ms", name)
            if match:
                rows.append((float(match.group(1)), readout.mean, readout.sem))
        if len(rows) > 1:
            series[k] = np.array(sorted(rows))
    return series


def ppr_by_condition(result: Any) -> dict[int, tuple[float, float]]:
    """Per condition index: (mean, SEM) of its single-interval ``ppr`` readout.

    Empty unless two or more conditions have one.
    """
    rows = {k: (c.readouts["ppr"].mean, c.readouts["ppr"].sem)
            for k, c in enumerate(result.conditions) if "ppr" in c.readouts}
    return rows if len(rows) > 1 else {}


def plot_ppr_by_interval(axes: Any, result: Any, series: dict[int, np.ndarray]) -> None:
    """Paired-pulse ratio (mean ± SEM over slices) against the inter-pulse interval."""
    palette = colours(result)
    for k, rows in series.items():
        axes.errorbar(rows[:, 0], rows[:, 1], yerr=rows[:, 2], fmt="-",
                      marker=MARKERS[k % len(MARKERS)], color=palette[k], markersize=3,
                      linewidth=0.8, capsize=2, label=result.conditions[k].name)
    axes.axhline(1.0, color="0.5", linewidth=0.6, linestyle="--")
    axes.set_xscale("log")
    axes.minorticks_off()
    intervals = sorted({float(x) for rows in series.values() for x in rows[:, 0]})
    axes.set_xticks(intervals, [f"{x:g}" for x in intervals])
    axes.set_xlabel("inter-pulse interval [ms]")
    axes.set_ylabel("paired-pulse ratio (2nd / 1st slope)")
    axes.set_title("paired-pulse ratio", fontsize=9)


def plot_ppr_by_condition(axes: Any, result: Any, rows: dict[int, tuple[float, float]],
                          interval: float | None = None) -> None:
    """Paired-pulse ratio (mean ± SEM over slices) of each condition, side by side, at the
    inter-pulse ``interval`` [s] when known (named in the title)."""
    palette = colours(result)
    for position, (k, (mean, sem)) in enumerate(rows.items()):
        axes.errorbar([position], [mean], yerr=[sem], marker=MARKERS[k % len(MARKERS)],
                      color=palette[k], markersize=5, capsize=3)
    axes.axhline(1.0, color="0.5", linewidth=0.6, linestyle="--")
    axes.set_xlim(-0.6, len(rows) - 0.4)
    axes.set_xticks(range(len(rows)), [result.conditions[k].name for k in rows],
                    rotation=30, ha="right", fontsize=7)
    axes.set_ylabel("paired-pulse ratio (2nd / 1st slope)")
    at = f" at {interval * 1e3:g} ms" if interval is not None else ""
    axes.set_title(f"paired-pulse ratio{at}", fontsize=9)

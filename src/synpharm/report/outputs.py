"""Output files of a virtual experiment: summary JSON, per-pulse CSV and the time-course figure.

Files are written into a temporary folder next to the destination and moved into place at the
end, so an interrupted or failed run never leaves a half-written output folder. Identical
results give byte-identical files (no timestamps; fixed SVG hash salt).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from synpharm.analysis.results import ConditionResult, ExperimentResult, PulseTable, ResponseTable
from synpharm.io.staging import staged_folder

if TYPE_CHECKING:
    from synpharm.protocols import Protocol

__all__ = [
    "BASELINE_WINDOW",
    "pulses_csv",
    "slope_percent_of_baseline",
    "summary_json",
    "write_outputs",
]

#: Test pulses in this window before induction [s] define the baseline slope of each slice.
BASELINE_WINDOW = 600.0

_CSV_COLUMNS = (
    "condition",
    "slice",
    "time_min",
    "kind",
    "intensity",
    "fepsp_slope_mV_per_ms",
    "fepsp_amplitude_mV",
    "fiber_volley_amplitude_mV",
    "slope_percent_of_baseline",
)
_RESPONSE_CSV_COLUMNS = (
    "condition",
    "cell",
    "time_min",
    "kind",
    "intensity",
    "{measure}_{unit}",
    "noise_{measure}_{unit}",
    "baseline_{unit}",
    "percent_of_baseline",
)
#: Single-cell measures: (label for axes, trace axis label, trace unit scale, trace unit).
_RESPONSE_LABELS = {
    "ipsc_amplitude": ("IPSC amplitude", "current", 1e12, "pA"),
    "epsp_amplitude": ("EPSP amplitude", "membrane potential", 1e3, "mV"),
}
_SVG_SALT = "synpharm"


def write_outputs(
    result: ExperimentResult, out_dir: str | Path, *, protocol: Protocol | None = None
) -> Path:
    """Write ``summary.json``, ``pulses.csv``, ``time_course.png`` and ``.svg`` into ``out_dir``.

    Parameters
    ----------
    result
        The virtual experiment.
    out_dir
        Destination folder; an existing folder of that name is replaced as a whole.
    protocol
        The protocol that produced ``result``; if given, the drug bar in the figure spans each
        wash-in to the following wash-out instead of wash-in to the end of the recording.

    Returns
    -------
    Path
        ``out_dir``.
    """
    with staged_folder(out_dir) as staging:
        (staging / "summary.json").write_text(summary_json(result), encoding="utf-8")
        (staging / "pulses.csv").write_text(pulses_csv(result), encoding="utf-8", newline="")
        _write_figures(result, staging, _drug_spans(result, protocol))
    return Path(out_dir)


def summary_json(result: ExperimentResult) -> str:
    """The summary document as JSON text with a final newline."""
    return json.dumps(result.summary(), indent=2, sort_keys=False) + "\n"


def _course_kind(pulses: PulseTable | ResponseTable) -> str:
    """Stimulus kind plotted and normalised: test pulses, or first pulses of pairs without them."""
    if isinstance(pulses, ResponseTable) and not (pulses.kind == "test").any():
        return "pp1"
    return "test"


def _primary(pulses: PulseTable | ResponseTable) -> np.ndarray:
    """The per-pulse measure of the time course: fEPSP slope, or the response amplitude."""
    if isinstance(pulses, ResponseTable):
        return np.asarray(pulses.amplitude, dtype=float)
    return np.asarray(pulses.fepsp_slope, dtype=float)


def _baseline_mask(
    pulses: PulseTable | ResponseTable, induction_time: float | None, drug_time: float | None
) -> np.ndarray:
    is_test = pulses.kind == _course_kind(pulses)
    if induction_time is not None:
        window = (pulses.time < induction_time) & (pulses.time >= induction_time - BASELINE_WINDOW)
        return is_test & window
    if drug_time is not None:
        return is_test & (pulses.time < drug_time)
    return is_test


def slope_percent_of_baseline(
    pulses: PulseTable | ResponseTable, induction_time: float | None, drug_time: float | None = None
) -> np.ndarray:
    """fEPSP slope of every pulse as % of the slice's baseline slope.

    For a :class:`ResponseTable` (single-cell recordings) the response amplitude of every
    stimulus as % of the cell's baseline amplitude, with the same baseline rule (first pulses of
    pairs stand in for test pulses when there are none).

    The baseline is the mean slope of the ``"test"`` pulses in the :data:`BASELINE_WINDOW`
    (10 min) before induction; without induction, of the test pulses before the first
    wash-in; without either, of all test pulses.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_slices, n_pulses)`` [%]; NaN for slices without a baseline.
    """
    slope = _primary(pulses)
    mask = _baseline_mask(pulses, induction_time, drug_time)
    chosen = slope[:, mask]
    finite = np.isfinite(chosen)
    count = finite.sum(axis=1)
    total = np.where(finite, chosen, 0.0).sum(axis=1)
    baseline = np.full(slope.shape[0], np.nan)
    usable = (count > 0) & (total != 0)
    baseline[usable] = total[usable] / count[usable]
    return 100.0 * slope / baseline[:, None]


def _number(value: float) -> str:
    return "" if not math.isfinite(value) else format(float(value), ".10g")


def pulses_csv(result: ExperimentResult) -> str:
    """One row per condition x slice x measured pulse (slices numbered from 0).

    Single-cell recordings (:class:`ResponseTable`) get one row per condition x cell x stimulus
    with the amplitude, its noise measure and the baseline in display units.
    """
    if result.conditions and isinstance(result.conditions[0].pulses, ResponseTable):
        return _response_csv(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for condition in result.conditions:
        p = condition.pulses
        percent = slope_percent_of_baseline(p, result.induction_time, result.drug_time)
        for slice_index in range(np.shape(p.fepsp_slope)[0]):
            for j in range(len(p.time)):
                writer.writerow(
                    [
                        condition.name,
                        slice_index,
                        _number(p.time[j] / 60.0),
                        p.kind[j],
                        _number(p.intensity[j]),
                        _number(p.fepsp_slope[slice_index, j]),
                        _number(p.fepsp_amplitude[slice_index, j] * 1e3),
                        _number(p.fiber_volley_amplitude[slice_index, j] * 1e3),
                        _number(percent[slice_index, j]),
                    ]
                )
    return buffer.getvalue()


def _response_csv(result: ExperimentResult) -> str:
    first = result.conditions[0].pulses
    names = {"measure": first.measure, "unit": first.unit}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column.format(**names) for column in _RESPONSE_CSV_COLUMNS])
    for condition in result.conditions:
        p = condition.pulses
        percent = slope_percent_of_baseline(p, result.induction_time, result.drug_time)
        scale = p.unit_scale
        for cell in range(np.shape(p.amplitude)[0]):
            for j in range(len(p.time)):
                writer.writerow(
                    [
                        condition.name,
                        cell,
                        _number(p.time[j] / 60.0),
                        p.kind[j],
                        _number(p.intensity[j]),
                        _number(p.amplitude[cell, j] * scale),
                        _number(p.noise_amplitude[cell, j] * scale),
                        _number(p.baseline[cell, j] * scale),
                        _number(percent[cell, j]),
                    ]
                )
    return buffer.getvalue()


def _drug_spans(result: ExperimentResult, protocol: Protocol | None) -> list[tuple[float, float]]:
    """Periods of drug application [s]: wash-in onset to the next wash-out onset (or the end)."""
    if protocol is not None:
        from synpharm.protocols import build_schedule

        spans, start = [], None
        schedule = build_schedule(protocol)
        for span in schedule.step_spans:
            if span.type == "wash_in" and start is None:
                start = span.start
            elif span.type == "wash_out" and start is not None:
                spans.append((start, span.start))
                start = None
        if start is not None:
            spans.append((start, schedule.total_duration))
        return spans
    if result.drug_time is None:
        return []
    ends = [float(np.max(c.pulses.time)) for c in result.conditions if len(c.pulses.time)]
    return [(result.drug_time, max(ends, default=result.drug_time))]


def _binned_time_course(
    condition: ConditionResult, result: ExperimentResult, origin: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """1-min bins of test-pulse slope [% of baseline]: bin centres [min], mean and SEM."""
    p = condition.pulses
    percent = slope_percent_of_baseline(p, result.induction_time, result.drug_time)
    is_test = p.kind == _course_kind(p)
    minutes = (np.asarray(p.time, dtype=float)[is_test] - origin) / 60.0
    values = percent[:, is_test]
    bins = np.floor(minutes)
    centres, means, sems = [], [], []
    for edge in np.unique(bins):
        in_bin = values[:, bins == edge]
        finite = np.isfinite(in_bin)
        count = finite.sum(axis=1)
        per_slice = np.where(finite, in_bin, 0.0).sum(axis=1)[count > 0] / count[count > 0]
        if per_slice.size == 0:
            continue
        centres.append(edge + 0.5)
        means.append(per_slice.mean())
        sems.append(per_slice.std(ddof=1) / np.sqrt(per_slice.size) if per_slice.size > 1 else 0.0)
    return np.array(centres), np.array(means), np.array(sems)


def _write_figures(
    result: ExperimentResult, folder: Path, drug_spans: list[tuple[float, float]]
) -> None:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.hashsalt": _SVG_SALT, "svg.fonttype": "path", "font.size": 9}):
        has_traces = any(c.example_traces and np.size(c.trace_time) for c in result.conditions)
        figure = Figure(figsize=(9.0, 4.0) if has_traces else (6.5, 4.0))
        if has_traces:
            course_axes, trace_axes = figure.subplots(1, 2, width_ratios=[2.2, 1])
            _plot_traces(trace_axes, result)
            figure.subplots_adjust(left=0.07, right=0.98, bottom=0.12, top=0.92, wspace=0.25)
        else:
            course_axes = figure.subplots()
            figure.subplots_adjust(left=0.1, right=0.97, bottom=0.12, top=0.92)
        _plot_time_course(course_axes, result, drug_spans)
        figure.savefig(folder / "time_course.png", dpi=150, metadata={"Software": None})
        figure.savefig(folder / "time_course.svg", metadata={"Date": None})


def _colour(index: int, condition: ConditionResult) -> str:
    palette = (
        "#1f77b4",
        "#d62728",
        "#2ca02c",
        "#9467bd",
        "#ff7f0e",
        "#8c564b",
        "#e377c2",
        "#17becf",
        "#bcbd22",
    )
    return "black" if not condition.drugs else palette[index % len(palette)]


def _plot_time_course(
    axes: Any, result: ExperimentResult, drug_spans: list[tuple[float, float]]
) -> None:
    origin = (
        result.induction_time
        if result.induction_time is not None
        else (result.drug_time if result.drug_time is not None else 0.0)
    )
    for index, condition in enumerate(result.conditions):
        centres, means, sems = _binned_time_course(condition, result, origin)
        colour = _colour(index, condition)
        axes.fill_between(centres, means - sems, means + sems, color=colour, alpha=0.2, linewidth=0)
        axes.plot(
            centres,
            means,
            "o-",
            color=colour,
            markersize=2.5,
            linewidth=0.8,
            label=f"{condition.name} (n={np.shape(_primary(condition.pulses))[0]})",
        )
    axes.axhline(100.0, color="0.5", linewidth=0.6, linestyle="--")
    low, high = axes.get_ylim()
    axes.set_ylim(low, high + 0.3 * (high - low))  # room for the drug bar and induction arrow
    band = axes.get_xaxis_transform()
    for start, end in drug_spans:
        axes.plot(
            [(start - origin) / 60.0, (end - origin) / 60.0],
            [0.97, 0.97],
            transform=band,
            color="0.3",
            linewidth=4,
            solid_capstyle="butt",
        )
        axes.text(
            (start - origin) / 60.0, 0.93, "drug", transform=band, fontsize=8, va="top", color="0.3"
        )
    if result.induction_time is not None:
        axes.annotate(
            "induction",
            xy=(0.0, 0.80),
            xytext=(0.0, 0.90),
            ha="center",
            xycoords=band,
            textcoords=band,
            fontsize=8,
            arrowprops={"arrowstyle": "->", "color": "black"},
        )
    reference = (
        "induction"
        if result.induction_time is not None
        else ("drug application" if result.drug_time is not None else "start")
    )
    axes.set_xlabel(f"time from {reference} [min]")
    axes.set_ylabel(f"{_labels(result)[0]} [% of baseline]")
    axes.set_title(result.protocol_name)
    axes.legend(frameon=False, fontsize=7, loc="best")


def _labels(result: ExperimentResult) -> tuple[str, str, float, str]:
    """Axis labels and trace scaling: (measure, trace quantity, SI-to-unit factor, unit)."""
    pulses = result.conditions[0].pulses if result.conditions else None
    if isinstance(pulses, ResponseTable) and pulses.measure in _RESPONSE_LABELS:
        return _RESPONSE_LABELS[pulses.measure]
    return ("fEPSP slope", "field potential", 1e3, "mV")


def _plot_traces(axes: Any, result: ExperimentResult) -> None:
    styles = ("--", "-", ":", "-.")
    measure, quantity, scale, unit = _labels(result)
    for index, condition in enumerate(result.conditions):
        if not condition.example_traces or not np.size(condition.trace_time):
            continue
        time_ms = np.asarray(condition.trace_time, dtype=float) * 1e3
        for k, (label, trace) in enumerate(condition.example_traces.items()):
            axes.plot(
                time_ms,
                np.asarray(trace, dtype=float) * scale,
                linestyle=styles[k % len(styles)],
                color=_colour(index, condition),
                linewidth=0.8,
                label=f"{condition.name}: {label}",
            )
    axes.set_xlabel("time [ms]")
    axes.set_ylabel(f"{quantity} [{unit}]")
    axes.set_title("example fEPSPs" if measure == "fEPSP slope" else f"example {measure[:4]}s")
    axes.legend(frameon=False, fontsize=6)

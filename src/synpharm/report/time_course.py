"""The headline figure of a slice experiment: time course of the response and example traces.

The time course is normalised per slice to a baseline and shown as 1-min bins, mean ± SEM.
With a wash-in the default baseline is the 10 min *before the drug* (``"pre_drug"``), so a
drug that lowers the basal response is seen falling from 100 %; ``"pre_induction"`` (the
10 min before the first train) is the LTP convention used by the readouts. The drug bar above
the axes names the compounds and concentrations; the legend sits below the axes, never over
data. The example-trace panel shows one averaged sweep per condition and phase for at most
four conditions (control and the highest concentration of each compound), each trace minus
its pre-stimulus mean, the stimulus artefact clipped, with scale bars instead of axes.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np

from synpharm.analysis.results import ConditionResult, ExperimentResult, ResponseTable
from synpharm.style import condition_colours, format_concentration

__all__ = ["BASELINES", "baseline_reference", "draw_time_course", "drug_label"]

#: Accepted baselines of the time course.
BASELINES = ("auto", "pre_drug", "pre_induction")

#: Phase pairs of the trace panel: (before label, after label, legend of the pair).
_PHASE_PAIRS = (
    ("pre_induction", "ltp", ("baseline", "50-60 min after induction")),
    ("pre_drug", "drug_end", ("before drug", "end of drug")),
    ("pre_drug", "pre_induction", ("before drug", "drug, before induction")),
)
_MAX_TRACE_CONDITIONS = 4
_ARTEFACT = (-0.2e-3, 1.2e-3)  # [s] around the stimulus: excluded from the y-range


def baseline_reference(result: ExperimentResult, baseline: str) -> str:
    """The baseline actually used: ``"auto"`` means pre-drug when there is a wash-in."""
    if baseline == "auto":
        return "pre_drug" if result.drug_time is not None else "pre_induction"
    if baseline == "pre_drug" and result.drug_time is None:
        return "pre_induction"
    return baseline


def drug_label(conditions: Sequence[ConditionResult]) -> str:
    """Compounds with their concentrations (ranges for series): ``'ketamine 3-600 µM'``."""
    levels: dict[str, set[float]] = {}
    for condition in conditions:
        for name, concentration in condition.drugs:
            levels.setdefault(name, set()).add(concentration * 1e3)
    parts = []
    for name, values in levels.items():
        low, high = min(values), max(values)
        span = format_concentration(low)
        if high > low:
            span = f"{format_concentration(low).split()[0]}–{format_concentration(high)}"
            if format_concentration(low).split()[1] != format_concentration(high).split()[1]:
                span = f"{format_concentration(low)}–{format_concentration(high)}"
        parts.append(f"{name} {span}")
    return "; ".join(parts)


def _colours(result: ExperimentResult) -> list[str]:
    return condition_colours([c.drugs for c in result.conditions])


def draw_time_course(
    figure: Any,
    result: ExperimentResult,
    drug_spans: list[tuple[float, float]],
    percent: Any,
    *,
    baseline: str = "auto",
) -> None:
    """Draw the time course (and the trace panel when there are traces) into ``figure``.

    Parameters
    ----------
    figure
        An empty :class:`matplotlib.figure.Figure` with constrained layout.
    result
        The experiment.
    drug_spans
        ``(start, end)`` [s] of each drug application.
    percent
        ``percent(pulses, reference) -> (n_slices, n_pulses)`` [% of baseline].
    baseline
        One of :data:`BASELINES`.
    """
    has_traces = any(c.example_traces and np.size(c.trace_time) for c in result.conditions)
    ppr = _ppr_by_interval(result)
    ratios = [2.4] + [1.0] * has_traces + [1.0] * bool(ppr)
    axes = np.atleast_1d(figure.subplots(1, len(ratios), width_ratios=ratios))
    course_axes = axes[0]
    if has_traces:
        _plot_traces(axes[1], result)
    if ppr:
        _plot_ppr(axes[-1], result, ppr)
    _plot_course(course_axes, result, drug_spans, percent, baseline_reference(result, baseline))


def _ppr_by_interval(result: ExperimentResult) -> dict[int, np.ndarray]:
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


def _plot_ppr(axes: Any, result: ExperimentResult, series: dict[int, np.ndarray]) -> None:
    """Paired-pulse ratio (mean ± SEM over slices) against the inter-pulse interval."""
    colours = _colours(result)
    for k, rows in series.items():
        axes.errorbar(rows[:, 0], rows[:, 1], yerr=rows[:, 2], fmt="o-", color=colours[k],
                      markersize=3, linewidth=0.8, capsize=2, label=result.conditions[k].name)
    axes.axhline(1.0, color="0.5", linewidth=0.6, linestyle="--")
    axes.set_xscale("log")
    axes.minorticks_off()
    intervals = sorted({float(x) for rows in series.values() for x in rows[:, 0]})
    axes.set_xticks(intervals, [f"{x:g}" for x in intervals])
    axes.set_xlabel("inter-pulse interval [ms]")
    axes.set_ylabel("paired-pulse ratio (2nd / 1st slope)")
    axes.set_title("paired-pulse ratio", fontsize=9)


def _binned(values: np.ndarray, minutes: np.ndarray) -> tuple[np.ndarray, ...]:
    """1-min bins: centres [min], mean and SEM over slices of the per-slice bin means."""
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
    return _broken_at_gaps(np.array(centres), np.array(means), np.array(sems))


#: Bins further apart than this [min] are not joined by a line (test pulses were interrupted,
#: e.g. by a 15-min low-frequency train, whose pulses are not responses of the time course).
GAP_MINUTES = 2.5


def _broken_at_gaps(centres: np.ndarray, *series: np.ndarray) -> tuple[np.ndarray, ...]:
    """Insert a NaN point between bins more than :data:`GAP_MINUTES` apart.

    Examples
    --------
    >>> _broken_at_gaps(np.array([0.5, 1.5, 10.5]), np.array([1.0, 2.0, 3.0]))[0].tolist()
    [0.5, 1.5, 6.0, 10.5]
    """
    gaps = np.flatnonzero(np.diff(centres) > GAP_MINUTES) + 1
    if gaps.size == 0:
        return (centres, *series)
    middle = (centres[gaps - 1] + centres[gaps]) / 2.0
    return (np.insert(centres, gaps, middle), *(np.insert(s, gaps, np.nan) for s in series))


def _origin(result: ExperimentResult) -> float:
    if result.induction_time is not None:
        return result.induction_time
    return result.drug_time if result.drug_time is not None else 0.0


def _course_kind(pulses: Any) -> str:
    if isinstance(pulses, ResponseTable) and not (pulses.kind == "test").any():
        return "pp1"
    return "test"


def _plot_course(
    axes: Any,
    result: ExperimentResult,
    drug_spans: list[tuple[float, float]],
    percent: Any,
    reference: str,
) -> None:
    origin = _origin(result)
    for condition, colour in zip(result.conditions, _colours(result), strict=True):
        p = condition.pulses
        is_test = p.kind == _course_kind(p)
        minutes = (np.asarray(p.time, dtype=float)[is_test] - origin) / 60.0
        values = percent(p, reference)[:, is_test]
        centres, means, sems = _binned(values, minutes)
        axes.fill_between(centres, means - sems, means + sems, color=colour, alpha=0.2, lw=0)
        axes.plot(
            centres, means, "o-", color=colour, markersize=2.5, linewidth=0.8,
            label=f"{condition.name} (n={values.shape[0]})",
        )
    axes.axhline(100.0, color="0.5", linewidth=0.6, linestyle="--")
    _decorate(axes, result, drug_spans, origin)
    if reference == "pre_drug":
        what = "pre-drug baseline"
    elif result.induction_time is not None:
        what = "pre-induction baseline"
    else:
        what = "mean of all test pulses"
    axes.set_ylabel(f"{_labels(result)[0]} [% of {what}]")
    ncol = 2 if len(result.conditions) > 10 else 1
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, ncol=ncol)


def _decorate(
    axes: Any, result: ExperimentResult, drug_spans: list[tuple[float, float]], origin: float
) -> None:
    """Drug bar with its label above the axes, induction arrow, axis labels, title."""
    band = axes.get_xaxis_transform()
    label = drug_label(result.conditions)
    for start, end in drug_spans:
        x = ((start - origin) / 60.0, (end - origin) / 60.0)
        axes.plot(x, [1.03, 1.03], transform=band, color="0.25", linewidth=4,
                  solid_capstyle="butt", clip_on=False)
        axes.text(x[0], 1.06, label, transform=band, fontsize=8, va="bottom", color="0.25")
    if result.induction_time is not None:
        low, high = axes.get_ylim()
        axes.set_ylim(low, high + 0.12 * (high - low))  # room for the induction arrow
        axes.annotate(
            "induction", xy=(0.0, 0.90), xytext=(0.0, 0.985), ha="center", va="top",
            xycoords=band, textcoords=band, fontsize=7,
            arrowprops={"arrowstyle": "->", "color": "black"},
        )
    reference = (
        "induction" if result.induction_time is not None
        else ("drug application" if result.drug_time is not None else "start")
    )
    axes.set_xlabel(f"time from {reference} [min]")
    title = textwrap.shorten(result.protocol_name, 80, placeholder="…")
    axes.set_title(title, pad=36 if drug_spans else 6, loc="left")


#: Single-cell measures: (label for axes, trace axis label, trace unit scale, trace unit).
_RESPONSE_LABELS = {
    "ipsc_amplitude": ("IPSC amplitude", "current", 1e12, "pA"),
    "epsp_amplitude": ("EPSP amplitude", "membrane potential", 1e3, "mV"),
}


def _labels(result: ExperimentResult) -> tuple[str, str, float, str]:
    """Axis labels and trace scaling: (measure, trace quantity, SI-to-unit factor, unit)."""
    pulses = result.conditions[0].pulses if result.conditions else None
    if isinstance(pulses, ResponseTable) and pulses.measure in _RESPONSE_LABELS:
        return _RESPONSE_LABELS[pulses.measure]
    return ("fEPSP slope", "field potential", 1e3, "mV")


def _trace_conditions(result: ExperimentResult) -> list[int]:
    """Indices of control and of the highest concentration of each compound (at most four)."""
    chosen = [k for k, c in enumerate(result.conditions) if not c.drugs][:1]
    best: dict[str, tuple[float, int]] = {}
    for k, c in enumerate(result.conditions):
        if c.drugs:
            key = "+".join(name for name, _ in c.drugs)
            if key not in best or c.drugs[0][1] >= best[key][0]:
                best[key] = (c.drugs[0][1], k)
    chosen += sorted(k for _, k in best.values())
    return [k for k in chosen if result.conditions[k].example_traces][:_MAX_TRACE_CONDITIONS]


def _phases(traces: dict[str, np.ndarray]) -> tuple[tuple[str, str], tuple[str, str]]:
    """The (before, after) trace labels to show and their legend names."""
    for before, after, names in _PHASE_PAIRS:
        if before in traces and after in traces:
            return (before, after), names
    labels = list(traces)
    if len(labels) == 1:
        return (labels[0], labels[0]), ("", "whole recording")
    return (labels[0], labels[-1]), (labels[0], labels[-1])


def _plot_traces(axes: Any, result: ExperimentResult) -> None:
    from matplotlib.lines import Line2D

    measure, _, scale, unit = _labels(result)
    colours = _colours(result)
    shown, names = [], ("", "")
    low, high = np.inf, -np.inf
    for k in _trace_conditions(result):
        condition = result.conditions[k]
        time_ms = np.asarray(condition.trace_time, dtype=float) * 1e3
        outside = (time_ms < _ARTEFACT[0] * 1e3) | (time_ms > _ARTEFACT[1] * 1e3)
        labels, names = _phases(condition.example_traces)
        unique = list(dict.fromkeys(labels))
        for label, style in zip(unique, ("--", "-") if len(unique) > 1 else ("-",), strict=True):
            trace = np.asarray(condition.example_traces[label], dtype=float) * scale
            before = time_ms < _ARTEFACT[0] * 1e3
            if before.any():
                trace = trace - trace[before].mean()  # baseline-subtracted
            axes.plot(time_ms, trace, linestyle=style, color=colours[k], linewidth=0.9)
            low, high = min(low, trace[outside].min()), max(high, trace[outside].max())
        shown.append(Line2D([], [], color=colours[k], label=condition.name))
    margin = 0.08 * (high - low if high > low else 1.0)
    axes.set_ylim(low - margin, high + margin)
    styles = [
        Line2D([], [], color="0.3", linestyle=s, label=n)
        for s, n in zip(("--", "-"), names, strict=True)
        if n
    ]
    axes.legend(handles=shown + styles, loc="upper center", bbox_to_anchor=(0.5, -0.02),
                fontsize=7, ncol=1)
    _scale_bars(axes, unit)
    kind = "fEPSPs" if measure == "fEPSP slope" else f"{measure.split()[0]}s"
    if (result.provenance or {}).get("recording_site") == "stratum_pyramidale":
        kind = "somatic field responses"
    axes.set_title(f"example {kind}\nbaseline-subtracted, artefact clipped", fontsize=9)


def _nice(span: float) -> float:
    """A round scale-bar length near a quarter of ``span``."""
    target = span / 4
    power = 10 ** np.floor(np.log10(target))
    return float(min((1, 2, 5, 10), key=lambda m: abs(m * power - target)) * power)


def _scale_bars(axes: Any, unit: str) -> None:
    """Replace the axes by an L-shaped pair of scale bars (ms and ``unit``)."""
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    dx, dy = _nice(x1 - x0), _nice(y1 - y0)
    x, y = x1 - dx - 0.02 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    axes.plot([x, x + dx], [y, y], color="black", linewidth=1.5, clip_on=False)
    axes.plot([x, x], [y, y + dy], color="black", linewidth=1.5, clip_on=False)
    axes.text(x + dx / 2, y - 0.02 * (y1 - y0), f"{dx:g} ms", ha="center", va="top", fontsize=7)
    axes.text(x - 0.02 * (x1 - x0), y + dy / 2, f"{dy:g} {unit}", ha="right", va="center",
              fontsize=7)
    axes.set_axis_off()

"""The headline figure of a slice experiment: time course of the response and example traces.

The time course shows 1-min bins (isolated NMDA responses: every stimulus), mean ± SEM over
slices, of the response a physiologist reads in that experiment:

- the fEPSP slope (or single-cell amplitude) as % of each slice's baseline. With a wash-in
  the default baseline is the 10 min *before the drug* (``"pre_drug"``), so a drug that
  lowers the basal response is seen falling from 100 %; ``"pre_induction"`` (the 10 min
  before the first train) is the LTP convention used by the readouts;
- the isolated NMDA response (peak NMDA conductance of the virtual voltage clamp) as % of
  baseline, when every condition records with AMPA receptors blocked
  (:func:`synpharm.report.timeline.records_isolated_nmda`);
- the absolute fEPSP slope [-mV/ms] when nothing happens within the recording to normalise
  to (no wash-in, no induction: conditions differ by their bath or by paired pulses).

Bins before induction count from its onset (time 0); bins after it count from the last
pulse of each induction step, so that the first post-train bin is the first minute after the
train. Drug bars (one per compound and span, step-aware) and induction marks (an arrow for
brief trains, a shaded span labelled with the train for long ones such as 900 pulses at 1 Hz)
sit above the axes; the legend sits beside the axes, never over data. Side panels: example
traces (:mod:`synpharm.report.example_traces`) and paired-pulse ratios
(:mod:`synpharm.report.paired_pulse_panel`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np

from synpharm.analysis.results import ExperimentResult, PulseTable
from synpharm.report._course_style import MARKERS, colours, labels
from synpharm.report.example_traces import plot_traces
from synpharm.report.normalise import course_kind, percent_of_baseline, primary_measure
from synpharm.report.paired_pulse_panel import (
    plot_ppr_by_condition,
    plot_ppr_by_interval,
    ppr_by_condition,
    ppr_by_interval,
)
from synpharm.report.timeline import Timeline, concentration_label, experiment_timeline

__all__ = [
    "BASELINES", "baseline_reference", "draw_time_course", "drug_label", "shows_fibre_volley",
]

#: Accepted baselines of the time course.
BASELINES = ("auto", "pre_drug", "pre_induction")

#: A normalised time course spans at least this range [%], so that noise of a few per cent
#: does not look like an effect.
MIN_PERCENT_RANGE = (80.0, 120.0)

#: A drug that lowers the fEPSP slope by at least this much [%] gets a fibre-volley panel.
VOLLEY_WHEN_SLOPE_FALLS_BY = 50.0

#: Induction steps longer than this [min] are drawn as a shaded span, shorter ones as an arrow.
LONG_INDUCTION_MINUTES = 1.0


def baseline_reference(result: ExperimentResult, baseline: str) -> str:
    """The baseline actually used: ``"auto"`` means pre-drug when there is a wash-in."""
    if baseline == "auto":
        return "pre_drug" if result.drug_time is not None else "pre_induction"
    if baseline == "pre_drug" and result.drug_time is None:
        return "pre_induction"
    return baseline


def drug_label(conditions: Any) -> str:
    """Compounds with their concentrations (ranges for series): ``'ketamine 3-600 µM'``."""
    levels: dict[str, list[float]] = {}
    for condition in conditions:
        for name, concentration in condition.drugs:
            levels.setdefault(name, []).append(concentration * 1e3)
    return "; ".join(concentration_label(name, values) for name, values in levels.items())


def _default_percent(result: ExperimentResult) -> Callable[[Any, str], np.ndarray]:
    return lambda p, ref: percent_of_baseline(primary_measure(p), p, result.induction_time,
                                              result.drug_time, ref)


def draw_time_course(
    figure: Any,
    result: ExperimentResult,
    timeline: Timeline | None = None,
    percent: Callable[[Any, str], np.ndarray] | None = None,
    *,
    baseline: str = "auto",
) -> None:
    """Draw the time course and its side panels into ``figure``.

    Parameters
    ----------
    figure
        An empty :class:`matplotlib.figure.Figure` with constrained layout.
    result
        The experiment.
    timeline
        Drug bars, induction marks and the readout choice
        (:func:`synpharm.report.timeline.experiment_timeline`); default: from ``result``.
    percent
        ``percent(pulses, reference) -> (n_slices, n_pulses)`` [% of baseline] of the fEPSP
        slope or amplitude; default: :func:`synpharm.report.slope_percent_of_baseline`.
    baseline
        One of :data:`BASELINES`.
    """
    timeline = experiment_timeline(result) if timeline is None else timeline
    has_traces = any(c.example_traces and np.size(c.trace_time) for c in result.conditions)
    by_interval, by_condition = ppr_by_interval(result), ppr_by_condition(result)
    has_ppr = bool(by_interval or by_condition)
    volley = shows_fibre_volley(result, timeline)
    ratios = [2.4] + [1.3] * volley + [1.0] * has_traces + [1.0] * has_ppr
    axes = np.atleast_1d(figure.subplots(1, len(ratios), width_ratios=ratios))
    if volley:
        _plot_volley(axes[1], result, timeline)
    if has_traces:
        plot_traces(axes[1 + volley], result, ampa_blocked=timeline.isolated_nmda)
    if by_interval:
        plot_ppr_by_interval(axes[-1], result, by_interval)
    elif by_condition:
        one = timeline.pair_intervals[0] if len(timeline.pair_intervals) == 1 else None
        plot_ppr_by_condition(axes[-1], result, by_condition, one)
    percent = _default_percent(result) if percent is None else percent
    _plot_course(axes[0], result, timeline, percent, baseline_reference(result, baseline))


def _mode(result: ExperimentResult, timeline: Timeline) -> str:
    """``"nmda"``, ``"absolute"`` or ``"percent"`` (see the module docstring)."""
    if timeline.isolated_nmda:
        return "nmda"
    nothing_to_normalise_to = result.induction_time is None and result.drug_time is None
    if nothing_to_normalise_to and all(isinstance(c.pulses, PulseTable) for c in result.conditions):
        return "absolute"
    return "percent"


def _values(result, pulses, mode: str, percent, reference: str) -> np.ndarray:
    if mode == "nmda":
        return percent_of_baseline(pulses.nmda_conductance, pulses, result.induction_time,
                                   result.drug_time, reference)
    if mode == "absolute":
        return -np.asarray(pulses.fepsp_slope, dtype=float)
    return percent(pulses, reference)


def _bin_centres(minutes: np.ndarray, anchors: list[float]) -> np.ndarray:
    """Centre [min] of each pulse's 1-min bin, counted from the latest anchor before it.

    Examples
    --------
    >>> _bin_centres(np.array([-0.5, 0.2, 15.1, 16.3]), [15.0]).tolist()
    [-0.5, 0.5, 15.5, 16.5]
    """
    anchor = np.zeros_like(minutes)
    for a in sorted(anchors):
        anchor = np.where(minutes >= a, a, anchor)
    return anchor + np.floor(minutes - anchor) + 0.5


def _binned(values: np.ndarray, centres_of_pulses: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per bin: centre [min], mean and SEM over slices of the per-slice bin means."""
    centres, means, sems = [], [], []
    for centre in np.unique(centres_of_pulses):
        in_bin = values[:, centres_of_pulses == centre]
        finite = np.isfinite(in_bin)
        count = finite.sum(axis=1)
        per_slice = np.where(finite, in_bin, 0.0).sum(axis=1)[count > 0] / count[count > 0]
        if per_slice.size == 0:
            continue
        centres.append(centre)
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


def _plot_course(
    axes: Any, result: ExperimentResult, timeline: Timeline, percent: Any, reference: str
) -> None:
    mode = _mode(result, timeline)
    _plot_series(axes, result, timeline, lambda p: _values(result, p, mode, percent, reference),
                 mode)
    _decorate(axes, result, timeline, _origin(result))
    axes.set_ylabel(_ylabel(result, mode, reference))
    ncol = 2 if len(result.conditions) > 10 else 1
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, ncol=ncol)


def _plot_series(axes: Any, result: ExperimentResult, timeline: Timeline,
                 values_of: Callable[[Any], np.ndarray], mode: str) -> None:
    """Mean ± SEM over slices per bin of ``values_of(pulses)`` for every condition."""
    origin = _origin(result)
    anchors = [(m.end - origin) / 60.0 for m in timeline.inductions]
    for k, (condition, colour) in enumerate(zip(result.conditions, colours(result), strict=True)):
        p = condition.pulses
        is_test = p.kind == course_kind(p)
        minutes = (np.asarray(p.time, dtype=float)[is_test] - origin) / 60.0
        values = values_of(p)[:, is_test]
        # isolated NMDA responses: one point per stimulus (use-dependent block acts per stimulus)
        bins = minutes if mode == "nmda" else _bin_centres(minutes, anchors)
        centres, means, sems = _binned(values, bins)
        axes.fill_between(centres, means - sems, means + sems, color=colour, alpha=0.2, lw=0)
        axes.plot(centres, means, "-", marker=MARKERS[k % len(MARKERS)], color=colour,
                  markersize=2.5, linewidth=0.8, label=f"{condition.name} (n={values.shape[0]})")
    if mode == "absolute":
        axes.set_ylim(0.0, None)  # magnitudes of conditions compared from zero
    else:
        axes.axhline(100.0, color="0.5", linewidth=0.6, linestyle="--")
        low, high = axes.get_ylim()
        axes.set_ylim(min(low, MIN_PERCENT_RANGE[0]), max(high, MIN_PERCENT_RANGE[1]))


def shows_fibre_volley(result: ExperimentResult, timeline: Timeline) -> bool:
    """Whether a drug lowers the fEPSP slope of some condition by at least
    :data:`VOLLEY_WHEN_SLOPE_FALLS_BY` % (``baseline_change_percent``): then the figure adds the
    fibre volley, which tells an axonal action (TTX) from a synaptic one (CNQX)."""
    if _mode(result, timeline) != "percent" or result.drug_time is None:
        return False
    return any(
        isinstance(c.pulses, PulseTable) and "baseline_change_percent" in c.readouts
        and c.readouts["baseline_change_percent"].mean <= -VOLLEY_WHEN_SLOPE_FALLS_BY
        for c in result.conditions
    )


def _plot_volley(axes: Any, result: ExperimentResult, timeline: Timeline) -> None:
    """Fibre-volley amplitude as % of the pre-drug baseline, binned as the time course."""
    def volley(p: Any) -> np.ndarray:
        return percent_of_baseline(p.fiber_volley_amplitude, p, result.induction_time,
                                   result.drug_time, "pre_drug")

    _plot_series(axes, result, timeline, volley, "percent")
    axes.set_xlabel(f"time from {_reference_name(result)} [min]")
    axes.set_ylabel("fibre volley amplitude [% of pre-drug baseline]")
    axes.set_title("presynaptic fibre volley", fontsize=9)


def _ylabel(result: ExperimentResult, mode: str, reference: str) -> str:
    if mode == "absolute":
        return f"{labels(result)[0]} [-mV/ms]"
    if reference == "pre_drug":
        what = "pre-drug baseline"
    elif result.induction_time is not None:
        what = "pre-induction baseline"
    else:
        what = "mean of all test pulses"
    measure = "isolated NMDA response" if mode == "nmda" else labels(result)[0]
    return f"{measure} [% of {what}]"


def _reference_name(result: ExperimentResult) -> str:
    if result.induction_time is not None:
        return "induction"
    return "drug application" if result.drug_time is not None else "start"


def _decorate(axes: Any, result: ExperimentResult, timeline: Timeline, origin: float) -> None:
    """Drug bars with labels above the axes, induction marks, axis labels, title."""
    band = axes.get_xaxis_transform()
    for row, bar in enumerate(timeline.bars):
        x = ((bar.start - origin) / 60.0, (bar.end - origin) / 60.0)
        y = 1.03 + 0.09 * row
        axes.plot(x, [y, y], transform=band, color="0.25", linewidth=4,
                  solid_capstyle="butt", clip_on=False)
        axes.text(x[0], y + 0.025, bar.label, transform=band, fontsize=8, va="bottom",
                  color="0.25")
    if timeline.inductions:
        low, high = axes.get_ylim()
        axes.set_ylim(low, high + 0.12 * (high - low))  # room for the induction marks
    for mark in timeline.inductions:
        start, end = (mark.start - origin) / 60.0, (mark.end - origin) / 60.0
        if end - start >= LONG_INDUCTION_MINUTES:
            axes.axvspan(start, end, color="0.85", linewidth=0, zorder=0)
            axes.text((start + end) / 2, 0.975, mark.label, transform=band, ha="center",
                      va="top", fontsize=7, wrap=True)
        else:
            axes.annotate(mark.label, xy=(start, 0.90), xytext=(start, 0.985), ha="center",
                          va="top", xycoords=band, textcoords=band, fontsize=7,
                          arrowprops={"arrowstyle": "->", "color": "black"})
    axes.set_xlabel(f"time from {_reference_name(result)} [min]")
    title = textwrap.shorten(result.protocol_name, 80, placeholder="…")
    pad = 6 + 30 * len(timeline.bars) + (6 if timeline.bars else 0)
    axes.set_title(title, pad=pad, loc="left")

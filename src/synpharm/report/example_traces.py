"""Example-trace panel of a slice or single-cell time-course figure.

One averaged sweep per condition and phase for at most four conditions (control and the
highest concentration of each compound), each trace minus its pre-stimulus mean, the stimulus
artefact clipped, with scale bars instead of axes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from synpharm.analysis.results import ExperimentResult
from synpharm.report._course_style import colours
from synpharm.report._course_style import labels as response_labels

__all__ = ["plot_traces"]

#: Phase pairs of the trace panel: (before label, after label, legend of the pair).
_PHASE_PAIRS = (
    ("pre_induction", "ltp", ("baseline", "50-60 min after induction")),
    ("pre_drug", "drug_end", ("before drug", "end of drug")),
    ("pre_drug", "pre_induction", ("before drug", "drug, before induction")),
)
_MAX_TRACE_CONDITIONS = 4
_ARTEFACT = (-0.2e-3, 1.2e-3)  # [s] around the stimulus: excluded from the y-range


def _trace_conditions(result: ExperimentResult) -> list[int]:
    """Indices of drug-free conditions and of the highest concentration of each compound
    (at most four)."""
    chosen = [k for k, c in enumerate(result.conditions) if not c.drugs]  # every bath
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
    labels = [name for name in traces if not name.startswith("io")] or list(traces)
    if len(labels) == 1:
        return (labels[0], labels[0]), ("", "whole recording")
    return (labels[0], labels[-1]), (labels[0], labels[-1])


def plot_traces(axes: Any, result: ExperimentResult, *, ampa_blocked: bool = False) -> None:
    """Example sweeps (``ampa_blocked``: the field left with AMPA receptors blocked)."""
    from matplotlib.lines import Line2D

    measure, _, scale, unit = response_labels(result)
    palette = colours(result)
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
            axes.plot(time_ms, trace, linestyle=style, color=palette[k], linewidth=0.9)
            low, high = min(low, trace[outside].min()), max(high, trace[outside].max())
        shown.append(Line2D([], [], color=palette[k], label=condition.name))
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
    if ampa_blocked:
        kind = "field responses\n(AMPA receptors blocked)"
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

"""Input-output figure of a slice experiment: sweeps per intensity, I/O and E-S curves.

Drawn when a protocol has ``input_output`` steps. Panels: the mean sweep at each intensity
before (and after) induction for the first condition (with one input-output phase and several
conditions: for the first and the last condition), on one voltage scale (somatic sweeps with
population spikes when recorded in stratum pyramidale); fEPSP slope vs intensity;
population-spike amplitude vs intensity; and population spike vs fEPSP slope (the E-S curve,
whose leftward shift after induction is EPSP-spike potentiation). Curves show mean +- SEM over
slices per phase.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

__all__ = ["draw_input_output", "has_input_output"]

_LEVEL = re.compile(r"^(io(?:_pre|_post)?)_fepsp_slope_(\d+)$")
_STYLE = {"io": "-", "io_pre": "--", "io_post": "-"}
_NAMES = {"io": "", "io_pre": "before induction", "io_post": "after induction"}
_ARTEFACT_END_MS = 0.8  # the stimulus artefact is clipped from the y range


def _levels(readouts: dict[str, Any]) -> dict[str, list[int]]:
    levels: dict[str, list[int]] = {}
    for name in readouts:
        match = _LEVEL.match(name)
        if match:
            levels.setdefault(match[1], []).append(int(match[2]))
    return {phase: sorted(values) for phase, values in levels.items()}


def has_input_output(result: Any) -> bool:
    """Whether any condition has input-output readouts."""
    return any(_levels(c.readouts) for c in result.conditions)


def _curve(readouts, phase: str, measure: str, levels: list[int]) -> tuple[np.ndarray, ...]:
    items = [readouts[f"{phase}_{measure}_{level}"] for level in levels]
    return np.array([r.mean for r in items]), np.array([r.sem for r in items])


def _plot_sweeps(axes, condition, phase: str, levels: list[int]) -> None:
    import matplotlib as mpl

    time_ms = np.asarray(condition.trace_time) * 1e3
    colours = mpl.colormaps["viridis"](np.linspace(0.0, 0.9, len(levels)))
    after_artefact = time_ms > _ARTEFACT_END_MS
    low, high = 0.0, 0.0
    for level, colour in zip(levels, colours, strict=True):
        trace = condition.example_traces.get(f"{phase}_{level}")
        if trace is not None:
            trace = np.asarray(trace) * 1e3
            axes.plot(time_ms, trace, color=colour, linewidth=0.8, label=f"{level} %")
            low = min(low, trace[after_artefact].min())
            high = max(high, trace[after_artefact].max())
    margin = 0.1 * (high - low) if high > low else 0.1
    axes.set_xlim(-1.0, time_ms.max())
    axes.set_ylim(low - margin, high + margin)
    axes.set_xlabel("time after stimulus [ms]")
    axes.set_ylabel("field [mV] (artefact clipped)")
    axes.set_title(f"{condition.name}: sweeps {_NAMES[phase]}".strip(), fontsize=9)
    axes.legend(fontsize=6, title="intensity", title_fontsize=6, loc="upper right")


def draw_input_output(figure: Any, result: Any) -> None:
    """Draw the input-output figure into ``figure`` (see the module docstring)."""
    conditions = [c for c in result.conditions if _levels(c.readouts)]
    first = conditions[0]
    levels = _levels(first.readouts)
    spikes = any(name.endswith("population_spike_" + str(lv)) for name in first.readouts
                 for lv in next(iter(levels.values())))
    phases = [p for p in levels if any(f"{p}_{lv}" in first.example_traces for lv in levels[p])]
    sweeps = [(first, phase) for phase in phases]
    if len(phases) == 1 and len(conditions) > 1:  # one phase: first and last condition side by side
        sweeps.append((conditions[-1], phases[0]))
    n = len(sweeps) + (3 if spikes else 1)
    axes = figure.subplots(1, n)
    axes = np.atleast_1d(axes)
    for ax, (condition, phase) in zip(axes, sweeps, strict=False):
        _plot_sweeps(ax, condition, phase, levels[phase])
    if len(sweeps) > 1:  # sweeps on one scale, so that growth is seen
        limits = [ax.get_ylim() for ax in axes[:len(sweeps)]]
        for ax in axes[:len(sweeps)]:
            ax.set_ylim(min(lo for lo, _ in limits), max(hi for _, hi in limits))
    curves = axes[len(sweeps):]
    colours = [f"C{k}" for k in range(len(conditions))]
    for condition, colour in zip(conditions, colours, strict=True):
        for phase, lv in _levels(condition.readouts).items():
            label = f"{condition.name} {_NAMES[phase]}".strip()
            slope, slope_sem = _curve(condition.readouts, phase, "fepsp_slope", lv)
            curves[0].errorbar(lv, -slope, slope_sem, linestyle=_STYLE[phase], marker="o",
                               markersize=3, color=colour, label=label)
            if spikes:
                ps, ps_sem = _curve(condition.readouts, phase, "population_spike", lv)
                curves[1].errorbar(lv, ps, ps_sem, linestyle=_STYLE[phase], marker="o",
                                   markersize=3, color=colour)
                curves[2].plot(-slope, ps, linestyle=_STYLE[phase], marker="o", markersize=3,
                               color=colour, label=label)
    curves[0].set(xlabel="stimulus intensity [% of maximal]", ylabel="fEPSP slope [-mV/ms]",
                  title="input-output: fEPSP slope")
    # long handles, so that the dashed (before) and solid (after) lines can be told apart;
    # upper left, where input-output curves that rise with intensity leave room
    curves[0].legend(fontsize=6, handlelength=4, loc="upper left")
    if spikes:
        curves[1].set(xlabel="stimulus intensity [% of maximal]",
                      ylabel="population spike [mV]", title="input-output: population spike")
        curves[2].set(xlabel="fEPSP slope [-mV/ms]", ylabel="population spike [mV]",
                      title="E-S curve")
        curves[2].legend(fontsize=6, handlelength=4, loc="upper left")
    for ax in curves:
        ax.title.set_fontsize(9)

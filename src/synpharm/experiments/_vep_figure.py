"""The figure of a VEP-LTP crossover study (:mod:`synpharm.experiments.vep`)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["draw_vep"]


def draw_vep(figure, study: Any, courses, sessions) -> None:
    """Exposure and protein, P2 after the tetanus per arm, and the paired crossover."""
    ax_pk, ax_course, ax_pairs = figure.subplots(1, 3)
    _draw_exposure(ax_pk, study, courses)
    for name, session in sessions.items():
        normalised = 100.0 * session.post / session.baseline.mean(axis=1, keepdims=True)
        mean = normalised.mean(axis=0)
        sem = normalised.std(axis=0, ddof=1) / np.sqrt(normalised.shape[0])
        ax_course.errorbar(session.post_times / 60.0, mean, sem, marker="o", label=name)
    ax_course.axhline(100.0, color="0.6", lw=0.8)
    ax_course.set(xlabel="time after visual tetanus [min]", ylabel="P2 [% of baseline]",
                  title="P2 after the tetanus (mean ± SEM)")
    ax_course.legend(loc="center right")
    names = list(sessions)
    values = np.stack([sessions[k].potentiation_percent for k in names])
    x = np.arange(len(names))
    ax_pairs.plot(x, values, color="0.7", lw=0.6)
    ax_pairs.plot(x, values.mean(axis=1), "ko-", lw=2)
    ax_pairs.set(xticks=x, xticklabels=names, ylabel="P2 potentiation [%]",
                 title=f"crossover, n = {values.shape[1]} ({study.subject_condition})")


def _draw_exposure(ax_pk, study: Any, courses) -> None:
    """Drug concentration (left axis, solid) and synaptic protein (right axis, dashed)."""
    ax_protein = ax_pk.twinx()
    ax_protein.spines["right"].set_visible(True)
    for k, (name, (times, concentrations, protein)) in enumerate(courses.items()):
        for compound, c in concentrations.items():
            ax_pk.plot(times / 3600.0, c * 1e3, color=f"C{k}",
                       label=f"{name}: {compound} ({study.site})")
        ax_protein.plot(times / 3600.0, protein, "--", color=f"C{k}",
                        label=f"{name}: synaptic protein")
    ax_pk.set(xlabel="time after infusion start [h]", ylabel="drug concentration [µM]",
              title="exposure and synaptic protein")
    ax_protein.set_ylabel("synaptic protein [relative to baseline]")
    handles = [h for a in (ax_pk, ax_protein) for h in a.get_legend_handles_labels()[0]]
    ax_pk.legend(handles=handles, fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.14))

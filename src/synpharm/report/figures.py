"""Figure files of a slice or single-cell experiment (PNG for reading, SVG for editing).

``time_course.png``/``.svg`` always; ``input_output.png``/``.svg`` with input-output steps;
``concentration_response.png``/``.svg`` when the experiment has a Hill fit. Saving is
reproducible: no dates or software tags, fixed SVG ids.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from synpharm.style import rc_context

__all__ = ["save", "write_experiment_figures"]


def save(draw: Callable[[Any], None], stem: Path, size: tuple[float, float]) -> None:
    """Draw with ``draw(figure)`` on a constrained-layout figure; write ``stem.png``/``.svg``."""
    from matplotlib.figure import Figure

    with rc_context():
        figure = Figure(figsize=size, layout="constrained")
        draw(figure)
        figure.savefig(stem.with_suffix(".png"), dpi=150, metadata={"Software": None})
        figure.savefig(stem.with_suffix(".svg"), metadata={"Date": None})


def write_experiment_figures(
    result: Any,
    folder: Path,
    timeline: Any,
    percent: Callable[[Any, str], Any],
    *,
    baseline: str = "auto",
) -> None:
    """Write the time-course figure and, with a Hill fit, the concentration-response figure.

    Parameters
    ----------
    result
        A :class:`synpharm.analysis.results.ExperimentResult`.
    folder
        Destination folder (exists).
    timeline
        Drug bars, induction marks and readout choice
        (:class:`synpharm.report.timeline.Timeline`).
    percent
        ``percent(pulses, reference)``: per-pulse response [% of the ``reference`` baseline].
    baseline
        ``"auto"``, ``"pre_drug"`` or ``"pre_induction"``.
    """
    from synpharm.report.concentration_response import (
        draw_concentration_response,
        series_from_result,
    )
    from synpharm.report.time_course import draw_time_course, shows_fibre_volley

    has_traces = any(c.example_traces for c in result.conditions)
    width = (11.0 if has_traces else 8.5) + (3.5 if shows_fibre_volley(result, timeline) else 0.0)
    save(
        lambda figure: draw_time_course(figure, result, timeline, percent, baseline=baseline),
        folder / "time_course",
        (width, 4.6 if has_traces else 4.4),
    )
    from synpharm.report.input_output import draw_input_output, has_input_output

    if has_input_output(result):
        save(lambda figure: draw_input_output(figure, result), folder / "input_output",
             (15.0, 3.6))
    series = series_from_result(result)
    if series:
        save(
            lambda figure: draw_concentration_response(figure, series),
            folder / "concentration_response",
            (4.8 * len(series) + 1.6, 3.8),
        )

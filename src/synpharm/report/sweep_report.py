"""Figures and the HTML page of a sweep (written into its staged output folder)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["write_sweep_report"]


def write_sweep_report(
    folder: Path, summary: Mapping[str, Any], cells: Sequence[tuple[Any, dict]]
) -> None:
    """Write ``concentration_response.png``/``.svg`` (with Hill fits) and ``index.html``.

    Parameters
    ----------
    folder
        The sweep's output folder (being staged).
    summary
        The sweep summary document.
    cells
        ``(chunk, {readout: (values, unit)})`` for every grid cell.
    """
    from synpharm.report.concentration_response import (
        draw_concentration_response,
        series_from_sweep,
    )
    from synpharm.report.figures import save
    from synpharm.report.html import sweep_page

    series = series_from_sweep(summary, cells)
    if series:
        columns = min(len(series), 2)
        rows = -(-len(series) // columns)

        def draw(figure: Any) -> None:
            draw_concentration_response(figure, series, columns=columns)

        save(draw, folder / "concentration_response", (6.4 * columns, 3.8 * rows))
    (folder / "index.html").write_text(sweep_page(folder, summary), encoding="utf-8")

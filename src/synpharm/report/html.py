"""One HTML report page for ``run``, ``sweep`` and ``validate`` (Jinja2 template, no network).

The page (``templates/report.html.j2``) is self-contained apart from the figure files beside
it: inline CSS and a few lines of inline JavaScript, no fonts, scripts or styles fetched from
anywhere. It adapts to narrow screens (figures in a grid that collapses to one column),
shows a figure at full width when it is clicked, and sorts a table by a column when its
heading is clicked (numbers as numbers, via ``data-sort``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synpharm.report.tables import DESIGN_READOUTS, format_mean_sem, format_p

__all__ = [
    "Cell",
    "Figure",
    "Section",
    "Table",
    "readout_table",
    "render_page",
    "run_page",
    "sweep_page",
    "sweep_table",
    "write_run_report",
]


@dataclass(frozen=True)
class Cell:
    """A table cell: shown text, CSS class (``num``, ``status-pass``), numeric sort key."""

    text: str
    cls: str = ""
    key: float | str | None = None


@dataclass(frozen=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]


@dataclass(frozen=True)
class Figure:
    src: str
    caption: str


@dataclass(frozen=True)
class Section:
    """A part of the page: heading, paragraphs, figures, tables and key-value facts."""

    heading: str
    text: Sequence[str] = ()
    figures: Sequence[Figure] = ()
    tables: Sequence[Table] = ()
    facts: Sequence[tuple[str, str]] = ()
    anchor: str = field(default="")
    columns: int = 2


def _anchor(heading: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in heading.lower()).strip("-") or "section"


def render_page(title: str, sections: Sequence[Section], subtitle: str = "") -> str:
    """The HTML page as text (autoescaped)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("synpharm.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    sections = [
        s if s.anchor else Section(
            s.heading, s.text, s.figures, s.tables, s.facts, _anchor(s.heading), s.columns
        )
        for s in sections
    ]
    return env.get_template("report.html.j2").render(
        title=title, subtitle=subtitle, sections=sections
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def readout_table(summary: Mapping[str, Any]) -> Table:
    """Long table of a summary document: one row per condition x readout."""
    rows = []
    for condition in summary.get("conditions", []):
        for name, r in condition.get("readouts", {}).items():
            if name in DESIGN_READOUTS or not r.get("n"):
                continue
            mean, sem, p = _number(r.get("mean")), _number(r.get("sem")), r.get("p_vs_control")
            rows.append(
                [
                    Cell(name),
                    Cell(str(r.get("unit", ""))),
                    Cell(str(condition["name"])),
                    Cell(format_mean_sem(mean, sem), "num", mean),
                    Cell(str(r["n"]), "num", r["n"]),
                    Cell(format_p(p).removeprefix("p="), "num", _number(p)),
                ]
            )
    return Table(["readout", "unit", "condition", "mean ± SEM", "n", "p vs control"], rows)


#: Known figure files and what they show (others get their file name as caption).
_CAPTIONS = {
    "time_course": "Time course (1-min bins, mean ± SEM) and example traces",
    "concentration_response": "Concentration-response: single values, Hill fit, 95 % band",
    "figure": "Study figure",
}


def _figures(folder: Path) -> list[Figure]:
    order = list(_CAPTIONS)
    paths = sorted(
        folder.rglob("*.png"),
        key=lambda p: (order.index(p.stem) if p.stem in order else len(order), str(p)),
    )
    return [
        Figure(p.relative_to(folder).as_posix(), _CAPTIONS.get(p.stem, p.stem.replace("_", " ")))
        for p in paths
    ]


def _provenance(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    facts = []
    for key, value in summary.get("provenance", {}).items():
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        facts.append((str(key), text if len(text) < 400 else text[:400] + " …"))
    return facts


def run_page(folder: Path) -> str:
    """The report of a ``synpharm run`` output folder (reads ``summary.json`` and the PNGs)."""
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    sections = [
        Section("Figures", figures=_figures(folder), columns=1),
        Section(
            "Readouts",
            text=["Mean ± SEM over slices/subjects; p: Welch t-test against control. "
                  "Click a column heading to sort."],
            tables=[readout_table(summary)],
        ),
        Section("Provenance", facts=_provenance(summary)),
    ]
    files = ", ".join(sorted(p.name for p in folder.iterdir() if p.suffix != ".html"))
    return render_page(f"synpharm run: {summary.get('protocol', '')}", sections, f"files: {files}")


def sweep_table(summary: Mapping[str, Any]) -> Table:
    """One row per sweep cell (protocol x parameter set x seed x cohort x condition) x readout."""
    rows = []
    for cell in summary.get("cells", []):
        where = [Cell(str(cell.get(k, ""))) for k in ("protocol", "parameter_set")]
        where += [
            Cell(str(cell.get(k, "")), "num", _number(cell.get(k))) for k in ("seed", "cohort")
        ]
        for name, r in cell.get("readouts", {}).items():
            if name in DESIGN_READOUTS or not r.get("n"):
                continue
            mean, sem, p = _number(r.get("mean")), _number(r.get("sem")), r.get("p_vs_control")
            rows.append(
                [
                    *where,
                    Cell(str(cell.get("condition", ""))),
                    Cell(name),
                    Cell(str(r.get("unit", ""))),
                    Cell(format_mean_sem(mean, sem), "num", mean),
                    Cell(str(r["n"]), "num", r["n"]),
                    Cell(format_p(p).removeprefix("p="), "num", _number(p)),
                ]
            )
    header = ["protocol", "parameter set", "seed", "cohort", "condition", "readout", "unit",
              "mean ± SEM", "n", "p vs control"]
    return Table(header, rows)


def sweep_page(folder: Path, summary: Mapping[str, Any]) -> str:
    """The report of a sweep: the figures in ``folder`` and every cell's readouts."""
    grid = summary.get("grid", {})
    facts = [(k, json.dumps(v, sort_keys=True)) for k, v in grid.items()]
    facts += _provenance(summary)
    sections = [
        Section("Figures", figures=_figures(folder), columns=1),
        Section("Readouts", text=["Mean ± SEM over slices; p: Welch t-test against the control "
                                  "of the same protocol, parameter set, seed and cohort. Click a "
                                  "heading to sort."], tables=[sweep_table(summary)]),
        Section("Grid and provenance", facts=facts),
    ]
    return render_page(f"synpharm sweep: {summary.get('sweep', '')}", sections,
                       str(summary.get("description", "")))


def write_run_report(folder: str | Path) -> Path:
    """Write ``index.html`` into a finished ``synpharm run`` output folder; returns its path."""
    folder = Path(folder)
    path = folder / "index.html"
    path.write_text(run_page(folder), encoding="utf-8")
    return path

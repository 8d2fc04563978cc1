"""Readout tables for the terminal and for logs: names are never cut, numbers are rounded.

A summary document (``result.summary()``) holds, per condition, readouts with mean, SEM, n and
a Welch test against control. Two layouts:

- **wide**: one row per condition, one column per readout; chosen only on a terminal wide
  enough to show every column in full;
- **long**: one block per readout (name and unit as its heading), one line per condition with
  mean ± SEM, n and the p value against control. Lines are as long as their content needs, so
  piping into a file or ``cat`` never truncates a name.

Design variables carried as readouts (``session``: which crossover period an arm fell in) are
not averaged: they are named once under the table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "DESIGN_READOUTS",
    "format_mean_sem",
    "format_p",
    "long_table",
    "render_table",
    "wide_fits",
]

#: Readout names that describe the design (period, order) rather than a measurement.
DESIGN_READOUTS: frozenset[str] = frozenset({"session", "period", "sequence", "order", "subject"})

_GAP = "  "


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _significant(value: float, digits: int) -> str:
    """``value`` with ``digits`` significant figures, scientific only when very small or large."""
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    if magnitude < -3 or magnitude >= 6:
        return f"{value:.{digits - 1}e}"
    decimals = max(digits - 1 - magnitude, 0)
    return f"{value:.{decimals}f}"


def format_mean_sem(mean: Any, sem: Any) -> str:
    """Mean ± SEM with the SEM to 2 significant figures and the mean to the same decimal place.

    Examples
    --------
    >>> format_mean_sem(158.276, 1.934)
    '158.3 ± 1.9'
    >>> format_mean_sem(-0.55717, 0.0631)
    '-0.557 ± 0.063'
    >>> format_mean_sem(2.5, None)
    '2.50'
    """
    if not _finite(mean):
        return "—"
    if not _finite(sem) or sem <= 1e-9 * abs(mean):  # no spread beyond float rounding
        return _significant(float(mean), 3)
    magnitude = math.floor(math.log10(sem))
    if magnitude < -3 or magnitude >= 6 or abs(mean) >= 1e6 or 0 < abs(mean) < 1e-3:
        return f"{mean:.3g} ± {sem:.2g}"
    decimals = max(1 - magnitude, 0)
    mean = round(float(mean), decimals) + 0.0  # no "-0.0"
    return f"{mean:.{decimals}f} ± {sem:.{decimals}f}"


def format_p(p: Any) -> str:
    """A p value with 2 significant figures (``""`` when there is none)."""
    if not _finite(p):
        return ""
    return "p<1e-10" if p < 1e-10 else f"p={p:.2g}"


def _readout_units(summary: Mapping[str, Any]) -> dict[str, str]:
    """Readout name -> unit, in first-seen order, design variables excluded."""
    units: dict[str, str] = {}
    for condition in summary.get("conditions", []):
        for name, readout in condition.get("readouts", {}).items():
            if name not in DESIGN_READOUTS:
                units.setdefault(name, readout.get("unit", ""))
    return units


def _design_names(summary: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for condition in summary.get("conditions", []):
        names += [n for n in condition.get("readouts", {}) if n in DESIGN_READOUTS]
    return sorted(set(names))


def _heading(name: str, unit: str) -> str:
    return f"{name} [{unit}]" if unit and unit != "1" else name


def _rows(summary: Mapping[str, Any], name: str) -> list[tuple[str, str, str, str]]:
    """(condition, mean ± SEM, n, p) for every condition that measured ``name``."""
    rows = []
    for condition in summary.get("conditions", []):
        readout = condition.get("readouts", {}).get(name)
        if readout is None or not readout.get("n"):
            continue
        rows.append(
            (
                str(condition["name"]),
                format_mean_sem(readout.get("mean"), readout.get("sem")),
                f"n={readout['n']}",
                format_p(readout.get("p_vs_control")),
            )
        )
    return rows


def _title(summary: Mapping[str, Any]) -> str:
    tested = any(
        _finite(r.get("p_vs_control"))
        for c in summary.get("conditions", [])
        for r in c.get("readouts", {}).values()
    )
    return f"{summary.get('protocol', '')}: mean ± SEM, n" + (
        "; p: Welch t-test vs control" if tested else ""
    )


def _footer(summary: Mapping[str, Any], empty: Iterable[str]) -> list[str]:
    lines = []
    empty = list(empty)
    if empty:
        lines.append(f"no values in any condition: {', '.join(empty)}")
    design = _design_names(summary)
    if design:
        lines.append(f"design variables (not averaged): {', '.join(design)}")
    return lines


def long_table(summary: Mapping[str, Any]) -> str:
    """The long layout: one block per readout, one line per condition.

    Parameters
    ----------
    summary
        A summary document as returned by ``result.summary()``.

    Returns
    -------
    str
        Text with a final newline; no line is cut, whatever its length.
    """
    lines, empty = [_title(summary)], []
    for name, unit in _readout_units(summary).items():
        rows = _rows(summary, name)
        if not rows:
            empty.append(name)
            continue
        widths = [max(len(row[k]) for row in rows) for k in range(3)]
        lines += ["", _heading(name, unit)]
        for row in rows:
            cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].rjust(widths[2])]
            lines.append(("  " + _GAP.join(cells) + (_GAP + row[3] if row[3] else "")).rstrip())
    footer = _footer(summary, empty)
    return "\n".join(lines + (["", *footer] if footer else [])) + "\n"


def _wide_cells(summary: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the wide layout (cells 'mean ± SEM (n)')."""
    units = _readout_units(summary)
    header = ["condition"] + [_heading(name, unit) for name, unit in units.items()]
    rows = []
    for condition in summary.get("conditions", []):
        readouts = condition.get("readouts", {})
        cells = [str(condition["name"])]
        for name in units:
            r = readouts.get(name)
            ok = r is not None and r.get("n")
            cells.append(f"{format_mean_sem(r['mean'], r['sem'])} ({r['n']})" if ok else "—")
        rows.append(cells)
    return header, rows


def wide_fits(summary: Mapping[str, Any], width: int) -> bool:
    """Whether the wide layout shows every header and cell in full within ``width`` columns."""
    header, rows = _wide_cells(summary)
    needed = sum(max(len(c) for c in column) + 3 for column in zip(header, *rows, strict=True))
    return needed + 1 <= width


def render_table(summary: Mapping[str, Any], *, width: int | None, terminal: bool) -> Any:
    """The table to print: a rich wide table on a wide terminal, else the long text.

    Parameters
    ----------
    summary
        A summary document as returned by ``result.summary()``.
    width
        Width of the terminal in columns (ignored when ``terminal`` is false).
    terminal
        Whether the output is a terminal.

    Returns
    -------
    rich.table.Table or str
    """
    if not terminal or width is None or not wide_fits(summary, width):
        return long_table(summary)
    from rich.table import Table

    header, rows = _wide_cells(summary)
    table = Table(title=_title(summary))
    for k, heading in enumerate(header):
        table.add_column(heading, justify="left" if k == 0 else "right", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    footer = _footer(summary, [])
    if footer:
        table.caption = "; ".join(footer)
    return table

"""The validation scorecard as a terminal table, JSON, one figure per target and an HTML page.

Figures show, for every check of a target, the simulated per-subject values (dots), their
mean +- SEM and the published value or acceptance range (shaded), so a reader sees at a glance
how far the model is from each claim.
"""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from synpharm.io.staging import staged_folder

if TYPE_CHECKING:
    from synpharm.validation import CheckOutcome, Scorecard, TargetOutcome

__all__ = ["print_scorecard", "scorecard_json", "write_scorecard_report"]

_STATUS_STYLE = {"pass": "green", "fail": "red", "pending": "yellow"}
_STATUS_COLOUR = {"pass": "#1a7f37", "fail": "#cf222e", "pending": "#9a6700"}
_SVG_SALT = "synpharm-scorecard"


def scorecard_json(scorecard: Scorecard) -> str:
    """The scorecard document (``synpharm validate --json``) with a final newline."""
    return json.dumps(scorecard.as_dict(), indent=2) + "\n"


def _status_cell(outcome: TargetOutcome) -> str:
    style = _STATUS_STYLE[outcome.status]
    text = outcome.status
    if len(outcome.seed_passes) > 1:
        text += f" {sum(outcome.seed_passes)}/{len(outcome.seed_passes)}"
    if outcome.target.expected == "fail":
        text += " (expected)" if outcome.status == "fail" else " (expected fail)"
    return f"[{style}]{text}[/{style}]"


def print_scorecard(scorecard: Scorecard, file: Any = None) -> None:
    """Print one table per role (calibration, validation) and the counts of each role.

    With several seeds the status column shows the seeds at which the target passed.
    """
    from rich.console import Console
    from rich.table import Table

    console = Console(file=file, width=200)
    summary = scorecard.summary()
    for role in ("calibration", "validation"):
        outcomes = [o for o in scorecard.outcomes if o.target.role == role]
        if not outcomes:
            continue
        table = Table(title=f"synpharm scorecard: {role} targets", show_lines=False)
        for column in ("id", "status", "simulated", "published", "tolerance"):
            table.add_column(column, overflow="fold")
        for outcome in outcomes:
            row = outcome.as_dict()
            table.add_row(
                outcome.target.id,
                _status_cell(outcome),
                row["simulated"] or outcome.detail,
                outcome.target.claim,
                row["tolerance"] or "",
            )
        console.print(table)
    if scorecard.n_seeds > 1:
        console.print(f"seeds: {scorecard.n_seeds} per target; a target passes when all its "
                      f"checks pass at >= {summary['pass_threshold']:.0%} of them")
    for role, counts in summary["by_role"].items():
        console.print(
            f"{role}: {counts['pass']} pass, {counts['fail']} fail "
            f"({counts['expected_fail']} expected to fail), {counts['pending']} pending"
        )
    for line in summary["calibration_overlaps"]:
        console.print(f"not independent of calibration: {line}")
    if summary["unexpected_failures"]:
        console.print("failing although expected to pass: "
                      + ", ".join(summary["unexpected_failures"]))


def _padded(points: list[float], log: bool = False) -> tuple[float, float]:
    """Axis limits around the finite ``points`` with 10 % padding (multiplicative on log)."""
    finite = [p for p in points if p is not None and math.isfinite(p) and (p > 0 or not log)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    if log:
        return low / 1.5, high * 1.5
    pad = 0.1 * (high - low) or 0.1 * abs(high) or 1.0
    return low - pad, high + pad


def _strip(axes: Any, check: CheckOutcome) -> None:
    """Per-subject dots, mean +- SEM per group and the acceptance band."""
    data: list[float] = []
    for k, series in enumerate(check.series):
        values = series.values[np.isfinite(series.values)]
        data.extend(values.tolist())
        if values.size:
            offsets = np.linspace(-0.2, 0.0, values.size)
            axes.plot(k + offsets, values, "o", ms=3, alpha=0.5, color="0.4")
            sem = values.std(ddof=1) / math.sqrt(values.size) if values.size > 1 else 0.0
            axes.errorbar(k + 0.15, values.mean(), yerr=sem, fmt="s", color="k", ms=5, capsize=3)
    axes.set_xlim(-0.6, len(check.series) - 0.4)
    axes.set_xticks(range(len(check.series)))
    axes.set_xticklabels([s.label for s in check.series], rotation=30, ha="right", fontsize=7)
    band = check.band or (None, None)
    bottom, top = _padded(data + [b for b in band if b is not None])
    axes.set_ylim(bottom, top)
    if check.band is not None:
        low, high = check.band
        axes.axhspan(
            bottom if low is None else low,
            top if high is None else high,
            color=_STATUS_COLOUR["pass"],
            alpha=0.12,
            lw=0,
        )
    axes.set_ylabel(f"[{check.unit}]" if check.unit else "value")


def _fit_panel(axes: Any, check: CheckOutcome) -> None:
    """The concentration-response data, Hill fit and band, with the published EC50 range."""
    from synpharm.report.concentration_response import Series, draw_panel

    points = (check.fit or {})["points"]
    ci = (check.fit or {}).get("ic50_ci_uM", [math.nan, math.nan])
    series = Series(
        title=check.what,
        response="inhibition of the basal response [%]",
        concentrations_uM=np.asarray(points["concentration_uM"], dtype=float),
        responses=np.asarray(points["response"], dtype=float),
        control=np.asarray(points["control"], dtype=float),
        summary=f"simulated IC50 {check.value:.3g} µM\n95 % CI "
        f"{float(ci[0] or math.nan):.3g}–{float(ci[1] or math.nan):.3g} µM",
        compound=str((check.fit or {}).get("compound", "")),
    )
    draw_panel(axes, series)
    if check.band is not None and None not in check.band:
        axes.axvspan(*check.band, color=_STATUS_COLOUR["pass"], alpha=0.12, lw=0,
                     label="published IC50 range")
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=6)


def _point(axes: Any, check: CheckOutcome) -> None:
    """A fitted number (EC50, ratio) with its CI against the published range, log axis."""
    if len((check.fit or {}).get("points", {}).get("response", [])) >= 4:
        _fit_panel(axes, check)
        return
    ci = [float(x) for x in (check.fit or {}).get("ic50_ci_uM", [math.nan, math.nan])]
    if all(math.isfinite(x) for x in ci):
        error = [[check.value - ci[0]], [ci[1] - check.value]]
        axes.errorbar([check.value], [0], xerr=error, fmt="s", color="k", capsize=3)
    else:
        axes.plot([check.value], [0], "s", color="k")
    band = check.band or (None, None)
    log = check.value > 0
    axes.set_xlim(*_padded([check.value, *ci, *(b for b in band if b is not None)], log=log))
    if check.band is not None and None not in check.band:
        low, high = check.band
        axes.axvspan(low, high, color=_STATUS_COLOUR["pass"], alpha=0.12, lw=0)
    if log:
        axes.set_xscale("log")
    axes.set_yticks([])
    axes.set_xlabel(check.unit or "value")


def _target_figure(outcome: TargetOutcome, folder: Path) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(outcome.checks)
    settings = {"svg.hashsalt": _SVG_SALT, "svg.fonttype": "path", "font.size": 8}
    with matplotlib.rc_context(settings):
        width = max(4.5, 3.2 * n + 2.0 * sum(bool(c.fit) for c in outcome.checks))
        figure, axes = plt.subplots(
            1, n, figsize=(width, 3.8), squeeze=False, layout="constrained"
        )
        for ax, check in zip(axes[0], outcome.checks, strict=True):
            (_strip if check.series else _point)(ax, check)
            status = "pass" if check.passed else "fail"
            title = textwrap.fill(f"{check.what}: {status}", 40)
            ax.set_title(title, fontsize=7, color=_STATUS_COLOUR[status])
        headline = f"{outcome.target.id}: {outcome.target.claim}"
        figure.suptitle(textwrap.fill(headline, int(width * 14)), fontsize=8)
        name = f"{outcome.target.id}.svg"
        figure.savefig(folder / name, metadata={"Date": None})
        figure.savefig(folder / f"{outcome.target.id}.png", dpi=120, metadata={"Software": None})
        plt.close(figure)
    return name


def _html(scorecard: Scorecard, figures: dict[str, str]) -> str:
    from synpharm.report.html import Cell, Figure, Section, Table, render_page

    summary = scorecard.summary()
    rows = []
    for outcome in scorecard.outcomes:
        row = outcome.as_dict()
        simulated = (row["simulated"] or "") + (f" ({outcome.detail})" if outcome.detail else "")
        rows.append(
            [
                Cell(outcome.target.id),
                Cell(outcome.target.role),
                Cell(outcome.status, f"status-{outcome.status}"),
                Cell(outcome.target.claim),
                Cell(simulated),
                Cell(row["tolerance"] or ""),
                Cell(outcome.target.source),
            ]
        )
    header = ["target", "role", "status", "published", "simulated", "tolerance", "source"]
    counts = [
        f"{role}: {c['pass']} pass, {c['fail']} fail, {c['pending']} pending"
        for role, c in summary["by_role"].items()
    ]
    pictures = [
        Figure(name.replace(".svg", ".png"), f"{o.target.id} ({o.status}): {o.target.claim}")
        for o in scorecard.outcomes
        if (name := figures.get(o.target.id))
    ]
    sections = [
        Section("Targets", text=["Click a column heading to sort.", *counts],
                tables=[Table(header, rows)]),
        Section("Figures", text=["Dots: simulated subjects; squares: mean ± SEM; shaded: the "
                                 "published value or acceptance range. Click to enlarge."],
                figures=pictures),
    ]
    return render_page("synpharm validation scorecard", sections)


def write_scorecard_report(scorecard: Scorecard, out_dir: str | Path) -> Path:
    """Write ``index.html``, ``scorecard.json`` and one SVG + PNG figure per run target."""
    out_dir = Path(out_dir)
    with staged_folder(out_dir, "--report") as staging:
        figures = {
            o.target.id: _target_figure(o, staging) for o in scorecard.outcomes if o.checks
        }
        (staging / "scorecard.json").write_text(scorecard_json(scorecard), encoding="utf-8")
        (staging / "index.html").write_text(_html(scorecard, figures), encoding="utf-8")
    return out_dir

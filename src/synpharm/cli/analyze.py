"""``synpharm analyze``: measure real recordings with the simulator's analysis code.

Writes ``sweeps.csv``/``sweeps.parquet`` (one row per sweep), ``timecourse.csv`` (binned means
per pathway), ``placements.csv`` (where each channel/pathway was measured), ``summary.json``
and figures (a QC figure per recording and pathway, and the protocol's figures) into ``--out``;
``--json`` prints the document ``{"sweeps": [...], "summary": {...}, "units": {...}}``.

Exit codes: 0 done; 2 bad input (one ``error:`` line, nothing written); 3 written, but on some
channel fewer than half of the sweeps could be measured (one ``warning:`` line per channel with
the commonest reason).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from synpharm.cli._preflight import OVERWRITE
from synpharm.errors import InputError

__all__ = ["EXIT_UNDER_MEASURED", "PROTOCOLS", "analyze_files", "register"]

from synpharm.analysis.workflow import PROTOCOLS
from synpharm.analysis.workflow.files import analyze_files
from synpharm.cli import _analyze_options as _o

#: Exit code when fewer than half of the sweeps of a channel could be measured.
EXIT_UNDER_MEASURED = 3


def register(app: typer.Typer) -> None:
    """Add the ``analyze`` command to ``app``."""
    app.command("analyze")(analyze)


def analyze(
    files: _o.Files = None,
    protocol: _o.Protocol = "fepsp",
    slope_method: _o.SlopeMethod = None,
    rise: _o.Rise = None,
    placement: _o.Placement = None,
    window: _o.Window = None,
    peak: _o.Peak = None,
    volley: _o.Volley = None,
    blank: _o.Blank = None,
    polarity: _o.Polarity = "negative",
    slope_sign: _o.SlopeSign = "magnitude",
    amplitude_from: _o.AmplitudeFrom = None,
    preset: _o.Preset = None,
    sheet: _o.Sheet = None,
    variable: _o.Variable = None,
    sampling_rate: _o.SamplingRate = None,
    units: _o.Units = None,
    layout: _o.Layout = "samples_by_sweeps",
    stimulus_time: _o.StimulusTime = None,
    induction: _o.Induction = None,
    drug: _o.Drug = None,
    pathways: _o.Pathways = 1,
    join: _o.Join = False,
    ltp_window: _o.LtpWindow = None,
    intensities: _o.Intensities = None,
    min_snr: _o.MinSnr = None,
    max_baseline_noise: _o.MaxBaselineNoise = None,
    json_output: _o.JsonOutput = False,
    out: _o.Out = None,
    overwrite: Annotated[bool, OVERWRITE] = False,
) -> None:
    """Measure fEPSPs (slope, amplitude, fiber volley) in recordings and summarise them."""
    from synpharm.cli.main import _user_errors

    skip = ("files", "json_output", "out", "overwrite")
    settings = {k: v for k, v in locals().items() if k not in skip}
    with _user_errors():
        document, out_dir, warnings = _run(list(files or []), settings, out, overwrite)
    if json_output:
        from synpharm.report.analysis_outputs import json_ready

        typer.echo(json.dumps(json_ready(document), indent=2, allow_nan=False))
    elif "slice_groups" in document["summary"]:
        _print_slice_groups(document["summary"])
    elif "groups" in document["summary"]:
        _print_groups(document["summary"])
    typer.echo(f"wrote {out_dir}", err=True)
    for line in warnings:
        typer.echo(line, err=True)
    if warnings:
        raise typer.Exit(EXIT_UNDER_MEASURED)


def _run(files: list[Path], settings: dict[str, Any], out: Path | None, overwrite: bool):
    """Analyse, write the outputs; the document, the folder and the warning lines."""
    from synpharm.analysis.workflow import analyze_paths
    from synpharm.analysis.workflow.settings import apply_preset
    from synpharm.analysis.workflow.summary import under_measured
    from synpharm.cli._preflight import check_recordings, default_out, prepare_out
    from synpharm.report.analysis_outputs import write_analysis

    protocol = settings["protocol"]
    if protocol not in PROTOCOLS:
        raise InputError(
            "--protocol", f"unknown protocol {protocol!r}", f"use one of {', '.join(PROTOCOLS)}"
        )
    settings = apply_preset(settings)
    sheet = settings["sheet"]
    if sheet is None and not files:
        raise InputError("FILES", "no recording given", "name one or more files, or --sheet")
    inputs = files if sheet is None else [sheet]
    check_recordings(inputs)
    field = "FILE" if sheet is None else "--sheet"
    out_dir = prepare_out(out, default_out(inputs[0].stem, field, "analyze"), overwrite=overwrite)
    document, table, figures, tables = analyze_paths(files, settings)
    write_analysis(out_dir, document, table, figures, tables)
    return document, out_dir, under_measured(table) if table is not None else []


def _print_groups(summary: dict[str, Any]) -> None:
    """One line per group (file, group, pathway) and readout: mean +- SEM (n series)."""
    import sys

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        "file",
        "group",
        "readout",
        "mean ± SEM (n)",
        box=None,
        title=f"synpharm analyze --protocol {summary['protocol']}",
    )
    for g in summary.get("groups", []):
        two = any(other["pathway"] for other in summary.get("groups", []))
        label = g["group_name"] + (f" / pathway {g['pathway'] + 1}" if two else "")
        for name, r in g["readouts"].items():
            if r["mean"] is None:
                cell = f"- ({r['n']})"
            else:
                sem = f" ± {r['sem']:.2g}" if r["sem"] is not None else ""
                cell = f"{r['mean']:.4g}{sem} ({r['n']})"
            table.add_row(
                escape(Path(g["file"]).name), escape(label), escape(f"{name} [{r['unit']}]"), cell
            )
    Console(file=sys.stdout).print(table)


def _print_slice_groups(summary: dict[str, Any]) -> None:
    """One line per condition and pathway role: LTP mean +- SEM (n slices); then the tests."""
    import sys

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table("condition", "pathway", "LTP 50-60 min [%]", box=None,
                  title="synpharm analyze --sheet")  # fmt: skip
    for g in summary["slice_groups"]:
        mean = "-" if g["ltp_percent"] is None else f"{g['ltp_percent']:.4g}"
        sem = "" if g["sem"] is None else f" ± {g['sem']:.2g}"
        table.add_row(escape(g["condition"]), escape(g["role"]), f"{mean}{sem} ({g['n']})")
    console = Console(file=sys.stdout)
    console.print(table)
    for t in summary["tests"]:
        value = "-" if t["p"] is None else f"t = {t['t']:.3g}, p = {t['p']:.3g}"
        console.print(escape(f"{t['test']}: {t['compares']}: {value} (n = {t['n']})"))

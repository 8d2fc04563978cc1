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

from synpharm.errors import InputError

__all__ = ["EXIT_UNDER_MEASURED", "PROTOCOLS", "analyze_files", "register"]

PROTOCOLS = ("fepsp", "ltp", "io", "ppr", "spines")

#: Exit code when fewer than half of the sweeps of a channel could be measured.
EXIT_UNDER_MEASURED = 3


def _read_all(files: list[Path], settings: dict[str, Any]):
    from synpharm.io import parse_sampling_rate, read_recording

    rate = parse_sampling_rate(settings["sampling_rate"])
    return [
        read_recording(
            path,
            variable=settings["variable"],
            sampling_rate=rate,
            units=settings["units"],
            layout=settings["layout"],
        )
        for path in files
    ]


def _spines(files: list[Path]) -> dict[str, Any]:
    from synpharm.analysis.spines import analyze_spine_files

    return {"sweeps": [], **analyze_spine_files(list(files))}


def analyze_files(files: list[Path], settings: dict[str, Any]) -> tuple[dict, Any, dict, dict]:
    """The JSON document, the sweep table, the figure inputs and the extra CSV tables."""
    from synpharm.analysis import experiments as ex
    from synpharm.analysis.recordings import UNITS, measure_recordings, split_paired_pulses
    from synpharm.analysis.sweep_table import slope_unit
    from synpharm.cli import _analyze_settings as st
    from synpharm.cli._analyze_summary import summarise

    if settings["protocol"] == "spines":
        return _spines(files), None, {}, {}
    options = st.measure_options(settings)
    recordings = st.with_intensities(
        _read_all(files, settings), st.intensities(settings["intensities"])
    )
    if settings["protocol"] == "ppr":
        recordings = [r if (r.kind == "pp1").any() else split_paired_pulses(r) for r in recordings]
    st.check_times_fit(recordings, options)
    table = measure_recordings(recordings, options)
    summary, figures, table = summarise(table, recordings, settings)
    units = {**UNITS, "fepsp_slope": slope_unit(table.slope_sign)}
    document = {"sweeps": table.rows(), "summary": summary, "units": units}
    series = ex.series_of(table, settings["pathways"])
    induction = summary["induction_time_s"]
    tables = {
        "timecourse.csv": ex.time_course_rows(table, series, induction),
        "placements.csv": list(table.placements),
    }
    return document, table, figures, tables


def register(app: typer.Typer) -> None:
    """Add the ``analyze`` command to ``app``."""
    app.command("analyze")(analyze)


def analyze(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Recordings (.abf, .nwb, .mat, .csv, .npy/.npz) or per-sweep tables "
            "(.parquet, or .csv with time and slope columns) to re-summarise.",
            show_default=False,
        ),
    ] = None,
    protocol: Annotated[
        str, typer.Option(help=f"What the recordings are: {', '.join(PROTOCOLS)}.")
    ] = "fepsp",
    slope_method: Annotated[
        str, typer.Option(help="fEPSP slope: rise (LOW-HIGH % of the amplitude), window, max.")
    ] = "rise",
    rise: Annotated[
        str | None,
        typer.Option(help="Rise fractions in percent for --slope-method rise [default: 20-80]."),
    ] = None,
    placement: Annotated[
        str | None,
        typer.Option(
            help="Where sweeps are measured: average (window, peak and volley found on the "
            "averaged sweep of each channel/pathway, used for every sweep) or per-sweep "
            "(adaptive) [default: average].",
            show_default=False,
        ),
    ] = None,
    window: Annotated[
        list[str] | None,
        typer.Option(
            help="Slope window after the stimulus, e.g. '2.5-3.8 ms'; once for all pathways "
            "or once per pathway [default: found on the averaged sweep].",
            show_default=False,
        ),
    ] = None,
    peak: Annotated[
        list[str] | None,
        typer.Option(
            help="Time after the stimulus at which the amplitude is read, e.g. '4.5 ms' "
            "(once, or once per pathway).",
            show_default=False,
        ),
    ] = None,
    volley: Annotated[
        list[str] | None,
        typer.Option(
            help="Time after the stimulus at which the fiber volley is read, e.g. '1.6 ms'.",
            show_default=False,
        ),
    ] = None,
    blank: Annotated[
        str | None,
        typer.Option(
            help="Artefact blanking after the stimulus, e.g. '1 ms' [default: from the "
            "artefact].",
            show_default=False,
        ),
    ] = None,
    polarity: Annotated[
        str, typer.Option(help="Field polarity: negative, positive, auto.")
    ] = "negative",
    slope_sign: Annotated[
        str,
        typer.Option(
            help="Slope as magnitude (positive in the direction of the response) or signed."
        ),
    ] = "magnitude",
    amplitude_from: Annotated[
        str | None,
        typer.Option(
            help="fEPSP amplitude from the pre-stimulus baseline or the response onset "
            "(drifting in-vivo baselines): baseline, onset [default: baseline].",
            show_default=False,
        ),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            help="Named settings: slice, invivo (per-sweep 20-90 % rise from the response "
            "onset, --min-snr 0, --max-baseline-noise '1 mV').",
            show_default=False,
        ),
    ] = None,
    sheet: Annotated[
        Path | None,
        typer.Option(
            help="Experiment sheet (CSV: file, slice, condition, pathways, induction, drug): "
            "per-slice LTP, group mean +- SEM and tests across slices.",
            show_default=False,
        ),
    ] = None,
    variable: Annotated[
        str | None, typer.Option(help="MATLAB files: the traces variable.", show_default=False)
    ] = None,
    sampling_rate: Annotated[
        str | None,
        typer.Option(
            help="Samples per second (Hz, or e.g. '20 kHz') for files that do not state it.",
            show_default=False,
        ),
    ] = None,
    units: Annotated[
        str | None,
        typer.Option(
            help="Units of files that do not state them (mV, uV, V, pA).", show_default=False
        ),
    ] = None,
    layout: Annotated[
        str, typer.Option(help="MATLAB arrays: samples_by_sweeps or sweeps_by_samples.")
    ] = "samples_by_sweeps",
    stimulus_time: Annotated[
        str | None,
        typer.Option(
            help="Stimulus time in each sweep, e.g. '5 ms' [default: from the file or "
            "the stimulus artefact].",
            show_default=False,
        ),
    ] = None,
    induction: Annotated[
        str | None,
        typer.Option(
            help="LTP induction time from the recording start, e.g. '20 min' "
            "[default: the file's induction tag].",
            show_default=False,
        ),
    ] = None,
    drug: Annotated[
        str | None,
        typer.Option(
            help="Drug application time, e.g. '10 min' [default: the file's drug tag].",
            show_default=False,
        ),
    ] = None,
    pathways: Annotated[int, typer.Option(help="Interleaved pathways (2: test/control).")] = 1,
    ltp_window: Annotated[
        str | None,
        typer.Option(
            help="Also report LTP over this window after induction, e.g. '60-70 min' "
            "(ltp_percent is 50-60 min).",
            show_default=False,
        ),
    ] = None,
    intensities: Annotated[
        str | None,
        typer.Option(
            help="Stimulus intensity of each group, e.g. '20,40,60,80,100 uA' (files that do "
            "not state it).",
            show_default=False,
        ),
    ] = None,
    min_snr: Annotated[
        float | None,
        typer.Option(help="Sweeps with amplitude below this many baseline sds: NaN [default: 5]."),
    ] = None,
    max_baseline_noise: Annotated[
        str | None,
        typer.Option(help="Sweeps with a noisier baseline (sd) are NaN [default: 0.1 mV]."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the JSON document to stdout.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Output folder [default: out/analyze/<first file name>].", show_default=False
        ),
    ] = None,
) -> None:
    """Measure fEPSPs (slope, amplitude, fiber volley) in recordings and summarise them."""
    from synpharm.cli.main import _user_errors

    settings = {k: v for k, v in locals().items() if k not in ("files", "json_output", "out")}
    with _user_errors():
        document, out_dir, warnings = _run(list(files or []), settings, out)
    if json_output:
        from synpharm.io.outputs import json_ready

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


def _run(files: list[Path], settings: dict[str, Any], out: Path | None):
    """Analyse, write the outputs; the document, the folder and the warning lines."""
    from synpharm.cli._analyze_settings import apply_preset
    from synpharm.cli._analyze_summary import under_measured
    from synpharm.io.outputs import write_analysis

    protocol = settings["protocol"]
    if protocol not in PROTOCOLS:
        raise InputError(
            "--protocol", f"unknown protocol {protocol!r}", f"use one of {', '.join(PROTOCOLS)}"
        )
    settings = apply_preset(settings)
    if settings["sheet"] is not None:
        from synpharm.cli._analyze_sheet import analyze_sheet

        document, figures, tables = analyze_sheet(settings["sheet"], settings)
        out_dir = out if out is not None else Path("out") / "analyze" / settings["sheet"].stem
        write_analysis(out_dir, document, None, figures, tables)
        return document, out_dir, []
    if not files:
        raise InputError("FILES", "no recording given", "name one or more files, or --sheet")
    from synpharm.cli._analyze_tables import is_sweep_table, resummarise

    if all(is_sweep_table(f) for f in files):
        document, table, figures, tables = resummarise(files, settings)
    else:
        document, table, figures, tables = analyze_files(files, settings)
    out_dir = out if out is not None else Path("out") / "analyze" / files[0].stem
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

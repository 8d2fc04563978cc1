"""``synpharm analyze``: measure real recordings with the simulator's analysis code.

Writes ``sweeps.csv``/``sweeps.parquet`` (one row per sweep), ``summary.json`` and figures into
``--out``; ``--json`` prints the document ``{"sweeps": [...], "summary": {...}, "units": {...}}``.
A file that cannot be read is an error (exit 2, nothing written); a sweep that cannot be
measured is NaN with the reason in its ``flag``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from synpharm.errors import InputError

__all__ = ["PROTOCOLS", "register"]

PROTOCOLS = ("fepsp", "ltp", "io", "ppr", "spines")


def _range(text: str, field: str) -> tuple[float, float]:
    """``"20-90"`` -> (0.2, 0.9)."""
    try:
        low, high = (float(part) / 100.0 for part in text.replace("%", "").split("-"))
    except ValueError:
        raise InputError(field, f"{text!r} is not LOW-HIGH in percent", "e.g. 20-90") from None
    if not 0 < low < high < 1:
        raise InputError(field, f"{text!r} needs 0 < LOW < HIGH < 100", "e.g. 20-90")
    return low, high


def _time(text: str | None, field: str) -> float | None:
    if text is None:
        return None
    from synpharm.units import parse_quantity

    return parse_quantity(text, "time", field)


def _window(
    text: str | None, field: str = "--window", example: str = "'2.5-3.8 ms'"
) -> tuple[float, float] | None:
    """``"2.5-3.8 ms"`` -> (2.5e-3, 3.8e-3) [s]."""
    if text is None:
        return None
    from synpharm.units import parse_quantity

    parts = text.strip().split()
    bounds = parts[0].split("-") if parts else []
    if len(parts) != 2 or len(bounds) != 2:
        raise InputError(field, f"{text!r} is not 'START-END UNIT'", f"e.g. {example}")
    start, end = (parse_quantity(f"{b} {parts[1]}", "time", field) for b in bounds)
    if not start < end:
        raise InputError(field, f"{text!r} is empty", "give START < END")
    return start, end


def _options(settings: dict[str, Any]):
    import math

    from synpharm.analysis.recordings import MeasureOptions
    from synpharm.units import parse_quantity

    noise = settings["max_baseline_noise"]
    max_sd = parse_quantity(noise, "voltage", "--max-baseline-noise")
    if not (math.isfinite(max_sd) and max_sd > 0):
        raise InputError("--max-baseline-noise", f"{noise!r} must be > 0", "e.g. '0.1 mV'")
    min_snr = settings["min_snr"]
    if not (math.isfinite(min_snr) and min_snr >= 0):
        raise InputError("--min-snr", f"{min_snr} must be a number >= 0", "e.g. 5")
    return MeasureOptions(
        slope_method=settings["slope_method"],
        rise_fraction=_range(settings["rise"], "--rise"),
        window=_window(settings["window"]),
        amplitude_reference=settings["amplitude_from"],
        stimulus_time=_time(settings["stimulus_time"], "--stimulus-time"),
        min_snr=min_snr,
        max_baseline_sd=max_sd,
    )


def _check_times_fit(recordings, options) -> None:
    """A stated --stimulus-time or --window must lie inside the sweeps of every file."""
    for rec in recordings:
        duration = rec.sweeps.shape[1] / rec.sampling_rate
        stimulus = options.stimulus_time
        if stimulus is not None and not 0 < stimulus < duration:
            raise InputError(
                "--stimulus-time",
                f"{stimulus:g} s is outside the {duration:g} s sweeps of {rec.file_name}",
                "give the stimulus time from the sweep start",
            )
        if options.window is None:
            continue
        start = stimulus if stimulus is not None else rec.stimulus_time
        end = (start or 0.0) + options.window[1]
        if end > duration:
            raise InputError(
                "--window",
                f"ends at {end:g} s, after the end of the {duration:g} s sweeps of {rec.file_name}",
                "give START-END after the stimulus inside the sweep",
            )


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


def _event_time(recordings, settings: dict[str, Any], name: str) -> float | None:
    """Induction or drug time [s]: the option, else the first matching tag of the files."""
    stated = _time(settings[name], f"--{name}")
    if stated is not None:
        return stated
    getter = "induction_times" if name == "induction" else "drug_times"
    times = [t for r in recordings for t in getattr(r, getter)()]
    return min(times) if times else None


def _summary(table, recordings, settings: dict[str, Any]) -> tuple[dict, dict]:
    """Summary document and figure inputs for the chosen protocol."""
    from synpharm.analysis import experiments as ex

    protocol = settings["protocol"]
    series = ex.series_of(table, settings["pathways"])
    induction = _event_time(recordings, settings, "induction")
    drug = _event_time(recordings, settings, "drug")
    if protocol == "ltp" and induction is None:
        raise InputError(
            "--induction",
            "no induction time: no induction tag in the files",
            "give the time of the first train from the recording start, e.g. --induction '20 min'",
        )
    window = _window(settings["ltp_window"], "--ltp-window", "'50-60 min'")
    per_series = [(s, _series_values(table, s, protocol, induction, drug, window)) for s in series]
    groups = ex.group_summary(per_series)
    summary: dict[str, Any] = {
        "protocol": protocol,
        "files": [r.source for r in recordings],
        "settings": _settings_record(settings),
        "induction_time_s": induction,
        "drug_time_s": drug,
        "n_sweeps": len(table),
        "flags": _flag_counts(table),
        "series": [_series_record(s, v) for s, v in per_series],
        "groups": groups,
    }
    figures: dict[str, Any] = {}
    readout = {"ltp": "ltp_percent", "ppr": "ppr"}.get(protocol, "fepsp_slope")
    fit = ex.dose_response(groups, readout)
    if fit is not None:
        summary["concentration_response"] = fit
        figures["dose_response"] = fit
    if protocol == "ltp":
        figures["time_course"] = _time_course_data(table, series, recordings, induction)
    if protocol == "io":
        stated = _intensities(settings["intensities"])
        label = f"stimulus intensity [{stated[1]}]" if stated else "stimulus intensity (group)"
        figures["input_output"] = _io_data(table, series, summary, label)
    return summary, figures


def _series_values(
    table, series, protocol: str, induction, drug, ltp_window=None
) -> dict[str, tuple]:
    from synpharm.analysis import experiments as ex
    from synpharm.analysis.statistics import describe

    rows = series.rows
    values: dict[str, tuple] = {
        "fepsp_slope": (describe(table.fepsp_slope[rows])[0], "mV/ms"),
        "fepsp_amplitude": (describe(table.fepsp_amplitude[rows])[0] * 1e3, "mV"),
        "fiber_volley_amplitude": (describe(table.fiber_volley_amplitude[rows])[0] * 1e3, "mV"),
    }
    if protocol == "ltp":
        values.update(ex.series_readouts(table, series, induction, drug))
        if ltp_window is not None:
            values["ltp_percent_window"] = (
                ex.ltp_in_window(table, series, induction, ltp_window),
                "%",
            )
    elif protocol == "ppr":
        values.update(ex.paired_pulse_ratio(table, series))
    return values


def _settings_record(settings: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "intensities",
        "ltp_window",
        "slope_method",
        "rise",
        "window",
        "amplitude_from",
        "stimulus_time",
        "pathways",
        "min_snr",
        "max_baseline_noise",
    )
    return {k: settings[k] for k in keys}


def _flag_counts(table) -> dict[str, int]:
    reasons, counts = __import__("numpy").unique(table.flag, return_counts=True)
    return {str(r) or "ok": int(c) for r, c in zip(reasons, counts, strict=True)}


def _series_record(series, values: dict[str, tuple]) -> dict[str, Any]:
    import math

    return {
        "file": series.file,
        "channel": series.channel,
        "group": series.group,
        "group_name": series.group_name,
        "pathway": series.pathway,
        "n_sweeps": int(series.rows.size),
        "readouts": {
            name: {"value": v if math.isfinite(v) else None, "unit": unit}
            for name, (v, unit) in values.items()
        },
    }


def _time_course_data(table, series, recordings, induction: float) -> dict[str, Any]:
    import numpy as np

    from synpharm.analysis import experiments as ex

    by_group: dict[tuple, list] = {}
    for s in series:
        by_group.setdefault(s.key(), []).append(ex.ltp_time_course(table, s, induction))
    groups = []
    for (file, group, pathway), courses in by_group.items():
        name = next(s.group_name for s in series if s.key() == (file, group, pathway))
        length = min(len(c[0]) for c in courses)
        values = np.array([c[1][:length] for c in courses])
        n = np.isfinite(values).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nanmean(np.where(n > 0, values, 0.0), axis=0)
            sem = np.nanstd(values, axis=0, ddof=1) / np.sqrt(n) if len(courses) > 1 else n * 0.0
        label = name if pathway == 0 else f"{name} pathway {pathway}"
        groups.append(
            {
                "name": label,
                "time_min": (courses[0][0][:length] / 60.0).tolist(),
                "mean": mean.tolist(),
                "sem": np.where(n > 1, sem, np.nan).tolist(),
                "traces": _example_traces(table, recordings, file, group, induction),
            }
        )
    return {"groups": groups}


def _example_traces(table, recordings, file: str, group: int, induction: float) -> dict:
    """Mean sweeps [mV] of the 10 min before induction and of the last 10 min (all channels)."""
    import numpy as np

    from synpharm.analysis.fepsp import blank_stimulus_artifact

    rec = next((r for r in recordings if r.file_name == file), None)
    if rec is None or rec.channel_units[0] != "V":
        return {}
    start = table.time[(table.file == file) & (table.group == group)]
    mine = (rec.group == group) & (rec.kind == "test")
    t_ms = np.arange(rec.sweeps.shape[1]) / rec.sampling_rate * 1e3
    end = float(np.nanmax(start)) if start.size else induction
    windows = {"baseline": (induction - 600.0, induction), "late": (end - 600.0, end + 1.0)}
    traces = {}
    for label, (a, b) in windows.items():
        time = rec.sweep_time + (rec.stimulus_time or 0.0)
        pick = mine & (time >= a) & (time < b)
        if pick.any():
            mean = rec.sweeps[pick].mean(axis=0)
            if rec.stimulus_time is not None:  # artefact blanked for display (conventions 4d)
                mean = blank_stimulus_artifact(mean, rec.sampling_rate, rec.stimulus_time)
            traces[label] = (t_ms.tolist(), (mean * 1e3).tolist())
    return traces


def _io_data(table, series, summary: dict[str, Any], label: str) -> dict[str, Any]:
    from synpharm.analysis import experiments as ex

    merged: dict[tuple, dict] = {}
    for s, record in zip(series, summary["series"], strict=True):
        record["input_output"] = ex.input_output(table, s)
        key = (s.file, s.channel, s.pathway)
        merged.setdefault(key, {"name": f"{s.file} ch{s.channel}", "points": []})
        merged[key]["points"].extend(record["input_output"])
    return {"series": list(merged.values()), "intensity_label": label}


def _intensities(text: str | None) -> tuple[list[float], str] | None:
    """``"20,40,60,80,100 uA"`` -> ([20, 40, 60, 80, 100], "uA")."""
    if text is None:
        return None
    values, _, unit = text.strip().partition(" ")
    try:
        numbers = [float(v) for v in values.split(",") if v]
    except ValueError:
        numbers = []
    if not numbers or not unit.strip():
        raise InputError(
            "--intensities", f"{text!r} is not 'V1,V2,... UNIT'", "e.g. '20,40,60,80,100 uA'"
        )
    return numbers, unit.strip()


def _with_intensities(recordings, stated: tuple[list[float], str] | None):
    """Intensity of every sweep from its group index (one stated value per group)."""
    if stated is None:
        return recordings
    import dataclasses

    import numpy as np

    values = np.asarray(stated[0])
    out = []
    for r in recordings:
        if int(r.group.max()) + 1 != values.size:
            raise InputError(
                "--intensities",
                f"{values.size} values for {int(r.group.max()) + 1} groups in {r.file_name}",
                "give one intensity per group (MATLAB cell column)",
            )
        out.append(dataclasses.replace(r, intensity=values[r.group].astype(float)))
    return out


def _spines(files: list[Path]) -> dict[str, Any]:
    from synpharm.analysis.spines import analyze_spine_files

    return {"sweeps": [], **analyze_spine_files(list(files))}


def analyze_files(files: list[Path], settings: dict[str, Any]) -> tuple[dict, Any, dict]:
    """The JSON document, the sweep table and the figure inputs for ``files``."""
    from synpharm.analysis.recordings import UNITS, measure_recordings, split_paired_pulses

    if settings["protocol"] == "spines":
        return _spines(files), None, {}
    options = _options(settings)
    if settings["pathways"] not in (1, 2):
        raise InputError("--pathways", f"{settings['pathways']}", "give 1 or 2")
    recordings = _with_intensities(
        _read_all(files, settings), _intensities(settings["intensities"])
    )
    if settings["protocol"] == "ppr":
        recordings = [r if (r.kind == "pp1").any() else split_paired_pulses(r) for r in recordings]
    _check_times_fit(recordings, options)
    table = measure_recordings(recordings, options)
    summary, figures = _summary(table, recordings, settings)
    document = {"sweeps": table.rows(), "summary": summary, "units": UNITS}
    return document, table, figures


def register(app: typer.Typer) -> None:
    """Add the ``analyze`` command to ``app``."""
    app.command("analyze")(analyze)


def analyze(
    files: Annotated[
        list[Path], typer.Argument(help="Recordings: .abf, .nwb, .mat, .csv, .npy/.npz.")
    ],
    protocol: Annotated[
        str, typer.Option(help=f"What the recordings are: {', '.join(PROTOCOLS)}.")
    ] = "fepsp",
    slope_method: Annotated[
        str, typer.Option(help="fEPSP slope: rise (LOW-HIGH % of the amplitude), window, max.")
    ] = "rise",
    rise: Annotated[
        str, typer.Option(help="Rise fractions in percent for --slope-method rise.")
    ] = "20-80",
    window: Annotated[
        str | None,
        typer.Option(
            help="Fixed slope window after the stimulus, e.g. '2.5-3.8 ms' "
            "[default: the rise window of the averaged sweep].",
            show_default=False,
        ),
    ] = None,
    amplitude_from: Annotated[
        str,
        typer.Option(
            help="fEPSP amplitude from the pre-stimulus baseline or the "
            "response onset (drifting in-vivo baselines): baseline, onset."
        ),
    ] = "baseline",
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
        float, typer.Option(help="Sweeps with amplitude below this many baseline sds: NaN.")
    ] = 5.0,
    max_baseline_noise: Annotated[
        str, typer.Option(help="Sweeps with a noisier baseline (sd) are NaN.")
    ] = "0.1 mV",
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
        if protocol not in PROTOCOLS:
            raise InputError(
                "--protocol", f"unknown protocol {protocol!r}", f"use one of {', '.join(PROTOCOLS)}"
            )
        from synpharm.report.analysis_outputs import write_analysis

        document, table, figures = analyze_files(list(files), settings)
        out_dir = out if out is not None else Path("out") / "analyze" / files[0].stem
        write_analysis(out_dir, document, table, figures)
    if json_output:
        from synpharm.report.analysis_outputs import json_ready

        typer.echo(json.dumps(json_ready(document), indent=2, allow_nan=False))
    else:
        _print_groups(document["summary"])
    typer.echo(f"wrote {out_dir}", err=True)


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
        label = g["group_name"] + (f" / pathway {g['pathway']}" if g["pathway"] else "")
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

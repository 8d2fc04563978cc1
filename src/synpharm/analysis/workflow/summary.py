"""``synpharm analyze``: measured sweeps -> the summary document and the figure inputs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from synpharm.analysis.workflow.settings import intensities, time_option, window
from synpharm.errors import InputError

__all__ = ["event_time", "summarise", "under_measured"]

#: A gap between sweeps longer than this many median intervals (and >= 1 min) is an induction.
GAP_FACTOR = 3.0


def induction_from_gap(recordings) -> float | None:
    """The induction time [s] of a recording whose sweeps pause for it, else None.

    The first gap between consecutive sweep starts (channel 0) longer than ``GAP_FACTOR``
    median intervals and at least 60 s; the induction is placed one median interval after the
    last sweep before the gap (when the next test pulse would have come).
    """
    for rec in recordings:
        start = np.unique(rec.sweep_time[rec.channel == 0])
        start = start[np.isfinite(start)]
        if start.size < 4:
            continue
        interval = np.diff(start)
        typical = float(np.median(interval))
        gaps = np.flatnonzero((interval > GAP_FACTOR * typical) & (interval >= 60.0))
        if gaps.size:
            return float(start[gaps[0]] + typical)
    return None


def event_time(
    recordings, settings: dict[str, Any], name: str, boundaries=()
) -> tuple[float | None, str]:
    """Induction or drug time [s] and where it came from.

    Precedence: the option; a file tag (the earliest); for the induction, the first boundary
    between joined files where the protocol changed or the recording paused
    (:func:`synpharm.io.join.file_boundaries`); then the first pause in the sweep times.
    """
    stated = time_option(settings[name], f"--{name}")
    if stated is not None:
        return stated, "option"
    getter = "induction_times" if name == "induction" else "drug_times"
    times = [t for r in recordings for t in getattr(r, getter)()]
    if times:
        return min(times), "file tag"
    if name == "induction":
        changed = [b for b in boundaries if b.reasons]
        if changed:
            return changed[0].time, "between files: " + "; ".join(changed[0].reasons)
        found = induction_from_gap(recordings)
        if found is not None:
            return found, "gap in sweep times"
    return None, "none"


def _series_values(table, series, protocol: str, induction, drug, ltp_window=None) -> dict:
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
            late = ex.ltp_in_window(table, series, induction, ltp_window)
            values["ltp_percent_window"] = (late, "%")
    elif protocol == "ppr":
        values.update(ex.paired_pulse_ratio(table, series))
    return values


_SETTING_KEYS = (
    "preset", "intensities", "ltp_window", "slope_method", "rise", "window", "peak", "volley",
    "blank", "placement", "polarity", "slope_sign", "amplitude_from", "stimulus_time",
    "pathways", "min_snr", "max_baseline_noise", "join",
)  # fmt: skip


def _flag_counts(table) -> dict[str, int]:
    reasons, counts = np.unique(table.flag, return_counts=True)
    return {str(r) or "ok": int(c) for r, c in zip(reasons, counts, strict=True)}


def _series_record(series, values: dict[str, tuple]) -> dict[str, Any]:
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


def summarise(table, recordings, settings: dict[str, Any], boundaries=()) -> tuple[dict, dict, Any]:
    """Summary document, figure inputs and the table with % of baseline filled in
    (``boundaries``: between the files joined into the recording, for the induction time)."""
    from synpharm.analysis import experiments as ex
    from synpharm.analysis.sweep_table import slope_unit

    protocol = settings["protocol"]
    series = ex.series_of(table, settings["pathways"])
    induction, induction_source = event_time(recordings, settings, "induction", boundaries)
    drug, _ = event_time(recordings, settings, "drug")
    if protocol == "ltp" and induction is None:
        raise InputError(
            "--induction",
            "no induction time: no induction tag in the files, no protocol change between "
            "joined files and no gap in the sweep times",
            "give the time of the first train from the recording start, e.g. --induction '20 min'",
        )
    table = table.with_values(percent_of_baseline=ex.percent_of_baseline(table, series, induction))
    ltp_window = window(settings["ltp_window"], "--ltp-window", "'50-60 min'")
    per_series = [
        (s, _series_values(table, s, protocol, induction, drug, ltp_window)) for s in series
    ]
    groups = ex.group_summary(per_series)
    summary: dict[str, Any] = {
        "protocol": protocol,
        "files": [r.source for r in recordings],
        "settings": {k: settings.get(k) for k in _SETTING_KEYS},
        "slope_sign": table.slope_sign,
        "slope_unit": slope_unit(table.slope_sign),
        "induction_time_s": induction,
        "induction_source": induction_source,
        "joined_files": [
            {"file": b.file, "time_s": b.time, "changes": list(b.reasons)} for b in boundaries
        ],
        "drug_time_s": drug,
        "n_sweeps": len(table),
        "flags": _flag_counts(table),
        "placements": list(table.placements),
        "series": [_series_record(s, v) for s, v in per_series],
        "groups": groups,
    }
    if protocol == "ltp":
        summary["ltp_by_pathway"] = ex.ltp_by_pathway(groups)
    figures = _figures(table, recordings, series, summary, settings, induction)
    return summary, figures, table


def _figures(table, recordings, series, summary, settings, induction) -> dict[str, Any]:
    from synpharm.analysis import experiments as ex
    from synpharm.analysis.workflow.figure_data import qc_data, time_course_data

    protocol = settings["protocol"]
    figures: dict[str, Any] = {"qc": qc_data(table, recordings, induction)}
    readout = {"ltp": "ltp_percent", "ppr": "ppr"}.get(protocol, "fepsp_slope")
    fit = ex.dose_response(summary["groups"], readout)
    if fit is not None:
        summary["concentration_response"] = fit
        figures["dose_response"] = fit
    if protocol == "ltp":
        figures["time_course"] = time_course_data(table, series, induction)
    if protocol == "io":
        stated = intensities(settings["intensities"])
        label = f"stimulus intensity [{stated[1]}]" if stated else "stimulus intensity (group)"
        figures["input_output"] = _io_data(table, series, summary, label)
    return figures


def _io_data(table, series, summary: dict[str, Any], label: str) -> dict[str, Any]:
    from synpharm.analysis import experiments as ex

    merged: dict[tuple, dict] = {}
    for s, record in zip(series, summary["series"], strict=True):
        record["input_output"] = ex.input_output(table, s)
        key = (s.file, s.channel, s.pathway)
        merged.setdefault(key, {"name": f"{s.file} ch{s.channel}", "points": []})
        merged[key]["points"].extend(record["input_output"])
    return {"series": list(merged.values()), "intensity_label": label}


def under_measured(table) -> list[str]:
    """One warning line per (file, channel) with fewer than half of its sweeps measured."""
    lines = []
    keys = sorted({(str(f), int(c)) for f, c in zip(table.file, table.channel, strict=True)})
    for file, channel in keys:
        rows = (table.file == file) & (table.channel == channel)
        flags = table.flag[rows]
        bad = flags[(flags != "") & (flags != "population_spike")]
        measured = flags.size - bad.size
        if measured * 2 >= flags.size:
            continue
        reasons, counts = np.unique(bad, return_counts=True)
        commonest = str(reasons[np.argmax(counts)]) if reasons.size else "unknown"
        lines.append(
            f"warning: {file} channel {channel}: {measured} of {flags.size} sweeps measured "
            f"(commonest reason: {commonest})"
        )
    return lines

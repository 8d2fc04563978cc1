"""Measure recordings for ``synpharm analyze``: read, measure, summarise (no output written)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["analyze_files"]


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
    from synpharm.analysis.workflow import settings as st
    from synpharm.analysis.workflow.summary import summarise

    if settings["protocol"] == "spines":
        return _spines(files), None, {}, {}
    options = st.measure_options(settings)
    recordings, boundaries = _read_all(files, settings), []
    if settings.get("join") and len(recordings) > 1:
        from synpharm.io.join import file_boundaries, join_recordings

        boundaries = file_boundaries(recordings)
        recordings = [join_recordings(recordings)]
    recordings = st.with_intensities(recordings, st.intensities(settings["intensities"]))
    if settings["protocol"] == "ppr":
        recordings = [r if (r.kind == "pp1").any() else split_paired_pulses(r) for r in recordings]
    st.check_times_fit(recordings, options)
    if settings["protocol"] == "ltp" and options.placement == "average":
        from dataclasses import replace

        from synpharm.analysis.workflow.summary import event_time

        induction, _ = event_time(recordings, settings, "induction", boundaries)
        options = replace(options, place_before=induction)
    table = measure_recordings(recordings, options)
    summary, figures, table = summarise(table, recordings, settings, boundaries)
    if boundaries:  # one joined recording, named after its first file: list them all
        summary["files"] = [str(path) for path in files]
    units = {**UNITS, "fepsp_slope": slope_unit(table.slope_sign)}
    document = {"sweeps": table.rows(), "summary": summary, "units": units}
    series = ex.series_of(table, settings["pathways"])
    induction = summary["induction_time_s"]
    tables = {
        "timecourse.csv": ex.time_course_rows(table, series, induction),
        "placements.csv": list(table.placements),
    }
    return document, table, figures, tables

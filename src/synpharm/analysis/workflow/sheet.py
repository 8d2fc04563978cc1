"""``synpharm analyze --sheet experiment.csv``: one experiment across slices and conditions.

The sheet has one row per recording. Columns (header names, case-insensitive):

``file``
    The recording, relative to the sheet's folder (or absolute); several files of one slice
    separated by ``;`` are joined into one time course (as ``--join``: the induction is found
    where their protocol changes).
``slice``
    Slice (or animal) identifier; two rows of one slice are paired.
``condition``
    Group or condition, e.g. ``control``, ``ketamine 10 uM``.
``pathways`` (optional)
    Roles of the interleaved pathways in sweep order, ``;``-separated, e.g. ``test;control``
    [default: ``test``].
``induction`` (optional when the file has an induction tag or a gap in its sweeps)
    Induction time from the recording start, e.g. ``20 min``.
``drug`` (optional)
    Drug application time, e.g. ``10 min``.

Every recording is measured with the command's measurement options; per slice and pathway the
LTP and the binned time course (% of baseline, 1-min bins) are pooled by condition and role
(:mod:`synpharm.analysis.slice_groups`).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from synpharm.errors import InputError

__all__ = ["analyze_sheet", "read_sheet"]

REQUIRED = ("file", "slice", "condition")


def read_sheet(path: Path) -> list[dict[str, str]]:
    """Rows of the sheet (lower-case keys, stripped values); errors name the row and column."""
    if not path.is_file():
        raise InputError("--sheet", f"{path} does not exist", "give the experiment sheet (CSV)")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [
            {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            for row in csv.DictReader(handle)
        ]
    if not rows:
        raise InputError("--sheet", f"{path.name} has no rows", "one row per recording")
    missing = [c for c in REQUIRED if c not in rows[0]]
    if missing:
        raise InputError("--sheet", f"{path.name} lacks column(s) {missing}", "see docs")
    for k, row in enumerate(rows, start=2):
        for column in REQUIRED:
            if not row[column]:
                raise InputError(f"--sheet row {k}", f"empty {column!r}", f"fill in {column}")
    return rows


def _slice_results(
    row: dict[str, str], paths: list[Path], settings: dict[str, Any], line: int
):
    """The :class:`SliceResult` of each pathway of one sheet row, and its flag counts."""
    from synpharm.analysis import experiments as ex
    from synpharm.analysis.slice_groups import SliceResult
    from synpharm.analysis.workflow.files import analyze_files

    roles = [r.strip() for r in (row.get("pathways") or "test").split(";") if r.strip()]
    local = {
        **settings,
        "protocol": "ltp",
        "pathways": len(roles),
        "induction": row.get("induction") or settings["induction"],
        "drug": row.get("drug") or settings["drug"],
        "join": len(paths) > 1,
    }
    try:
        document, table, _, _ = analyze_files(paths, local)
    except InputError as error:
        raise InputError(f"--sheet row {line} ({paths[0].name}): {error.field}", error.problem,
                         error.fix) from None  # fmt: skip
    induction = document["summary"]["induction_time_s"]
    out = []
    for pathway, role in enumerate(roles):
        series = [s for s in ex.series_of(table, len(roles)) if s.pathway == pathway]
        ltp = [ex.series_readouts(table, s, induction, None).get("ltp_percent") for s in series]
        courses = [ex.ltp_time_course(table, s, induction) for s in series[:1]]
        ltp_value = np.nanmean([v[0] for v in ltp if v is not None] or [np.nan])
        time_min, percent = (courses[0][0] / 60.0, courses[0][1]) if courses else ([], [])
        out.append(
            SliceResult(row["slice"], row["condition"], role, float(ltp_value),
                        np.asarray(time_min, dtype=float), np.asarray(percent, dtype=float))
        )  # fmt: skip
    return out, document["summary"]["flags"]


def analyze_sheet(sheet: Path, settings: dict[str, Any]) -> tuple[dict, dict, dict]:
    """The document, group figure input and CSV tables of an experiment sheet."""
    from synpharm.analysis.slice_groups import (
        compare_groups,
        group_time_courses,
        summarise_groups,
    )

    rows = read_sheet(sheet)
    results, slices = [], []
    for line, row in enumerate(rows, start=2):
        names = [Path(name.strip()) for name in row["file"].split(";") if name.strip()]
        paths = [p if p.is_absolute() else sheet.parent / p for p in names]
        found, flags = _slice_results(row, paths, settings, line)
        results += found
        slices += [_slice_row(r, row["file"], flags) for r in found]
    courses = group_time_courses(results)
    summary = {
        "protocol": "ltp",
        "sheet": str(sheet),
        "slope_sign": settings["slope_sign"],
        "groups": [],
        "slice_groups": summarise_groups(results),
        "tests": compare_groups(results),
        "slices": slices,
    }
    document = {"sweeps": [], "summary": summary, "units": {"ltp_percent": "%"}}
    figures = {"group_time_course": {"courses": courses, "groups": summary["slice_groups"]}}
    return document, figures, {"slices.csv": slices, "group_timecourse.csv": _course_rows(courses)}


def _slice_row(result, file: str, flags: dict[str, int]) -> dict[str, Any]:
    return {
        "slice": result.slice,
        "condition": result.condition,
        "pathway_role": result.role,
        "file": file,
        "ltp_percent": result.ltp_percent if np.isfinite(result.ltp_percent) else None,
        "n_sweeps_ok": flags.get("ok", 0),
    }


def _course_rows(courses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for c in courses:
        for k, t in enumerate(c["time_min"]):
            rows.append(
                {
                    "condition": c["condition"],
                    "pathway_role": c["role"],
                    "time_min": t,
                    "percent_of_baseline_mean": c["mean"][k],
                    "percent_of_baseline_sem": c["sem"][k],
                    "n_slices": c["n"][k],
                }
            )
    return rows

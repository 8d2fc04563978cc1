"""Experiment-level analysis of measured sweeps: LTP, input-output, paired pulses, dose-response.

A *series* is the sweeps of one electrode in one group of one file (one slice in one condition);
readouts are computed per series with the simulator's own readout code
(:func:`synpharm.analysis.readouts.slice_readouts`: pre-induction baseline = last 10 min before
induction, LTP = mean of 50-60 min after induction as % of it, early LTP 5-15 min, PPR = second
/ first slope) and summarised per group as mean +- SEM (n = series), the conventions of
analysis_conventions.md 4b-4d. Two interleaved pathways (test and control) are split by sweep
parity within each series.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from synpharm.analysis.readouts import INDUCTION_BASELINE, slice_readouts
from synpharm.analysis.results import PulseTable
from synpharm.analysis.statistics import bin_time_course, describe, normalise_to_baseline
from synpharm.analysis.sweep_table import SweepTable

__all__ = [
    "Series",
    "concentration_from_name",
    "dose_response",
    "group_summary",
    "input_output",
    "ltp_in_window",
    "ltp_time_course",
    "series_of",
    "series_readouts",
]

_CONCENTRATION = re.compile(r"(?P<value>\d+(?:\.\d+)?(?:e-?\d+)?)\s*(?P<unit>nM|uM|µM|μM|mM)\b")
_UM_PER_UNIT = {"nm": 1e-3, "um": 1.0, "µm": 1.0, "μm": 1.0, "mm": 1e3}


@dataclass(frozen=True)
class Series:
    """Rows of one electrode in one group (and pathway) of one file."""

    file: str
    channel: int
    group: int
    pathway: int
    group_name: str
    rows: NDArray[np.intp]

    def key(self) -> tuple[str, int, int]:
        return (self.file, self.group, self.pathway)


def series_of(table: SweepTable, pathways: int = 1) -> list[Series]:
    """Split the table into series (file, channel, group, pathway), in order of appearance."""
    if pathways == 1:
        pathway = np.zeros(len(table), dtype=np.intp)
    elif len(table) and table.pathway.max() > 0:
        pathway = table.pathway  # as measured (or as given in a per-sweep table)
    else:
        pathway = table.sweep % pathways
    keys: dict[tuple[str, int, int, int], list[int]] = {}
    for k in range(len(table)):
        key = (str(table.file[k]), int(table.channel[k]), int(table.group[k]), int(pathway[k]))
        keys.setdefault(key, []).append(k)
    out = []
    for (file, channel, group, path), rows in keys.items():
        names = table.group_names.get(file, ())
        name = names[group] if group < len(names) else f"group {group}"
        out.append(Series(file, channel, group, path, name, np.asarray(rows, dtype=np.intp)))
    return out


def _pulse_table(table: SweepTable, rows: NDArray[np.intp]) -> PulseTable:
    order = rows[np.argsort(table.time[rows], kind="stable")]
    return PulseTable(
        time=table.time[order],
        kind=table.kind[order],
        intensity=table.intensity[order],
        fepsp_slope=table.fepsp_slope[order][None, :],
        fepsp_amplitude=table.fepsp_amplitude[order][None, :],
        fiber_volley_amplitude=table.fiber_volley_amplitude[order][None, :],
    )


def series_readouts(
    table: SweepTable, series: Series, induction: float | None, drug: float | None
) -> dict[str, tuple[float, str]]:
    """The simulator's readouts (``ltp_percent``, ``baseline_fepsp_slope``, ``ppr``...) of one
    series; needs sweep times. Values in the units named (``%``, ``mV/ms``, ``1``)."""
    pulses = _pulse_table(table, series.rows)
    if not np.isfinite(pulses.time).all():
        return {}
    out = slice_readouts(pulses, induction, drug)
    return {name: (float(values[0]), unit) for name, (values, unit) in out.items()}


def group_summary(
    per_series: list[tuple[Series, dict[str, tuple[float, str]]]],
) -> list[dict[str, Any]]:
    """Mean, SEM and n over the series of each (file, group, pathway), per readout."""
    groups: dict[tuple[str, int, int], list[tuple[Series, dict]]] = {}
    for series, readouts in per_series:
        groups.setdefault(series.key(), []).append((series, readouts))
    out = []
    for (file, group, pathway), members in groups.items():
        names = {name: unit for _, r in members for name, (_, unit) in r.items()}
        stats = {}
        for name, unit in names.items():
            values = [r[name][0] for _, r in members if name in r]
            mean, sem, n = describe(values)
            stats[name] = {"mean": _json(mean), "sem": _json(sem), "n": n, "unit": unit}
        out.append(
            {
                "file": file,
                "group": group,
                "group_name": members[0][0].group_name,
                "pathway": pathway,
                "n_series": len(members),
                "readouts": stats,
            }
        )
    return out


def _json(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def ltp_time_course(
    table: SweepTable, series: Series, induction: float, bin_width: float = 60.0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Binned fEPSP slope as % of the 10 min before induction; time [s] from induction.

    Returns bin centres [s] and values [%], both ``(n_bins,)``.
    """
    rows = series.rows[table.kind[series.rows] == "test"]
    time = table.time[rows] - induction
    baseline = (time >= -INDUCTION_BASELINE) & (time < 0)
    percent = normalise_to_baseline(table.fepsp_slope[rows], baseline)
    centres, binned = bin_time_course(time, percent, bin_width)
    return centres, binned[0]


def input_output(table: SweepTable, series: Series) -> list[dict[str, Any]]:
    """Mean slope [mV/ms], amplitude and volley [mV] per stimulus intensity of one series.

    The intensity is the file's when known, else the group index (e.g. MATLAB cell column).
    """
    rows = series.rows
    intensity = table.intensity[rows]
    level = intensity if np.isfinite(intensity).all() else np.full(rows.size, float(series.group))
    out = []
    for value in np.unique(level):
        pick = rows[level == value]
        out.append(
            {
                "intensity": float(value),
                "fepsp_slope": _json(describe(table.fepsp_slope[pick])[0]),
                "fepsp_amplitude": _json(describe(table.fepsp_amplitude[pick])[0] * 1e3),
                "fiber_volley_amplitude": _json(
                    describe(table.fiber_volley_amplitude[pick])[0] * 1e3
                ),
                "n": int(np.isfinite(table.fepsp_slope[pick]).sum()),
            }
        )
    return out


def concentration_from_name(name: str) -> float | None:
    """The concentration [uM] written in a group name (``"ketamine 10 uM"`` -> 10.0), or None."""
    match = _CONCENTRATION.search(name)
    if match is None:
        return None
    return float(match["value"]) * _UM_PER_UNIT[match["unit"].lower()]


def dose_response(
    groups: list[dict[str, Any]], readout: str, n_bootstrap: int = 200, seed: int = 0
) -> dict[str, Any] | None:
    """Hill fit (with bootstrap CI, :func:`synpharm.analysis.fitting.fit_hill`) of a readout's
    per-group means against the concentrations in the group names; None with < 4 levels."""
    from synpharm.analysis.fitting import fit_hill

    points = []
    for g in groups:
        concentration = concentration_from_name(g["group_name"])
        value = g["readouts"].get(readout, {}).get("mean")
        if concentration is not None and concentration > 0 and value is not None:
            points.append((concentration, value))
    if len({c for c, _ in points}) < 4:
        return None
    conc, response = (np.array(v, dtype=float) for v in zip(*points, strict=True))
    fit = fit_hill(conc, response, n_bootstrap=n_bootstrap, seed=seed)
    return {
        "readout": readout,
        "concentrations_uM": conc.tolist(),
        "responses": response.tolist(),
        "ec50_uM": float(fit.ec50),
        "ec50_ci_uM": [float(fit.ec50_ci[0]), float(fit.ec50_ci[1])],
        "hill_slope": float(fit.hill_slope),
        "bottom": float(fit.bottom),
        "top": float(fit.top),
    }


def paired_pulse_ratio(table: SweepTable, series: Series) -> dict[str, Any]:
    """Second / first fEPSP slope of each pair (``pp1`` then ``pp2`` of the same sweep index)."""
    rows = series.rows
    first = {int(table.sweep[k]): k for k in rows if table.kind[k] == "pp1"}
    pairs = [
        (first[int(table.sweep[k])], k)
        for k in rows
        if table.kind[k] == "pp2" and int(table.sweep[k]) in first
    ]
    if not pairs:
        return {}
    a, b = (np.array(v, dtype=np.intp) for v in zip(*pairs, strict=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = table.fepsp_slope[b] / table.fepsp_slope[a]
        amplitude_ratio = table.fepsp_amplitude[b] / table.fepsp_amplitude[a]
    return {
        "ppr": (describe(ratio)[0], "1"),
        "ppr_amplitude": (describe(amplitude_ratio)[0], "1"),
    }


def ltp_in_window(
    table: SweepTable, series: Series, induction: float, window: tuple[float, float]
) -> float:
    """Mean test-pulse slope in ``window`` [s after induction] as % of the 10 min before it.

    The chosen-window variant of ``ltp_percent`` (which is 50-60 min), e.g. 60-70 min for a
    70-min follow-up (analysis_conventions.md 4c).
    """
    from synpharm.analysis.statistics import window_mean

    rows = series.rows[table.kind[series.rows] == "test"]
    time = table.time[rows] - induction
    slope = table.fepsp_slope[rows]
    baseline = window_mean(time, slope, -INDUCTION_BASELINE, 0.0)[0]
    late = window_mean(time, slope, window[0], window[1])[0]
    return float(100.0 * late / baseline) if baseline != 0 else float("nan")


def _baseline_rows(table: SweepTable, rows: NDArray[np.intp], induction: float | None):
    """Mask over ``rows``: the 10 min before induction, else the first 10 min of the series."""
    time = table.time[rows]
    if induction is not None:
        return (time >= induction - INDUCTION_BASELINE) & (time < induction)
    start = np.nanmin(time) if np.isfinite(time).any() else np.nan
    return time < start + INDUCTION_BASELINE


def percent_of_baseline(
    table: SweepTable, series: list[Series], induction: float | None
) -> NDArray[np.float64]:
    """Each test sweep's slope as % of the mean slope of its series' baseline, shape ``(n,)``.

    The baseline is the 10 min before induction, or without an induction time the first 10 min
    of the series (analysis_conventions.md 4b); NaN for other stimulus kinds and unknown times.
    """
    out = np.full(len(table), np.nan)
    for s in series:
        rows = s.rows[table.kind[s.rows] == "test"]
        if rows.size == 0 or not np.isfinite(table.time[rows]).any():
            continue
        baseline = _baseline_rows(table, rows, induction)
        out[rows] = normalise_to_baseline(table.fepsp_slope[rows], baseline)
    return out


def time_course_rows(
    table: SweepTable, series: list[Series], induction: float | None, bin_width: float = 60.0
) -> list[dict[str, Any]]:
    """Binned means per series for ``timecourse.csv``: slope [mV/ms], amplitude [mV] and slope
    as % of baseline, in ``bin_width`` [s] bins from induction (or from the series' start)."""
    out = []
    for s in series:
        rows = s.rows[(table.kind[s.rows] == "test") & np.isfinite(table.time[s.rows])]
        if rows.size == 0:
            continue
        time = table.time[rows]
        origin = induction if induction is not None else float(time.min())
        slope = table.fepsp_slope[rows]
        values = np.stack(
            [slope, table.fepsp_amplitude[rows] * 1e3, table.percent_of_baseline[rows]]
        )
        centres, binned = bin_time_course(time - origin, values, bin_width)
        index = np.floor((time - origin) / bin_width).astype(np.int64)
        finite = np.isfinite(slope)
        counts = np.bincount(index - index.min(), weights=finite, minlength=centres.size)
        for k, centre in enumerate(centres):
            out.append(
                {
                    "file": s.file,
                    "channel": s.channel,
                    "group": s.group,
                    "pathway": s.pathway,
                    "time_min": float(centre / 60.0),
                    "fepsp_slope_mV_per_ms": float(binned[0, k]),
                    "fepsp_amplitude_mV": float(binned[1, k]),
                    "percent_of_baseline": float(binned[2, k]),
                    "n_sweeps": int(counts[k]),
                }
            )
    return out


def ltp_by_pathway(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """``ltp_percent`` per pathway: mean +- SEM over the series of every group of that pathway."""
    out: dict[str, Any] = {}
    for pathway in sorted({g["pathway"] for g in groups}):
        values = [
            g["readouts"]["ltp_percent"]["mean"]
            for g in groups
            if g["pathway"] == pathway and "ltp_percent" in g["readouts"]
        ]
        mean, sem, n = describe([np.nan if v is None else v for v in values])
        out[str(pathway)] = {"ltp_percent": _json(mean), "sem": _json(sem), "n": n, "unit": "%"}
    return out

"""``synpharm analyze``: the inputs of the QC and time-course figures (numbers, no drawing)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["qc_data", "time_course_data"]

#: Averaged sweeps are shown from this long before the stimulus to this long after it [s].
TRACE_SPAN = (-2e-3, 20e-3)


def _block_rows(rec, record: dict[str, Any], pathways: int) -> np.ndarray:
    pathway = rec.sweep % max(pathways, 1)
    return (
        (rec.channel == record["channel"])
        & (rec.group == record["group"])
        & (pathway == record["pathway"])
        & (rec.kind == record["kind"])
    )


def averaged_trace(rec, rows: np.ndarray, record: dict[str, Any]) -> dict[str, list[float]]:
    """Mean sweep of ``rows`` [mV], artefact blanked, from 2 ms before to 20 ms after the
    stimulus; time [ms] from the stimulus."""
    from synpharm.analysis.fepsp import blank_stimulus_artifact

    stimulus = record["stimulus_time_ms"] * 1e-3
    mean = np.nanmean(rec.sweeps[rows], axis=0)
    mean = blank_stimulus_artifact(mean, rec.sampling_rate, stimulus, record["blank_ms"] * 1e-3)
    first = round((stimulus + TRACE_SPAN[0]) * rec.sampling_rate)
    last = round((stimulus + TRACE_SPAN[1]) * rec.sampling_rate)
    first, last = max(first, 0), min(last, mean.size)
    baseline = float(np.mean(mean[: max(round(stimulus * rec.sampling_rate), 1)]))
    time_ms = (np.arange(first, last) / rec.sampling_rate - stimulus) * 1e3
    return {"time_ms": time_ms.tolist(), "mV": ((mean[first:last] - baseline) * 1e3).tolist()}


def _block_label(rec, record: dict[str, Any]) -> str:
    names = rec.group_names
    group = record["group"]
    label = names[group] if group < len(names) else f"group {group}"
    return label if record["kind"] == "test" else f"{label} {record['kind']}"


def qc_data(table, recordings, induction: float | None = None) -> list[dict[str, Any]]:
    """One QC figure input per (file, channel, pathway) with measured blocks: the averaged
    trace and placement of each block, and every sweep's slope and amplitude over time (with
    the induction time [s from the recording start] marked when known)."""
    by_file = {r.file_name: r for r in recordings}
    pathways = int(table.pathway.max()) + 1 if len(table) else 1
    figures: dict[tuple, dict[str, Any]] = {}
    for record in table.placements:
        rec = by_file.get(record["file"])
        if rec is None or "stimulus_time_ms" not in record:
            continue
        key = (record["file"], record["channel"], record["pathway"])
        entry = figures.setdefault(key, _qc_entry(table, rec, *key, induction=induction))
        rows, label = placed_rows(rec, _block_rows(rec, record, pathways), record, induction)
        if rows.any():
            trace = averaged_trace(rec, rows, record)
            entry["blocks"].append({"label": _block_label(rec, record) + label, **trace, **record})
    return list(figures.values())


def placed_rows(rec, rows: np.ndarray, record: dict[str, Any], induction: float | None):
    """The rows of the sweeps a block was placed on (its baseline when it was placed on the
    sweeps before ``induction``) and a label suffix saying so."""
    placed = record.get("placed_on_sweeps")
    if induction is None or placed is None or placed >= int(rows.sum()):
        return rows, ""
    early = rows & (rec.sweep_time < induction)
    if int(early.sum()) != placed:
        return rows, ""
    return early, f" baseline ({placed} sweeps)"


def _qc_entry(
    table, rec, file: str, channel: int, pathway: int, induction: float | None = None
) -> dict[str, Any]:
    rows = (table.file == file) & (table.channel == channel) & (table.pathway == pathway)
    time = table.time[rows]
    has_time = bool(np.isfinite(time).all() and np.ptp(time) > 0) if time.size else False
    x = (time - np.nanmin(time)) / 60.0 if has_time else np.arange(int(rows.sum()), dtype=float)
    marked = has_time and induction is not None
    induction_x = (induction - float(np.nanmin(time))) / 60.0 if marked else None
    name = rec.channel_names[channel] if channel < len(rec.channel_names) else str(channel)
    return {
        "file": file,
        "channel": channel,
        "channel_name": name,
        "pathway": pathway,
        "x": x.tolist(),
        "x_label": "time from the first sweep [min]" if has_time else "sweep",
        "induction_x": induction_x,
        "slope": table.fepsp_slope[rows].tolist(),
        "amplitude_mV": (table.fepsp_amplitude[rows] * 1e3).tolist(),
        "slope_unit": "mV/ms" + (" (magnitude)" if table.slope_sign == "magnitude" else ""),
        "blocks": [],
    }


def time_course_data(table, series, induction: float) -> dict[str, Any]:
    """Binned % of baseline per (file, group, pathway): mean +- SEM over its channels."""
    from synpharm.analysis import experiments as ex

    pathways = len({s.pathway for s in series})
    by_group: dict[tuple, list] = {}
    for s in series:
        by_group.setdefault(s.key(), []).append(ex.ltp_time_course(table, s, induction))
    groups = []
    for key, courses in by_group.items():
        name = next(s.group_name for s in series if s.key() == key)
        length = min(len(c[0]) for c in courses)
        values = np.array([c[1][:length] for c in courses])
        n = np.isfinite(values).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, np.nansum(values, axis=0) / np.maximum(n, 1), np.nan)
            sem = np.nanstd(values, axis=0, ddof=1) / np.sqrt(n) if len(courses) > 1 else n * 0.0
        label = f"{name}, pathway {key[2] + 1}" if pathways > 1 else name
        if len({s.file for s in series}) > 1:
            label = f"{key[0]}: {label}"
        groups.append(
            {
                "name": label,
                "time_min": (courses[0][0][:length] / 60.0).tolist(),
                "mean": mean.tolist(),
                "sem": np.where(n > 1, sem, np.nan).tolist(),
            }
        )
    return {"groups": groups}

"""fEPSP measures of every sweep of a real recording (:class:`synpharm.io.Recording`).

Each channel's stimulus time comes from the file when it states it, else from the stimulus
artefact of the channel's mean sweep
(:func:`~synpharm.analysis.fepsp_events.detect_stimulus_artifact`).
The sweeps are then measured block by block -- a block is one channel, group, pathway and
stimulus kind (``test``, ``pp1``, ``pp2``) of a file:

* ``placement="average"`` (default, as WinLTP and Brainwash): the block's averaged sweep is
  measured with the chosen slope method (``rise`` low%-high% of its amplitude, ``max`` the
  steepest 1 ms, or a given window); its slope window, peak, fiber volley (and onset) become the
  places where every sweep of the block is measured. ``--window``, ``--peak`` and ``--volley``
  override them, per pathway.
* ``placement="per-sweep"``: every sweep is measured with its own landmarks (adaptive windows).

The places used are recorded per block (``SweepTable.placements``), so a run can be repeated
exactly. A sweep that cannot be measured gives NaN and the reason in ``flag``; nothing in a
batch raises.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from synpharm.analysis._fepsp_steadiest import MIN_SWEEPS
from synpharm.analysis._fepsp_steadiest import REGION as steadiest_region
from synpharm.analysis._fepsp_steadiest import refine as steadiest_refine
from synpharm.analysis.fepsp import (
    AMPLITUDE_REFERENCES,
    POLARITIES,
    SLOPE_METHODS,
    Placement,
    measure_fepsp,
    place_on_average,
    resolve_polarity,
)
from synpharm.analysis.fepsp_events import detect_stimulus_artifact
from synpharm.analysis.paired_pulses import split_paired_pulses
from synpharm.analysis.sweep_table import (
    SLOPE_SIGNS,
    UNITS,
    SweepTable,
    concatenate_tables,
)
from synpharm.errors import InputError
from synpharm.io import Recording

__all__ = [
    "PLACEMENTS",
    "UNITS",
    "Manual",
    "MeasureOptions",
    "SweepTable",
    "measure_recording",
    "measure_recordings",
    "split_paired_pulses",
]

FloatArray = NDArray[np.float64]

PLACEMENTS = ("average", "per-sweep")


@dataclass(frozen=True)
class Manual:
    """Places given by hand for one pathway [s after the stimulus]; None = found on the average.

    ``window`` is the slope regression window, ``peak`` and ``volley`` the times at which the
    amplitude and the fiber volley are read.
    """

    window: tuple[float, float] | None = None
    peak: float | None = None
    volley: float | None = None

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None}


@dataclass(frozen=True)
class MeasureOptions:
    """How sweeps are measured (units SI: s, V).

    Attributes
    ----------
    slope_method
        ``"steadiest"`` (default: the window of the 5-90 % rise of the average whose per-sweep
        slopes vary least, see :mod:`._fepsp_steadiest`), ``"segment"`` (the widest linear
        part of the rise), ``"rise"``, ``"linear"``,
        ``"window"`` or ``"max"`` (see :func:`synpharm.analysis.fepsp.measure_fepsp`);
        ``"window"`` without a window is the rise window of the averaged sweep.
    rise_fraction
        ``(low, high)`` fractions of the amplitude, e.g. ``(0.2, 0.9)``.
    window
        Fixed slope window ``(start, end)`` [s after the stimulus] for every pathway.
    amplitude_reference
        ``"baseline"`` or ``"onset"`` (see :mod:`synpharm.analysis.fepsp`).
    stimulus_time, blank_duration
        Override the stimulus time and blanking [s]; None = from the file or the artefact.
    search_window
        ``(start, end)`` [s after the stimulus] searched for the negative peak.
    min_snr, max_baseline_sd
        Flag sweeps whose amplitude is below ``min_snr`` baseline sds (``"no_response"``) or
        whose baseline sd exceeds ``max_baseline_sd`` [V] (``"noisy_baseline"``).
    placement
        ``"average"`` or ``"per-sweep"`` (see the module docstring).
    polarity
        ``"negative"``, ``"positive"`` or ``"auto"`` (per block, from its averaged sweep).
    slope_sign
        ``"magnitude"`` (positive in the direction of the response) or ``"signed"``.
    pathways
        Interleaved pathways, split by sweep index parity (1 or 2).
    manual
        Places given by hand: none, one for every pathway, or one per pathway.
    place_before
        Place on the sweeps that start before this time [s] (the baseline before the
        induction, so that where a response is measured does not depend on what followed);
        None, or fewer than 8 such sweeps in a block: on all its sweeps.
    """

    slope_method: str = "steadiest"
    rise_fraction: tuple[float, float] = (0.2, 0.8)
    window: tuple[float, float] | None = None
    amplitude_reference: str = "baseline"
    stimulus_time: float | None = None
    blank_duration: float | None = None
    search_window: tuple[float, float] | None = None
    min_snr: float = 5.0
    max_baseline_sd: float = 1e-4
    placement: str = "average"
    polarity: str = "negative"
    slope_sign: str = "magnitude"
    pathways: int = 1
    manual: tuple[Manual, ...] = ()
    place_before: float | None = None

    def __post_init__(self) -> None:
        choices = {
            "--slope-method": (self.slope_method, SLOPE_METHODS),
            "--amplitude-from": (self.amplitude_reference, AMPLITUDE_REFERENCES),
            "--placement": (self.placement, PLACEMENTS),
            "--polarity": (self.polarity, POLARITIES),
            "--slope-sign": (self.slope_sign, SLOPE_SIGNS),
        }
        for name, (value, allowed) in choices.items():
            if value not in allowed:
                raise InputError(
                    name, f"unknown value {value!r}", f"use one of {', '.join(allowed)}"
                )
        low, high = self.rise_fraction
        if not 0 < low < high < 1:
            raise InputError("--rise", f"{low:g}-{high:g} is not 0 < low < high < 1", "e.g. 20-90")
        if self.pathways not in (1, 2):
            raise InputError("--pathways", f"{self.pathways}", "give 1 or 2")
        if len(self.manual) not in (0, 1, self.pathways):
            raise InputError(
                "--window/--peak/--volley",
                f"{len(self.manual)} values for {self.pathways} pathways",
                "give one value for all pathways or one per pathway",
            )
        if self.placement == "per-sweep" and any(m.peak or m.volley for m in self.manual):
            raise InputError(
                "--peak/--volley", "need --placement average", "drop them or place on the average"
            )

    def manual_for(self, pathway: int) -> Manual:
        """The hand-given places of ``pathway`` (``window`` applies to every pathway)."""
        manual = self.manual[min(pathway, len(self.manual) - 1)] if self.manual else Manual()
        if manual.window is None and self.window is not None:
            manual = replace(manual, window=self.window)
        return manual


def _failed(n: int, reason: str) -> dict[str, Any]:
    return {
        "fepsp_slope": np.full(n, np.nan),
        "fepsp_amplitude": np.full(n, np.nan),
        "fiber_volley_amplitude": np.full(n, np.nan),
        "slope_window": np.full((n, 2), np.nan),
        "flag": np.full(n, reason, dtype="<U40"),
    }


def _timing(sweeps: FloatArray, rate: float, rec: Recording, o: MeasureOptions):
    """(stimulus_time, blank_duration) of one channel, or None when no stimulus is found."""
    stimulus = o.stimulus_time if o.stimulus_time is not None else rec.stimulus_time
    if stimulus is not None:
        return stimulus, o.blank_duration if o.blank_duration is not None else 1e-3
    artifact = detect_stimulus_artifact(sweeps, rate)
    if artifact is None:
        return None
    blank = o.blank_duration if o.blank_duration is not None else artifact.blank_duration
    return artifact.stimulus_time, blank


def _common(o: MeasureOptions, blank: float, polarity: str) -> dict[str, Any]:
    return {
        "amplitude_reference": o.amplitude_reference,
        "rise_fraction": o.rise_fraction,
        "blank_duration": blank,
        "search_window": o.search_window,
        "min_snr": o.min_snr,
        "max_baseline_sd": o.max_baseline_sd,
        "polarity": polarity,
    }


def placement_sweeps(sweeps: FloatArray, times: FloatArray, before: float | None) -> FloatArray:
    """The sweeps a block is placed on: those starting before ``before`` [s] when there are at
    least :data:`~synpharm.analysis._fepsp_steadiest.MIN_SWEEPS` of them, else all."""
    if before is None:
        return sweeps
    early = times < before
    return sweeps[early] if early.sum() >= MIN_SWEEPS else sweeps


def _placement(sweeps, rate, stimulus, common, o: MeasureOptions, manual: Manual):
    """The block's placement (average, overridden by hand) and a failure reason or ""."""
    if o.placement == "per-sweep":
        return None, ""
    method = "window" if manual.window else o.slope_method
    method = "rise" if method == "window" and manual.window is None else method
    steadiest = method == "steadiest"
    extra = {"slope_method": "segment", "segment": steadiest_region} if steadiest else {}
    found, flag = place_on_average(
        sweeps, rate, stimulus, **{"slope_method": method, **extra}, window=manual.window,
        **common,
    )
    if steadiest and found is not None:
        found, _ = steadiest_refine(sweeps, rate, stimulus, found, common)
    given = manual.given()
    if found is None:
        if {"window", "peak", "volley"} <= set(given):
            return Placement(manual.window, manual.peak, manual.volley), ""
        return None, f"average_{flag}"
    return replace(found, **given), ""


def _measure_block(sweeps, times, rate: float, timing, o: MeasureOptions, pathway: int):
    """Measures of one block's sweeps (starting at ``times`` [s]) and the record of where they
    were taken."""
    stimulus, blank = timing
    manual = o.manual_for(pathway)
    record: dict[str, Any] = {"stimulus_time_ms": stimulus * 1e3, "blank_ms": blank * 1e3}
    record.update(placement=o.placement, manual=sorted(manual.given()))
    try:
        polarity = o.polarity
        if polarity == "auto":
            polarity = resolve_polarity(sweeps, rate, stimulus, blank, o.search_window)
        record["polarity"] = polarity
        common = _common(o, blank, polarity)
        placing = placement_sweeps(sweeps, times, o.place_before)
        record["placed_on_sweeps"] = int(placing.shape[0])
        placement, reason = _placement(placing, rate, stimulus, common, o, manual)
        if reason:
            return _failed(sweeps.shape[0], reason), record
        method = "window" if manual.window else o.slope_method
        if method == "window" and manual.window is None:
            method = "rise"  # per-sweep "window" without one: the sweep's own rise
        m = measure_fepsp(
            sweeps, rate, stimulus, slope_method=method, window=manual.window,
            placement=placement, **common,
        )  # fmt: skip
    except InputError as error:  # places that do not fit these sweeps: flag, never raise
        return _failed(sweeps.shape[0], f"bad_settings: {error.field}"), record
    record.update(_placement_record(placement) if placement else _median_record(m))
    sign = -1.0 if (o.slope_sign == "magnitude" and polarity == "negative") else 1.0
    columns = {
        "fepsp_slope": sign * m.fepsp_slope,
        "fepsp_amplitude": m.fepsp_amplitude,
        "fiber_volley_amplitude": m.fiber_volley_amplitude,
        "slope_window": m.slope_window,
        "flag": m.flag,
    }
    return columns, record


def _placement_record(placement: Placement | None) -> dict[str, Any]:
    if placement is None:
        return {"slope_window_ms": None, "peak_ms": None, "volley_ms": None, "onset_ms": None}
    onset = None if placement.onset is None else placement.onset * 1e3
    return {
        "slope_window_ms": [placement.window[0] * 1e3, placement.window[1] * 1e3],
        "peak_ms": placement.peak * 1e3,
        "volley_ms": placement.volley * 1e3,
        "onset_ms": onset,
    }


def _median_record(m) -> dict[str, Any]:
    """Per-sweep placement: the median places of the measured sweeps (for the QC figure)."""
    ok = np.isfinite(m.slope_window).all(axis=1)
    if not ok.any():
        return _placement_record(None)
    window = np.median(m.slope_window[ok], axis=0) * 1e3
    return {
        "slope_window_ms": window.tolist(),
        "peak_ms": float(np.median(m.peak_time[ok]) * 1e3),
        "volley_ms": float(np.median(m.fiber_volley_time[ok]) * 1e3),
        "onset_ms": None,
        "per_sweep_median": True,
    }


def _blocks(recording: Recording, channel_rows: NDArray[np.intp], pathways: int):
    """Row indices of each (group, pathway, kind) block of one channel, in order."""
    pathway = recording.sweep % pathways
    keys: dict[tuple[int, int, str], list[int]] = {}
    for k in channel_rows:
        key = (int(recording.group[k]), int(pathway[k]), str(recording.kind[k]))
        keys.setdefault(key, []).append(int(k))
    return [(key, np.asarray(rows, dtype=np.intp)) for key, rows in keys.items()]


def _summarise_flags(flags: NDArray[np.str_]) -> dict[str, Any]:
    bad = [str(f) for f in flags if f not in ("", "population_spike")]
    commonest = Counter(bad).most_common(1)
    return {
        "n_sweeps": int(flags.size),
        "n_measured": int(flags.size - len(bad)),
        "commonest_flag": commonest[0][0] if commonest else None,
    }


def _measure_channel(recording: Recording, c: int, rows, o: MeasureOptions, columns, time):
    """Measure channel ``c`` block by block into ``columns``; its placement records."""
    rate = recording.sampling_rate
    if recording.channel_units[c] != "V":
        measured = _failed(rows.size, "not_a_voltage_channel")
        for name, values in columns.items():
            values[rows] = measured[name]
        return [{"channel": c, "placement": "none", **_summarise_flags(measured["flag"])}]
    timing = _timing(recording.sweeps[rows], rate, recording, o)
    if timing is not None:
        time[rows] = time[rows] + timing[0]
    records = []
    for (group, pathway, kind), block in _blocks(recording, rows, o.pathways):
        if timing is None:
            measured, record = _failed(block.size, "no_stimulus_artifact"), {}
        else:
            measured, record = _measure_block(
                recording.sweeps[block], recording.sweep_time[block], rate, timing, o, pathway
            )
        for name, values in columns.items():
            values[block] = measured[name]
        key = {"channel": c, "group": group, "pathway": pathway, "kind": kind}
        records.append({**key, **record, **_summarise_flags(measured["flag"])})
    return records


def measure_recording(recording: Recording, options: MeasureOptions | None = None) -> SweepTable:
    """Measure every sweep of every voltage channel of ``recording``.

    Current channels (A) are not field recordings: their sweeps are NaN with flag
    ``"not_a_voltage_channel"``.

    Parameters
    ----------
    recording
        Sweeps and metadata from :func:`synpharm.io.read_recording`.
    options
        How to measure (:class:`MeasureOptions`); default: placed on the average of each block,
        rise 20-80 %, baseline amplitude, negative polarity, slope magnitude.

    Returns
    -------
    SweepTable
        One row per sweep in the recording's order, with the placement record of each block.
    """
    o = options or MeasureOptions()
    n = recording.n_sweeps
    columns = _failed(n, "")
    time = recording.sweep_time.copy()
    records = []
    for c in range(len(recording.channel_units)):
        rows = np.flatnonzero(recording.channel == c)
        if rows.size:
            records += _measure_channel(recording, c, rows, o, columns, time)
    return SweepTable(
        file=np.full(n, recording.file_name),
        channel=recording.channel.copy(),
        group=recording.group.copy(),
        sweep=recording.sweep.copy(),
        time=time,
        kind=recording.kind.copy(),
        intensity=recording.intensity.copy(),
        group_names={recording.file_name: recording.group_names},
        pathway=(recording.sweep % o.pathways).astype(np.intp),
        placements=tuple({"file": recording.file_name, **r} for r in records),
        slope_sign=o.slope_sign,
        **columns,
    )


def measure_recordings(recordings: list[Recording], options: MeasureOptions | None) -> SweepTable:
    """:func:`measure_recording` of several files, rows concatenated in file order."""
    return concatenate_tables([measure_recording(r, options) for r in recordings])

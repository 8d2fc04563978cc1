"""fEPSP measures of every sweep of a real recording (:class:`synpharm.io.Recording`).

Each channel is measured on its own: the stimulus time comes from the file when it states it,
else from the stimulus artefact of the channel's mean sweep
(:func:`~synpharm.analysis.fepsp_recordings.detect_stimulus_artifact`). Slope conventions
(analysis_conventions.md 4a): ``"rise"`` low%-high% of each sweep's own amplitude, ``"max"``
the steepest 1 ms, ``"window"`` one fixed window for the whole channel -- given by the user or,
as Brainwash and WinLTP do, the low%-high% rise window of the channel's averaged sweep, applied
to every sweep. A sweep that cannot be measured gives NaN and the reason in ``flag``; nothing
in a batch raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from synpharm.analysis.fepsp import SLOPE_METHODS
from synpharm.analysis.fepsp_recordings import (
    AMPLITUDE_REFERENCES,
    detect_stimulus_artifact,
    measure_fepsp_sweeps,
)
from synpharm.errors import InputError
from synpharm.io import Recording

__all__ = ["MeasureOptions", "SweepTable", "measure_recording", "measure_recordings"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class MeasureOptions:
    """How sweeps are measured (units SI: s, V).

    Attributes
    ----------
    slope_method
        ``"rise"``, ``"window"`` or ``"max"``.
    rise_fraction
        ``(low, high)`` fractions of the amplitude, e.g. ``(0.2, 0.9)``.
    window
        Fixed slope window ``(start, end)`` [s after the stimulus] for ``"window"``; None = the
        rise window of each channel's averaged sweep.
    amplitude_reference
        ``"baseline"`` or ``"onset"`` (see :mod:`synpharm.analysis.fepsp_recordings`).
    stimulus_time, blank_duration
        Override the stimulus time and blanking [s]; None = from the file or the artefact.
    search_window
        ``(start, end)`` [s after the stimulus] searched for the negative peak.
    min_snr, max_baseline_sd
        Flag sweeps whose amplitude is below ``min_snr`` baseline sds (``"no_response"``) or
        whose baseline sd exceeds ``max_baseline_sd`` [V] (``"noisy_baseline"``).
    """

    slope_method: str = "rise"
    rise_fraction: tuple[float, float] = (0.2, 0.8)
    window: tuple[float, float] | None = None
    amplitude_reference: str = "baseline"
    stimulus_time: float | None = None
    blank_duration: float | None = None
    search_window: tuple[float, float] | None = None
    min_snr: float = 5.0
    max_baseline_sd: float = 1e-4

    def __post_init__(self) -> None:
        if self.slope_method not in SLOPE_METHODS:
            raise InputError(
                "--slope-method",
                f"unknown method {self.slope_method!r}",
                f"use one of {', '.join(SLOPE_METHODS)}",
            )
        if self.amplitude_reference not in AMPLITUDE_REFERENCES:
            raise InputError(
                "--amplitude-from",
                f"unknown reference {self.amplitude_reference!r}",
                f"use one of {', '.join(AMPLITUDE_REFERENCES)}",
            )
        low, high = self.rise_fraction
        if not 0 < low < high < 1:
            raise InputError("--rise", f"{low:g}-{high:g} is not 0 < low < high < 1", "e.g. 20-90")


@dataclass(frozen=True)
class SweepTable:
    """One row per measured sweep, columns of shape ``(n,)``; SI units (V, V/s, s).

    ``slope_window`` is ``(n, 2)`` [s after the stimulus]; ``flag`` is ``""`` for a good sweep.
    ``time`` is the sweep's stimulus time from the start of the recording [s] (NaN if unknown).
    """

    file: NDArray[np.str_]
    channel: NDArray[np.intp]
    group: NDArray[np.intp]
    sweep: NDArray[np.intp]
    time: FloatArray
    kind: NDArray[np.str_]
    intensity: FloatArray
    fepsp_slope: FloatArray
    fepsp_amplitude: FloatArray
    fiber_volley_amplitude: FloatArray
    slope_window: FloatArray
    flag: NDArray[np.str_]
    group_names: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.fepsp_slope.shape[0])

    def rows(self) -> list[dict[str, Any]]:
        """JSON-ready rows: slope [mV/ms], amplitudes [mV], window [ms]; NaN -> None."""
        out = []
        for k in range(len(self)):
            window = self.slope_window[k]
            out.append(
                {
                    "file": str(self.file[k]),
                    "channel": int(self.channel[k]),
                    "group": int(self.group[k]),
                    "sweep": int(self.sweep[k]),
                    "fepsp_slope": _number(self.fepsp_slope[k]),
                    "fepsp_amplitude": _number(self.fepsp_amplitude[k] * 1e3),
                    "fiber_volley_amplitude": _number(self.fiber_volley_amplitude[k] * 1e3),
                    "slope_window_ms": (
                        None if not np.isfinite(window).all() else [*(window * 1e3).tolist()]
                    ),
                    "flag": str(self.flag[k]),
                }
            )
        return out

    def select(self, mask: NDArray[np.bool_]) -> SweepTable:
        """The rows where ``mask`` is true."""
        values = {
            name: getattr(self, name)[mask]
            for name in self.__dataclass_fields__
            if name != "group_names"
        }
        return SweepTable(**values, group_names=self.group_names)


#: Units of the JSON rows and tables.
UNITS = {
    "fepsp_slope": "mV/ms",
    "fepsp_amplitude": "mV",
    "fiber_volley_amplitude": "mV",
    "slope_window_ms": "ms after the stimulus",
    "time": "s from the start of the recording",
}


def _number(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


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


def _measure_channel(sweeps: FloatArray, rate: float, rec: Recording, o: MeasureOptions):
    timing = _timing(sweeps, rate, rec, o)
    if timing is None:
        return _failed(sweeps.shape[0], "no_stimulus_artifact")
    stimulus, blank = timing
    common = {
        "amplitude_reference": o.amplitude_reference,
        "rise_fraction": o.rise_fraction,
        "blank_duration": blank,
        "search_window": o.search_window,
        "min_snr": o.min_snr,
        "max_baseline_sd": o.max_baseline_sd,
    }
    window = o.window
    try:
        if o.slope_method == "window" and window is None:
            average = measure_fepsp_sweeps(
                np.nanmean(sweeps, axis=0), rate, stimulus, slope_method="rise", **common
            )
            if average.flag[0] not in ("", "population_spike"):
                return _failed(sweeps.shape[0], f"average_{average.flag[0]}")
            window = (float(average.slope_window[0, 0]), float(average.slope_window[0, 1]))
        m = measure_fepsp_sweeps(
            sweeps, rate, stimulus, slope_method=o.slope_method, window=window, **common
        )
    except InputError as error:  # a window that does not fit these sweeps: flag, never raise
        return _failed(sweeps.shape[0], f"bad_settings: {error.field}")
    return {
        "fepsp_slope": m.fepsp_slope,
        "fepsp_amplitude": m.fepsp_amplitude,
        "fiber_volley_amplitude": m.fiber_volley_amplitude,
        "slope_window": m.slope_window,
        "flag": m.flag,
        "stimulus_time": stimulus,
    }


def measure_recording(recording: Recording, options: MeasureOptions | None = None) -> SweepTable:
    """Measure every sweep of every voltage channel of ``recording``.

    Current channels (A) are not field recordings: their sweeps are NaN with flag
    ``"not_a_voltage_channel"``.

    Parameters
    ----------
    recording
        Sweeps and metadata from :func:`synpharm.io.read_recording`.
    options
        How to measure (:class:`MeasureOptions`); default rise 20-80 %, baseline amplitude.

    Returns
    -------
    SweepTable
        One row per sweep in the recording's order.
    """
    o = options or MeasureOptions()
    n = recording.n_sweeps
    columns = _failed(n, "")
    time = recording.sweep_time.copy()
    for c, unit in enumerate(recording.channel_units):
        rows = np.flatnonzero(recording.channel == c)
        if rows.size == 0:
            continue
        if unit != "V":
            measured = _failed(rows.size, "not_a_voltage_channel")
        else:
            sweeps = recording.sweeps[rows]
            measured = _measure_channel(sweeps, recording.sampling_rate, recording, o)
            time[rows] = time[rows] + measured.get("stimulus_time", 0.0)
        for name, values in columns.items():
            values[rows] = measured[name]
    return SweepTable(
        file=np.full(n, recording.file_name),
        channel=recording.channel.copy(),
        group=recording.group.copy(),
        sweep=recording.sweep.copy(),
        time=time,
        kind=recording.kind.copy(),
        intensity=recording.intensity.copy(),
        group_names={recording.file_name: recording.group_names},
        **columns,
    )


def measure_recordings(recordings: list[Recording], options: MeasureOptions | None) -> SweepTable:
    """:func:`measure_recording` of several files, rows concatenated in file order."""
    tables = [measure_recording(r, options) for r in recordings]
    names = {k: v for t in tables for k, v in t.group_names.items()}
    values = {
        name: np.concatenate([getattr(t, name) for t in tables])
        for name in SweepTable.__dataclass_fields__
        if name != "group_names"
    }
    return SweepTable(**values, group_names=names)


def _second_stimulus(mean: FloatArray, rate: float) -> tuple[int, int] | None:
    """Sample indices of the first and second stimulus artefact of a paired-pulse sweep."""
    first = detect_stimulus_artifact(mean, rate)
    if first is None:
        return None
    start = round(first.stimulus_time * rate)
    end = start + round(first.blank_duration * rate) + round(1e-3 * rate)
    change = np.abs(np.diff(mean))
    jump = float(change[start - 1 : end].max())
    later = np.flatnonzero(change[end:] > 0.25 * jump)
    if later.size == 0:
        return None
    return start, end + int(later[0]) + 1


def split_paired_pulses(recording: Recording, pre: float = 2e-3) -> Recording:
    """Cut each two-stimulus sweep into a first (``"pp1"``) and second (``"pp2"``) response.

    Both artefacts are found on each channel's mean sweep; each response keeps ``pre`` [s]
    before its stimulus as baseline and runs until the next stimulus (or the sweep end), both
    the same length. Channels without a second artefact are left out; if none has one, the
    recording is returned unchanged (its sweeps then carry no paired pulses).
    """
    blocks, keep = [], []
    rate = recording.sampling_rate
    for c in range(len(recording.channel_names)):
        rows = np.flatnonzero(recording.channel == c)
        if rows.size == 0:
            continue
        found = _second_stimulus(np.nanmean(recording.sweeps[rows], axis=0), rate)
        if found is None:
            continue
        first, second = found
        lead = min(round(pre * rate), first)
        length = min(second - first, recording.sweeps.shape[1] - second) + lead
        for kind, at in (("pp1", first), ("pp2", second)):
            blocks.append(recording.sweeps[rows, at - lead : at - lead + length])
            keep.append((rows, kind, (at - lead) / rate))
    if not blocks or len({b.shape[1] for b in blocks}) != 1:
        return recording
    rows = np.concatenate([r for r, _, _ in keep])
    order = np.lexsort((np.concatenate([np.full(r.size, k == "pp2") for r, k, _ in keep]), rows))
    kinds = np.concatenate([np.full(r.size, k) for r, k, _ in keep])[order]
    shift = np.concatenate([np.full(r.size, s) for r, _, s in keep])[order]
    rows = rows[order]
    return Recording(
        sweeps=np.concatenate(blocks, axis=0)[order],
        sampling_rate=rate,
        channel=recording.channel[rows],
        group=recording.group[rows],
        sweep=recording.sweep[rows],
        channel_names=recording.channel_names,
        channel_units=recording.channel_units,
        source=recording.source,
        sweep_time=recording.sweep_time[rows] + shift,
        kind=kinds,
        intensity=recording.intensity[rows],
        group_names=recording.group_names,
        tags=recording.tags,
    )

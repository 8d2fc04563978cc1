"""Neurodata Without Borders (NWB 2) files via pynwb (imported when a file is read or written).

Field recordings are stored the way :func:`write_field_nwb` writes them and
:func:`read_nwb` reads them back:

* one ``ElectricalSeries`` per group (e.g. an experimental condition) in ``acquisition``,
  data ``(n_samples_total, n_channels)`` in volts (one column per electrode, e.g. per slice),
  the sweeps one after the other with their true ``timestamps``;
* the ``trials`` table: one row per sweep with ``start_time``, ``stop_time``, and the columns
  ``stimulus_time`` [s, absolute], ``kind`` (``test``, ``pp1``, ``pp2``, ``io``) and
  ``intensity``;
* the ``epochs`` table: drug applications and inductions as intervals tagged ``drug`` or
  ``induction``.

Other NWB files are read series by series: any ``TimeSeries`` in ``acquisition`` whose unit is a
voltage or current; without a ``trials`` table each series is one sweep.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from synpharm.errors import InputError
from synpharm.io._recording import Recording, Tag, flat_indices, stated_or_file_units

__all__ = ["FieldSweeps", "read_nwb", "write_field_nwb"]


@dataclass(frozen=True)
class FieldSweeps:
    """Stimulus-aligned field sweeps of one group, e.g. one condition of a virtual experiment.

    Attributes
    ----------
    name
        Group name (becomes the ``ElectricalSeries`` name).
    sweeps
        Voltages [V], shape ``(n_channels, n_sweeps, n_samples)``.
    """

    name: str
    sweeps: NDArray[np.float64]


def write_field_nwb(
    path: str | Path,
    groups: Sequence[FieldSweeps],
    *,
    sampling_rate: float,
    stimulus_time: float,
    pulse_time: NDArray[np.float64],
    kind: NDArray[np.str_],
    intensity: NDArray[np.float64],
    tags: Sequence[Tag] = (),
    description: str = "synpharm field recording",
    identifier: str = "synpharm",
) -> Path:
    """Write stimulus-aligned field sweeps as an NWB file (layout in the module docstring).

    Parameters
    ----------
    path
        Destination ``.nwb`` file (written in full or not at all by the caller's staging).
    groups
        Sweeps per group; every group has the same number of sweeps and samples.
    sampling_rate
        Samples per second [Hz].
    stimulus_time
        Stimulus time from the start of each sweep [s].
    pulse_time, kind, intensity
        Absolute stimulus time [s], stimulus kind and intensity of every sweep, shape
        ``(n_sweeps,)``.
    tags
        Drug applications and inductions (``Tag.is_drug`` / ``Tag.is_induction``).
    """
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.ecephys import ElectricalSeries

    n_samples = groups[0].sweeps.shape[2]
    offsets = np.arange(n_samples) / sampling_rate - stimulus_time
    timestamps = (np.asarray(pulse_time)[:, None] + offsets[None, :]).ravel()
    nwb = NWBFile(
        session_description=description,
        identifier=identifier,
        session_start_time=datetime(2000, 1, 1, tzinfo=UTC),
    )
    device = nwb.create_device(name="field_electrode")
    for group in groups:
        _add_group(nwb, device, group, timestamps, ElectricalSeries)
    nwb.add_trial_column("stimulus_time", "absolute time of the stimulus [s]")
    nwb.add_trial_column("kind", "stimulus kind: test, pp1, pp2, io")
    nwb.add_trial_column("intensity", "stimulus intensity, fraction of the maximal stimulus")
    span = n_samples / sampling_rate
    for t, k, i in zip(pulse_time, kind, intensity, strict=True):
        start = float(t) - stimulus_time
        nwb.add_trial(
            start_time=start,
            stop_time=start + span,
            stimulus_time=float(t),
            kind=str(k),
            intensity=float(i),
        )
    for tag in tags:
        label = "induction" if tag.is_induction else "drug"
        nwb.add_epoch(start_time=tag.time, stop_time=tag.time, tags=[label, tag.comment])
    path = Path(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with NWBHDF5IO(str(path), "w") as io:
            io.write(nwb)
    return path


def _add_group(nwb, device, group: FieldSweeps, timestamps: NDArray[np.float64],
               series_type) -> None:
    """One electrode per sweep of ``group`` and its sweeps as one ElectricalSeries."""
    electrode_group = nwb.create_electrode_group(
        name=f"{group.name}_electrodes",
        description=f"stratum radiatum field electrodes, {group.name}",
        location="CA1 stratum radiatum",
        device=device,
    )
    first = len(nwb.electrodes) if nwb.electrodes is not None else 0
    for _ in range(group.sweeps.shape[0]):
        nwb.add_electrode(group=electrode_group, location="CA1 stratum radiatum")
    region = nwb.create_electrode_table_region(
        list(range(first, first + group.sweeps.shape[0])), f"{group.name} electrodes"
    )
    data = np.ascontiguousarray(group.sweeps.reshape(group.sweeps.shape[0], -1).T)
    nwb.add_acquisition(
        series_type(
            name=group.name,
            data=data,
            electrodes=region,
            timestamps=timestamps,
            description="stimulus-aligned field sweeps, one column per electrode",
        )
    )


def _series_list(nwb) -> list:
    from pynwb import TimeSeries

    return [s for s in nwb.acquisition.values() if isinstance(s, TimeSeries)]


def _trial_rows(nwb) -> dict[str, np.ndarray] | None:
    if nwb.trials is None or len(nwb.trials) == 0:
        return None
    table = nwb.trials
    rows = {"start": np.asarray(table["start_time"][:], dtype=float)}
    rows["stop"] = np.asarray(table["stop_time"][:], dtype=float)
    names = set(table.colnames)
    if "stimulus_time" in names:
        rows["stimulus"] = np.asarray(table["stimulus_time"][:], dtype=float)
    if "kind" in names:
        rows["kind"] = np.asarray(table["kind"][:], dtype=str)
    if "intensity" in names:
        rows["intensity"] = np.asarray(table["intensity"][:], dtype=float)
    return rows


def _tags(nwb) -> tuple[Tag, ...]:
    if nwb.epochs is None or len(nwb.epochs) == 0:
        return ()
    starts = nwb.epochs["start_time"][:]
    labels = nwb.epochs["tags"][:]
    out = []
    for start, label in zip(starts, labels, strict=True):
        words = [str(w) for w in label]
        out.append(Tag(float(start), " ".join(words)))
    return tuple(sorted(out, key=lambda tag: tag.time))


def _cut(series, trials: dict[str, np.ndarray], scale: float, where: str) -> np.ndarray:
    """Sweeps ``(n_channels, n_trials, n_samples)`` of one series cut at the trial bounds."""
    data = np.asarray(series.data[:], dtype=float) * scale * float(series.conversion)
    data = data[:, None] if data.ndim == 1 else data
    times = (
        np.asarray(series.timestamps[:], dtype=float)
        if series.timestamps is not None
        else (series.starting_time + np.arange(data.shape[0]) / series.rate)
    )
    first = np.searchsorted(times, trials["start"] - 1e-9)
    last = np.searchsorted(times, trials["stop"] - 1e-9)
    lengths = set((last - first).tolist())
    if len(lengths) != 1 or 0 in lengths:
        raise InputError(where, "trials cut the series into sweeps of unequal length", "")
    index = first[:, None] + np.arange(lengths.pop())[None, :]
    return np.moveaxis(data[index], 2, 0)


def read_nwb(path: str | Path, *, units: str | None = None) -> Recording:
    """Read the voltage/current series of an NWB file as stimulus-aligned sweeps.

    Parameters
    ----------
    path
        The ``.nwb`` file.
    units
        Units the user states; must agree with the series' units.

    Returns
    -------
    Recording
        ``group`` = series (``group_names``), ``channel`` = column of the series (electrode),
        ``sweep`` = trial; stimulus time, kind and intensity from the trials table; drug and
        induction tags from the epochs table.
    """
    from pynwb import NWBHDF5IO

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(2, "no such file", str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            io = NWBHDF5IO(str(path), "r")
            nwb = io.read()
        except Exception as error:
            raise InputError(
                str(path), f"not a readable NWB file ({' '.join(str(error).split())[:200]})", ""
            ) from None
        try:
            return _recording(nwb, path, units)
        finally:
            io.close()


def _recording(nwb, path: Path, units: str | None) -> Recording:
    series = _series_list(nwb)
    if not series:
        raise InputError(str(path), "has no time series in acquisition", "")
    scales = stated_or_file_units([s.unit for s in series], units, str(path))
    if len({si for si, _ in scales}) != 1:
        raise InputError(str(path), "series of mixed voltage and current units", "")
    trials = _trial_rows(nwb)
    if trials is None:
        blocks = [
            np.asarray(s.data[:], dtype=float).reshape(1, 1, -1) * f
            for s, (_, f) in zip(series, scales, strict=True)
        ]
        if len({b.shape[2] for b in blocks}) != 1:
            raise InputError(str(path), "series of unequal length and no trials table", "")
        rate = float(series[0].rate) if series[0].rate else None
        return _assemble(path, series, scales, [np.concatenate(blocks, axis=1)], rate, None)
    sweeps = [
        _cut(s, trials, f, f"{path.name}:{s.name}")
        for s, (_, f) in zip(series, scales, strict=True)
    ]
    first = series[0]
    rate = float(first.rate) if first.rate else _rate_from_timestamps(first.timestamps)
    return _assemble(path, series, scales, sweeps, rate, trials, _tags(nwb))


def _rate_from_timestamps(timestamps) -> float:
    """Samples per second from the typical step of the timestamps (9 significant digits)."""
    step = float(np.median(np.diff(np.asarray(timestamps[: min(1000, len(timestamps))]))))
    return float(f"{1.0 / step:.9g}")


def _assemble(path, series, scales, sweeps, rate, trials, tags=()) -> Recording:
    """One Recording from per-series sweeps ``(n_channels, n_trials, n_samples)``."""
    if rate is None:
        raise InputError(str(path), "the series state no sampling rate", "")
    counts = [
        (c, g, block.shape[1]) for g, block in enumerate(sweeps) for c in range(block.shape[0])
    ]
    channel, group, sweep = flat_indices(counts)
    flat = np.concatenate([block.reshape(-1, block.shape[2]) for block in sweeps], axis=0)
    n_channels = max(block.shape[0] for block in sweeps)
    n_trials = sweeps[0].shape[1]
    extra: dict = {}
    if trials is not None:
        repeat = flat.shape[0] // n_trials
        extra["sweep_time"] = np.tile(trials["start"], repeat)
        if "kind" in trials:
            extra["kind"] = np.tile(trials["kind"], repeat)
        if "intensity" in trials:
            extra["intensity"] = np.tile(trials["intensity"], repeat)
        if "stimulus" in trials:
            delays = trials["stimulus"] - trials["start"]
            extra["stimulus_time"] = float(np.median(delays))
    return Recording(
        sweeps=flat,
        sampling_rate=rate,
        channel=channel,
        group=group,
        sweep=sweep,
        channel_names=tuple(f"electrode {c}" for c in range(n_channels)),
        channel_units=(scales[0][0],) * n_channels,
        source=str(path),
        group_names=tuple(s.name for s in series),
        tags=tuple(tags),
        **extra,
    )

"""Axon Binary Format (ABF 1 and 2) files via pyabf (imported when a file is read)."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np

from synpharm.errors import InputError
from synpharm.io._recording import Recording, Tag, flat_indices, stated_or_file_units

__all__ = ["read_abf"]


def _open(path: Path):
    import pyabf

    try:
        abf = pyabf.ABF(str(path))
        expected = abf.sweepCount * abf.sweepPointCount
        if abf.sweepCount < 1 or abf.data.shape[1] < expected:
            raise ValueError("data section shorter than the header says")
    except FileNotFoundError:
        raise
    except Exception as error:  # pyabf raises struct.error, ValueError, IndexError, ...
        raise InputError(
            str(path),
            f"not a readable ABF file ({' '.join(str(error).split())})",
            "check that the file is complete (not truncated) and is ABF 1 or 2",
        ) from None
    return abf


def read_abf(path: str | Path, *, units: str | None = None) -> Recording:
    """Read every sweep of every channel of an ABF 1 or ABF 2 file.

    Parameters
    ----------
    path
        The ``.abf`` file.
    units
        Units the user states (e.g. ``"mV"``); required only for channels whose unit the file
        does not give, and must agree with the file otherwise.

    Returns
    -------
    Recording
        Sweeps in SI units (V or A); ``group`` is 0, ``sweep`` the ABF sweep number,
        ``sweep_time`` the sweep start [s], tags with their times (``"+drug at 3min"``).

    Raises
    ------
    InputError
        Truncated or corrupt file, missing or mismatched units.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(2, "no such file", str(path))
    abf = _open(path)
    n_sweeps, n_points, n_channels = abf.sweepCount, abf.sweepPointCount, abf.channelCount
    scales = stated_or_file_units(list(abf.adcUnits[:n_channels]), units, str(path))
    data = np.asarray(abf.data[:, : n_sweeps * n_points], dtype=float)
    blocks = [data[c].reshape(n_sweeps, n_points) * scales[c][1] for c in range(n_channels)]
    channel, group, sweep = flat_indices([(c, 0, n_sweeps) for c in range(n_channels)])
    starts = np.asarray(abf.sweepTimesSec, dtype=float)[:n_sweeps]
    tags = tuple(
        Tag(float(t), str(c).strip())
        for t, c in zip(abf.tagTimesSec, abf.tagComments, strict=False)
    )
    return Recording(
        sweeps=np.concatenate(blocks, axis=0),
        sampling_rate=float(abf.sampleRate),
        channel=channel,
        group=group,
        sweep=sweep,
        channel_names=tuple(str(name) for name in abf.adcNames[:n_channels]),
        channel_units=tuple(si for si, _ in scales),
        source=str(path),
        sweep_time=np.tile(starts, n_channels),
        tags=tags,
        protocol=str(getattr(abf, "protocol", "") or ""),
        start_time=_start_time(abf),
    )


def _start_time(abf) -> float | None:
    """The ABF recording start [s since the epoch; the rig's clock read as UTC, only
    differences between files are used], None when the file lacks it."""
    start = getattr(abf, "abfDateTime", None)
    try:
        return float(start.replace(tzinfo=datetime.UTC).timestamp())
    except (AttributeError, TypeError, ValueError, OverflowError, OSError):
        return None

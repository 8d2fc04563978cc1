"""Join the files of one slice into one recording, and find where its sweep protocol changed.

A slice experiment is often saved as several files: a baseline file, then (after the induction,
which is not recorded) a follow-up file, often with another protocol or sweep interval. Joined,
the files make one time course; the first boundary where the protocol changes (the ABF protocol
name or the sweep interval) or the recording pauses is where the induction happened (used by
``synpharm analyze --join`` when no ``--induction`` option or induction tag says otherwise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from synpharm.errors import InputError
from synpharm.io._recording import Recording, Tag

__all__ = ["Boundary", "file_boundaries", "join_recordings"]

#: Sweep intervals differing by more than this fraction are a protocol change.
INTERVAL_CHANGE = 0.1
#: A pause between files longer than this many sweep intervals (and >= 60 s) is an induction.
PAUSE_FACTOR = 3.0


@dataclass(frozen=True)
class Boundary:
    """Where one file of a joined recording ends and the next begins.

    Attributes
    ----------
    index
        Position (in joined order) of the file after the boundary.
    time
        End of the file before [s on the joined time axis]: one sweep interval after its last
        sweep (when its next test pulse would have come), or the next file's start if earlier.
    reasons
        Why the protocol is taken to have changed there (empty: no change found).
    file
        Name of the file after the boundary.
    """

    index: int
    time: float
    reasons: tuple[str, ...]
    file: str = ""


def _interval(rec: Recording) -> float:
    """Median interval [s] between sweep starts (channel 0); the sweep length for one sweep."""
    start = np.unique(rec.sweep_time[rec.channel == 0])
    if start.size < 2:
        return rec.sweeps.shape[1] / rec.sampling_rate
    return float(np.median(np.diff(start)))


def _check(recordings: list[Recording]) -> None:
    first = recordings[0]
    for rec in recordings:
        if not np.isfinite(rec.sweep_time).all():
            raise InputError(
                "--join", f"{rec.file_name} has no sweep times", "give files with them"
            )
        same = (rec.sampling_rate, rec.sweeps.shape[1], rec.channel_units) == (
            first.sampling_rate, first.sweeps.shape[1], first.channel_units,
        )  # fmt: skip
        if not same:
            raise InputError(
                "--join",
                f"{rec.file_name} differs from {first.file_name} in sampling rate, sweep length "
                "or channels",
                "join only the files of one slice recorded with the same settings",
            )


def _ordered(recordings: list[Recording]) -> list[Recording]:
    """By start time when every file states it, else as given."""
    if all(r.start_time is not None for r in recordings):
        return sorted(recordings, key=lambda r: float(r.start_time or 0.0))
    return list(recordings)


def _offsets(recordings: list[Recording]) -> list[float]:
    """Start of each file on the joined axis: from the start times when all are known, else
    each file one sweep interval after the last sweep of the one before."""
    if all(r.start_time is not None for r in recordings):
        return [
            float(r.start_time or 0.0) - float(recordings[0].start_time or 0.0) for r in recordings
        ]
    offsets = [0.0]
    for rec in recordings[:-1]:
        offsets.append(offsets[-1] + float(np.max(rec.sweep_time)) + _interval(rec))
    return offsets


def file_boundaries(recordings: list[Recording]) -> list[Boundary]:
    """The boundaries between consecutive files (in joined order) and what changed at each."""
    recordings = _ordered(recordings)
    offsets = _offsets(recordings)
    out = []
    for k in range(1, len(recordings)):
        before, after = recordings[k - 1], recordings[k]
        reasons = []
        if before.protocol and after.protocol and before.protocol != after.protocol:
            reasons.append(f"protocol {before.protocol!r} -> {after.protocol!r}")
        a, b = _interval(before), _interval(after)
        if abs(b - a) > INTERVAL_CHANGE * a:
            reasons.append(f"sweep interval {a:g} s -> {b:g} s")
        end = offsets[k - 1] + float(np.max(before.sweep_time)) + a
        pause = offsets[k] + float(np.min(after.sweep_time)) - (end - a)
        if pause > max(PAUSE_FACTOR * a, 60.0):
            reasons.append(f"pause of {pause:g} s between files")
        start = offsets[k] + float(np.min(after.sweep_time))
        out.append(Boundary(k, min(end, start), tuple(reasons), after.file_name))
    return out


def join_recordings(recordings: list[Recording]) -> Recording:
    """One recording of the files of one slice, in time order (start times, else as given).

    Sweep times and tags move onto the joined axis (from the first file's start); sweep
    numbers continue from file to file, each file starting at an even number so that the
    first sweep of every file stays pathway 1 of interleaved pathways. The files must share
    sampling rate, sweep length and channels.
    """
    if not recordings:
        raise InputError("--join", "no files", "give the files of one slice")
    _check(recordings)
    recordings = _ordered(recordings)
    offsets = _offsets(recordings)
    first = 0
    sweep_parts = []
    for rec in recordings:
        sweep_parts.append(rec.sweep + first)
        first += 2 * math.ceil((int(rec.sweep.max()) + 1) / 2)
    tags = tuple(
        Tag(tag.time + offset, tag.comment)
        for rec, offset in zip(recordings, offsets, strict=True)
        for tag in rec.tags
    )
    return replace(
        recordings[0],
        sweeps=np.concatenate([r.sweeps for r in recordings]),
        channel=np.concatenate([r.channel for r in recordings]),
        group=np.concatenate([r.group for r in recordings]),
        sweep=np.concatenate(sweep_parts),
        sweep_time=np.concatenate(
            [r.sweep_time + o for r, o in zip(recordings, offsets, strict=True)]
        ),
        kind=np.concatenate([r.kind for r in recordings]),
        intensity=np.concatenate([r.intensity for r in recordings]),
        tags=tags,
        protocol=" + ".join(dict.fromkeys(r.protocol for r in recordings if r.protocol)),
    )

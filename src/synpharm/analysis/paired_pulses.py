"""Paired-pulse sweeps: two stimuli in one sweep cut into a first and a second response."""

from __future__ import annotations

import numpy as np

from synpharm.analysis._fepsp_core import FloatArray
from synpharm.analysis.fepsp_events import detect_stimulus_artifact
from synpharm.io import Recording

__all__ = ["split_paired_pulses"]


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

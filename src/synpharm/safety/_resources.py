"""Resource estimates checked before any work: memory of a run against the memory available.

The estimates are upper bounds built from the sizes the simulation allocates (state per
synapse, values per stimulus and slice, one slice's field sweeps at a time); they are meant to
refuse runs that cannot fit (``cohort = 1000000000``, ``duration = "1000000 h"``) within a
second, not to predict memory use to the megabyte.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from synpharm.errors import InputError

__all__ = [
    "MAX_GRID_COMBINATIONS",
    "MAX_STIMULI",
    "Estimate",
    "available_memory",
    "check_estimate",
    "check_grid_size",
    "format_bytes",
    "protocol_estimate",
    "protocol_stimuli",
    "study_estimate",
]

#: most parameter combinations a sweep grid may expand to
MAX_GRID_COMBINATIONS = 100_000
#: most stimuli (pulses) one protocol may deliver to one slice
MAX_STIMULI = 10_000_000
# Calibrated on measured peak memory (max RSS) of `synpharm run` (docs/safety.md): control_ltp
# with 50 and 400 slices (261 and 286 MB measured) and 20 slices x 36,001 stimuli (1.19 GB).
_STATE_BYTES_PER_SYNAPSE = 16 * 8  # declared state fields and per-synapse constants (float64)
_BYTES_PER_SLICE_STIMULUS = 200  # drive, firing, measures, pulse table and CSV text
_SWEEP_COPIES = 6  # one slice's field sweeps and the measurement's working copies
_SCHEDULE_BYTES_PER_STIMULUS = 64  # time, kind, intensity, train of the shared schedule
_BYTES_PER_SUBJECT = 1 << 20  # time courses of one virtual subject or animal in a study
_BASE_BYTES = 250 << 20  # interpreter, libraries and compiled kernels
_USABLE_FRACTION = 0.8


@dataclass(frozen=True)
class Estimate:
    """What a run will allocate, in the units a user can change.

    Attributes
    ----------
    what
        Short description, e.g. ``"12 slices x 1000 synapses x 3,301 stimuli"``.
    n_bytes
        Estimated peak memory [bytes].
    """

    what: str
    n_bytes: float

    def describe(self) -> str:
        """``"<what>: about 1.2 GB"``."""
        return f"{self.what}: about {format_bytes(self.n_bytes)}"


def available_memory() -> int:
    """Memory available to a new allocation [bytes] (``MemAvailable``; else physical memory)."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:  # pragma: no cover - psutil ships with distributed
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def protocol_stimuli(steps: Iterable[Any]) -> float:
    """Stimuli one slice receives over the steps of a slice protocol (no arrays built)."""
    return float(sum(step.stimuli for step in steps))


def protocol_estimate(
    protocol: Any, cohort: int, n_synapses: int = 1000, sweep_samples: int = 600
) -> Estimate:
    """Peak memory of a slice protocol with ``cohort`` slices per condition.

    ``n_synapses`` per slice and ``sweep_samples`` per recorded field sweep come from the
    preparation (defaults: the CA1 slice, 1000 synapses, 20 kHz x 30 ms).
    """
    slices = float(max(len(protocol.conditions), 1)) * cohort
    stimuli = protocol_stimuli(protocol.steps)
    n_bytes = (
        _BASE_BYTES
        + slices * n_synapses * _STATE_BYTES_PER_SYNAPSE
        + slices * stimuli * _BYTES_PER_SLICE_STIMULUS
        + stimuli * (_SCHEDULE_BYTES_PER_STIMULUS + _SWEEP_COPIES * sweep_samples * 8)
    )
    what = f"{_count(slices)} slices x {n_synapses:,} synapses x {_count(stimuli)} stimuli"
    return Estimate(what, n_bytes)


def study_estimate(n_groups: int, cohort: int) -> Estimate:
    """Peak memory of a study with ``n_groups`` arms of ``cohort`` subjects (coarse bound)."""
    subjects = float(max(n_groups, 1)) * cohort
    return Estimate(f"{_count(subjects)} subjects", _BASE_BYTES + subjects * _BYTES_PER_SUBJECT)


def check_estimate(estimate: Estimate, field: str, *, stimuli: float | None = None) -> None:
    """Raise :class:`InputError` if ``estimate`` exceeds the usable available memory.

    ``stimuli`` (per slice), if given, is also checked against :data:`MAX_STIMULI`.
    """
    if stimuli is not None and stimuli > MAX_STIMULI:
        raise InputError(
            "steps",
            f"{_count(stimuli)} stimuli per slice, more than the limit of {MAX_STIMULI:,}",
            "shorten the steps or lower their rates",
        )
    limit = _USABLE_FRACTION * available_memory()
    if not estimate.n_bytes <= limit:
        raise InputError(
            field,
            f"the run needs {estimate.describe()}, more than the {format_bytes(limit)} "
            "of memory available",
            "lower the cohort, the number of conditions or the protocol's duration and rates",
        )


def check_grid_size(sizes: Iterable[int], field: str) -> int:
    """The product of ``sizes``; :class:`InputError` beyond :data:`MAX_GRID_COMBINATIONS`."""
    total = math.prod(sizes)
    if total > MAX_GRID_COMBINATIONS:
        raise InputError(
            field,
            f"{total:,} combinations, more than the limit of {MAX_GRID_COMBINATIONS:,}",
            "use fewer values or split the sweep",
        )
    return total


def format_bytes(n_bytes: float) -> str:
    """``1.5e9`` -> ``"1.4 GB"`` (binary prefixes, one decimal)."""
    if not n_bytes < 1024.0**6:
        return f"{n_bytes:.2g} bytes"
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if n_bytes < 1024 or unit == "PB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.1f} PB"  # pragma: no cover


def _count(value: float) -> str:
    return f"{value:,.0f}" if value < 1e15 else f"{value:.2g}"

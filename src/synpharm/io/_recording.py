"""The in-memory recording every reader returns, and the unit checks shared by the readers."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from synpharm.errors import InputError

__all__ = ["Recording", "Tag", "si_unit", "stated_or_file_units"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

#: Unit spellings found in ABF, NWB and lab files -> (SI unit, factor to SI).
_UNITS: dict[str, tuple[str, float]] = {
    "v": ("V", 1.0),
    "volt": ("V", 1.0),
    "volts": ("V", 1.0),
    "mv": ("V", 1e-3),
    "uv": ("V", 1e-6),
    "µv": ("V", 1e-6),
    "μv": ("V", 1e-6),
    "a": ("A", 1.0),
    "amp": ("A", 1.0),
    "ampere": ("A", 1.0),
    "amperes": ("A", 1.0),
    "ma": ("A", 1e-3),
    "ua": ("A", 1e-6),
    "µa": ("A", 1e-6),
    "μa": ("A", 1e-6),
    "na": ("A", 1e-9),
    "pa": ("A", 1e-12),
    "fa": ("A", 1e-15),
}


def si_unit(unit: str | None, field: str) -> tuple[str, float]:
    """The SI unit (``"V"`` or ``"A"``) and the factor that converts ``unit`` into it.

    Raises
    ------
    InputError
        ``unit`` is empty or not a voltage or current unit.

    Examples
    --------
    >>> si_unit("mV", "units")
    ('V', 0.001)
    """
    key = (unit or "").strip().lower()
    if key not in _UNITS:
        shown = repr(unit) if unit else "no unit"
        raise InputError(
            field,
            f"{shown} is not a voltage or current unit",
            "state the units of the recording, e.g. --units mV (V, mV, uV, A, nA, pA)",
        )
    return _UNITS[key]


def stated_or_file_units(
    file_units: list[str | None], stated: str | None, field: str
) -> list[tuple[str, float]]:
    """SI unit and factor per channel: the file's units, checked against the user's if stated.

    A channel without a unit in the file takes the stated unit; a file without units and no
    stated unit, or a stated unit that differs from the file's, is an error.
    """
    out = []
    for k, unit in enumerate(file_units):
        if unit and unit.strip():
            si, scale = si_unit(unit, f"{field} channel {k} unit")
            if stated is not None and si_unit(stated, "--units") != (si, scale):
                raise InputError(
                    "--units",
                    f"{stated!r} does not match the file's unit {unit!r} of channel {k}",
                    "leave --units out or give the unit the file states",
                )
            out.append((si, scale))
        elif stated is not None:
            out.append(si_unit(stated, "--units"))
        else:
            raise InputError(
                field,
                f"channel {k} has no unit in the file",
                "state the units of the recording, e.g. --units mV",
            )
    return out


@dataclass(frozen=True)
class Tag:
    """A comment tag of a recording (e.g. ``"+drug at 3min"`` in an ABF file).

    Attributes
    ----------
    time
        Time of the tag from the start of the recording [s].
    comment
        The tag's text.
    """

    time: float
    comment: str

    @property
    def is_drug(self) -> bool:
        """A drug application: ``+name`` (Clampex convention), or the words drug/wash-in;
        never an induction tag (``"+TBS"`` is an induction)."""
        text = self.comment.strip().lower()
        marked = text.startswith("+") or bool(re.search(r"\b(drug|wash[- ]?in|apply)", text))
        return marked and not self.is_induction

    @property
    def is_induction(self) -> bool:
        """An LTP induction: tetanus, HFS, TBS, theta burst or induction."""
        return bool(
            re.search(r"\b(induction|tetan\w*|hfs|tbs|theta|ltp)\b", self.comment.strip().lower())
        )


@dataclass(frozen=True)
class Recording:
    """Stimulus-aligned sweeps of one file, in SI units, with what is known about each sweep.

    Sweeps of every channel and group are stacked along the first axis; ``channel``, ``group``
    and ``sweep`` say where each comes from (for a MATLAB cell array of traces: row, column and
    repetition, all 0-based).

    Attributes
    ----------
    sweeps
        Signal [V or A, see ``channel_units``], shape ``(n_sweeps, n_samples)``.
    sampling_rate
        Samples per second [Hz].
    channel, group, sweep
        Channel index, group index (intensity, condition, ...) and repetition index within the
        (channel, group) of every sweep, shape ``(n_sweeps,)``.
    channel_names, channel_units
        Name and SI unit (``"V"`` or ``"A"``) per channel.
    source
        The file the sweeps came from.
    sweep_time
        Start of each sweep from the start of the recording [s], NaN where unknown, shape
        ``(n_sweeps,)``.
    stimulus_time
        Time of the stimulus from the start of each sweep [s] when the file states it.
    kind
        What each sweep's stimulus was (``"test"``, ``"pp1"``, ``"pp2"``, ``"io"``), shape
        ``(n_sweeps,)``.
    intensity
        Stimulus intensity of each sweep (file units; NaN if unknown), shape ``(n_sweeps,)``.
    group_names
        A name per group (e.g. a condition), may be empty.
    tags
        Comment tags with their times.
    protocol
        Name of the acquisition protocol the sweeps were recorded with (ABF protocol file
        name, or ``protocol`` in an ``.npz``); ``""`` if unknown.
    start_time
        When the file's recording started [s since 1970-01-01 UTC] (ABF start date and time,
        or ``start_time`` in an ``.npz``); None if unknown.
    """

    sweeps: FloatArray
    sampling_rate: float
    channel: IntArray
    group: IntArray
    sweep: IntArray
    channel_names: tuple[str, ...]
    channel_units: tuple[str, ...]
    source: str
    sweep_time: FloatArray = field(default_factory=lambda: np.zeros(0))
    stimulus_time: float | None = None
    kind: NDArray[np.str_] = field(default_factory=lambda: np.zeros(0, dtype="<U4"))
    intensity: FloatArray = field(default_factory=lambda: np.zeros(0))
    group_names: tuple[str, ...] = ()
    tags: tuple[Tag, ...] = ()
    protocol: str = ""
    start_time: float | None = None

    def __post_init__(self) -> None:
        n = self.sweeps.shape[0]
        if self.sweeps.ndim != 2:
            raise InputError(self.source, f"sweeps have shape {self.sweeps.shape}", "")
        if not (math.isfinite(self.sampling_rate) and self.sampling_rate > 0):
            raise InputError(
                "--sampling-rate", f"must be > 0 Hz, got {self.sampling_rate}", "e.g. 20000"
            )
        for name in ("channel", "group", "sweep"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have shape ({n},)")
        defaults = {
            "sweep_time": np.full(n, np.nan),
            "kind": np.full(n, "test"),
            "intensity": np.full(n, np.nan),
        }
        for name, default in defaults.items():
            if getattr(self, name).size == 0:
                object.__setattr__(self, name, default)
            elif getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have shape ({n},)")
        if len(self.channel_units) != len(self.channel_names):
            raise ValueError("one unit per channel name")

    @property
    def n_sweeps(self) -> int:
        return int(self.sweeps.shape[0])

    @property
    def file_name(self) -> str:
        return Path(self.source).name

    def drug_times(self) -> list[float]:
        """Times [s] of the tags that mark a drug application."""
        return [tag.time for tag in self.tags if tag.is_drug]

    def induction_times(self) -> list[float]:
        """Times [s] of the tags that mark an LTP induction."""
        return [tag.time for tag in self.tags if tag.is_induction]


def flat_indices(counts: list[tuple[int, int, int]]) -> tuple[IntArray, IntArray, IntArray]:
    """Channel, group and repetition index per sweep for blocks ``(channel, group, n_reps)``."""
    channel = np.concatenate([np.full(n, c, dtype=np.intp) for c, _, n in counts] or [[]])
    group = np.concatenate([np.full(n, g, dtype=np.intp) for _, g, n in counts] or [[]])
    sweep = np.concatenate([np.arange(n, dtype=np.intp) for _, _, n in counts] or [[]])
    return channel.astype(np.intp), group.astype(np.intp), sweep.astype(np.intp)


def parse_sampling_rate(value: str | float | None, field: str = "--sampling-rate") -> float | None:
    """A sampling rate [Hz] from a bare number (Hz) or a string with a unit (``"20 kHz"``)."""
    if value is None:
        return None
    try:
        rate = float(value)
    except (TypeError, ValueError):
        from synpharm.units import parse_quantity

        rate = parse_quantity(str(value), "frequency", field)
    if not (math.isfinite(rate) and rate > 0):
        raise InputError(field, f"must be > 0 Hz, got {value!r}", "give e.g. 20000 or '20 kHz'")
    return rate

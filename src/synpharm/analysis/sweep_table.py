"""The table of per-sweep fEPSP measures that ``analyze`` summarises, and its units.

One row per sweep: where it comes from (file, channel, group, pathway, sweep, time, stimulus
kind and intensity), its measures (slope, amplitude, fiber volley, slope window), the reason it
could not be measured (``flag``) and its slope as % of the pre-induction baseline. Measures are
in SI units inside (V, V/s, s); the JSON rows and the files use mV, mV/ms and ms.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["SLOPE_SIGNS", "UNITS", "SweepTable", "concatenate_tables", "slope_unit"]

FloatArray = NDArray[np.float64]

#: Slope sign conventions: ``magnitude`` (positive for a response in the direction of its
#: polarity, as most slice tools report it) or ``signed`` (the sign of the voltage change).
SLOPE_SIGNS = ("magnitude", "signed")

#: Units of the JSON rows and tables.
UNITS = {
    "fepsp_slope": "mV/ms",
    "fepsp_amplitude": "mV",
    "fiber_volley_amplitude": "mV",
    "slope_window_ms": "ms after the stimulus",
    "time": "s from the start of the recording",
    "percent_of_baseline": "% of the mean slope of the baseline",
}


def slope_unit(slope_sign: str) -> str:
    """The slope's unit with its sign convention stated."""
    if slope_sign == "magnitude":
        return "mV/ms (magnitude: positive in the direction of the response)"
    return "mV/ms (signed: negative for a negative-going field)"


@dataclass(frozen=True)
class SweepTable:
    """One row per measured sweep, columns of shape ``(n,)``; SI units (V, V/s, s).

    ``slope_window`` is ``(n, 2)`` [s after the stimulus]; ``flag`` is ``""`` for a good sweep.
    ``time`` is the sweep's stimulus time from the start of the recording [s] (NaN if unknown).
    ``pathway`` is the interleaved pathway of each sweep (0 with one pathway);
    ``percent_of_baseline`` the slope as % of its series' baseline (NaN until summarised).
    ``placements`` records where each (file, channel, group, pathway, kind) was measured, so a
    run can be repeated exactly; ``slope_sign`` is the convention of ``fepsp_slope``.
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
    pathway: NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    percent_of_baseline: FloatArray = field(default_factory=lambda: np.zeros(0))
    placements: tuple[dict[str, Any], ...] = ()
    slope_sign: str = "signed"

    def __post_init__(self) -> None:
        n = len(self)
        if self.pathway.shape != (n,):
            object.__setattr__(self, "pathway", np.zeros(n, dtype=np.intp))
        if self.percent_of_baseline.shape != (n,):
            object.__setattr__(self, "percent_of_baseline", np.full(n, np.nan))

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
                    "pathway": int(self.pathway[k]),
                    "sweep": int(self.sweep[k]),
                    "time": _number(self.time[k]),
                    "fepsp_slope": _number(self.fepsp_slope[k]),
                    "fepsp_amplitude": _number(self.fepsp_amplitude[k] * 1e3),
                    "fiber_volley_amplitude": _number(self.fiber_volley_amplitude[k] * 1e3),
                    "percent_of_baseline": _number(self.percent_of_baseline[k]),
                    "slope_window_ms": (
                        None if not np.isfinite(window).all() else [*(window * 1e3).tolist()]
                    ),
                    "flag": str(self.flag[k]),
                }
            )
        return out

    def columns(self) -> dict[str, Any]:
        """The per-row columns (every field of shape ``(n,)`` or ``(n, 2)``)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _META}

    def select(self, mask: NDArray[np.bool_]) -> SweepTable:
        """The rows where ``mask`` is true."""
        values = {name: values[mask] for name, values in self.columns().items()}
        return replace(self, **values)

    def with_values(self, **columns: Any) -> SweepTable:
        """A copy with some columns replaced."""
        return replace(self, **columns)


_META = ("group_names", "placements", "slope_sign")


def concatenate_tables(tables: list[SweepTable]) -> SweepTable:
    """Rows of several tables in order (same slope sign convention)."""
    names = {k: v for t in tables for k, v in t.group_names.items()}
    values = {
        name: np.concatenate([t.columns()[name] for t in tables]) for name in tables[0].columns()
    }
    placements = tuple(p for t in tables for p in t.placements)
    return SweepTable(
        **values, group_names=names, placements=placements, slope_sign=tables[0].slope_sign
    )


def _number(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None

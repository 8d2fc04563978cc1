"""Experiments across slices: per-slice LTP and time courses pooled by condition and pathway.

Each slice contributes one value per pathway role (``test``, ``control``): its LTP (mean slope
50-60 min after induction as % of the 10 min before) and its binned time course (% of
baseline). Groups (condition x role) are summarised as mean +- SEM over slices (n = slices,
analysis_conventions.md 4b-4d); conditions are compared with Welch's t test on the test
pathway, and within a condition the test and control pathways of the same slices with a paired
t test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from synpharm.analysis.statistics import describe, paired_t_test, welch_t_test

__all__ = ["SliceResult", "compare_groups", "group_time_courses", "summarise_groups"]


@dataclass(frozen=True)
class SliceResult:
    """One slice's pathway: LTP [%] and binned time course (minutes from induction, %)."""

    slice: str
    condition: str
    role: str
    ltp_percent: float
    time_min: NDArray[np.float64]
    percent: NDArray[np.float64]


def _value(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _groups(results: list[SliceResult]) -> dict[tuple[str, str], list[SliceResult]]:
    out: dict[tuple[str, str], list[SliceResult]] = {}
    for r in results:
        out.setdefault((r.condition, r.role), []).append(r)
    return out


def summarise_groups(results: list[SliceResult]) -> list[dict[str, Any]]:
    """Mean, SEM and n (slices) of LTP per (condition, role), in order of appearance."""
    out = []
    for (condition, role), members in _groups(results).items():
        mean, sem, n = describe([m.ltp_percent for m in members])
        out.append(
            {
                "condition": condition,
                "role": role,
                "ltp_percent": _value(mean),
                "sem": _value(sem),
                "n": n,
                "slices": [m.slice for m in members],
                "values": [_value(m.ltp_percent) for m in members],
            }
        )
    return out


def group_time_courses(results: list[SliceResult]) -> list[dict[str, Any]]:
    """Mean +- SEM over slices of the binned time courses of each (condition, role).

    Bins are matched by their time; a bin missing in a slice counts as NaN for that slice.
    """
    out = []
    for (condition, role), members in _groups(results).items():
        grid = np.unique(np.round(np.concatenate([m.time_min for m in members]), 9))
        values = np.full((len(members), grid.size), np.nan)
        for k, m in enumerate(members):
            values[k, np.searchsorted(grid, np.round(m.time_min, 9))] = m.percent
        stats = [describe(values[:, j]) for j in range(grid.size)]
        out.append(
            {
                "condition": condition,
                "role": role,
                "time_min": grid.tolist(),
                "mean": [s[0] for s in stats],
                "sem": [s[1] for s in stats],
                "n": [s[2] for s in stats],
            }
        )
    return out


def compare_groups(results: list[SliceResult], test_role: str = "test") -> list[dict[str, Any]]:
    """Welch t tests of LTP between each condition and the first (``test_role`` pathway), and
    paired t tests of test vs control pathway within each condition (same slices)."""
    groups = _groups(results)
    conditions = list(dict.fromkeys(r.condition for r in results))
    tests = []
    reference = [m.ltp_percent for m in groups.get((conditions[0], test_role), [])]
    for condition in conditions[1:]:
        other = [m.ltp_percent for m in groups.get((condition, test_role), [])]
        t, p = welch_t_test(other, reference)
        tests.append(
            {
                "test": "Welch t test",
                "compares": f"{condition} vs {conditions[0]} ({test_role} pathway)",
                "t": _value(t),
                "p": _value(p),
                "n": [len(other), len(reference)],
            }
        )
    for condition in conditions:
        control = {m.slice: m.ltp_percent for m in groups.get((condition, "control"), [])}
        pairs = [
            (m.ltp_percent, control[m.slice])
            for m in groups.get((condition, test_role), [])
            if m.slice in control
        ]
        if len(pairs) < 2:
            continue
        a, b = (np.array(v) for v in zip(*pairs, strict=True))
        t, p = paired_t_test(a, b)
        tests.append(
            {
                "test": "paired t test",
                "compares": f"{test_role} vs control pathway in {condition}",
                "t": _value(t),
                "p": _value(p),
                "n": [len(pairs)],
            }
        )
    return tests

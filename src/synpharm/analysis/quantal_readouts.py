"""Readouts of single-cell recordings: IPSC/EPSP amplitude, paired pulses, quantal analysis.

Computed from the measured amplitudes of each virtual cell (a :class:`ResponseTable`), never from
model internals. Windows follow the slice conventions of :mod:`synpharm.analysis.readouts`: the
pre-drug
baseline is the last 5 min before wash-in and the drug effect the last 5 min of the recording.
Quantal analysis needs many sweeps, so it uses every test sweep before wash-in (``pre_drug``) and
every test sweep from 10 min after wash-in onset (bath exchanged and effect at steady state) to
the end (``drug``).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np

from synpharm.analysis.quantal import QuantalAnalysis, quantal_analysis
from synpharm.analysis.readouts import (
    DRUG_BASELINE,
    MINUTE,
    assemble_conditions,
    paired_pulse_pairs,
)
from synpharm.analysis.results import ConditionResult, Readout, ResponseTable

__all__ = [
    "DRUG_SETTLING",
    "QUANTAL_READOUTS",
    "cell_readouts",
    "condition_readouts",
    "quantal_summary",
    "quantal_windows",
]

#: Time after wash-in onset [s] before sweeps count for the quantal analysis of the drug effect.
DRUG_SETTLING = 10 * MINUTE

#: Readout name -> (estimator, attribute of its estimate).
QUANTAL_READOUTS = {
    "quantal_content_failures": ("failures", "quantal_content"),
    "quantal_size_failures": ("failures", "quantal_size"),
    "quantal_content_cv": ("variance_mean", "quantal_content"),
    "quantal_size_cv": ("variance_mean", "quantal_size"),
}


def _window(table: ResponseTable, start: float, end: float, kind: str = "test") -> np.ndarray:
    return (table.kind == kind) & (table.time >= start) & (table.time < end)


def _mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    if not mask.any():
        return np.full(values.shape[0], np.nan)
    return values[:, mask].mean(axis=1)


def _ratio_percent_change(after: np.ndarray, before: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * after / before - 100.0


def _paired_pulse_ratio(table: ResponseTable, after: float | None) -> dict[str, np.ndarray]:
    """Per-cell PPR = mean second amplitude / mean first amplitude over the counted pairs.

    The ratio of means, not the mean of per-pair ratios: with failures and noise a single
    first response can be near zero, and averaging per-pair ratios biases PPR upward (Kim &
    Alger 2001 J Neurosci 21:9608). Pairs are counted as in :mod:`synpharm.analysis.readouts`: with
    a
    drug, only pairs from its onset on (unless all precede it); ``ppr`` pools the counted pairs,
    ``ppr_<N>ms`` the pairs of each interval N [ms] when there are several intervals; the mean
    of per-pair ratios is kept as ``<name>_per_pair``.
    """
    pairs = paired_pulse_pairs(table.kind, table.time, after)
    if pairs is None:
        return {}
    first, second, groups = pairs
    a = table.amplitude
    out = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, index in groups.items():
            out[name] = a[:, second[index]].mean(axis=1) / a[:, first[index]].mean(axis=1)
            out[f"{name}_per_pair"] = np.nanmean(a[:, second[index]] / a[:, first[index]], axis=1)
    return out


def quantal_windows(
    table: ResponseTable, drug: float | None, drug_end: float | None = None
) -> dict[str, np.ndarray]:
    """Test-sweep masks for quantal analysis: ``pre_drug`` and ``drug``, or ``all``."""
    test = table.kind == "test"
    if drug is None:
        return {"all": test}
    end = math.inf if drug_end is None else drug_end
    return {
        "pre_drug": test & (table.time < drug),
        "drug": test & (table.time >= drug + DRUG_SETTLING) & (table.time < end),
    }


def cell_quantal_analyses(table: ResponseTable, mask: np.ndarray) -> list[QuantalAnalysis | None]:
    """Quantal analysis of every cell over the sweeps in ``mask`` (in display units)."""
    if np.count_nonzero(mask) < 2:
        return [None] * table.amplitude.shape[0]
    scale = table.unit_scale
    return [
        quantal_analysis(table.amplitude[c, mask] * scale, table.noise_amplitude[c, mask] * scale)
        for c in range(table.amplitude.shape[0])
    ]


def _quantal_values(analyses: list[QuantalAnalysis | None], estimator: str, attr: str):
    return np.array(
        [math.nan if a is None else getattr(getattr(a, estimator), attr) for a in analyses]
    )


def _quantal_readouts(
    table: ResponseTable, drug: float | None, drug_end: float | None
) -> dict[str, tuple[np.ndarray, str]]:
    windows = quantal_windows(table, drug, drug_end)
    analyses = {label: cell_quantal_analyses(table, mask) for label, mask in windows.items()}
    first = "pre_drug" if drug is not None else "all"
    out: dict[str, tuple[np.ndarray, str]] = {}
    for name, (estimator, attr) in QUANTAL_READOUTS.items():
        unit = "1" if attr == "quantal_content" else table.unit
        out[name] = (_quantal_values(analyses[first], estimator, attr), unit)
    if drug is not None:
        for name, (estimator, attr) in QUANTAL_READOUTS.items():
            during = _quantal_values(analyses["drug"], estimator, attr)
            out[f"{name}_change_percent"] = (_ratio_percent_change(during, out[name][0]), "%")
    return out


def cell_readouts(
    table: ResponseTable,
    drug: float | None,
    *,
    quantal: bool = False,
    drug_end: float | None = None,
) -> dict[str, tuple[np.ndarray, str]]:
    """Per-cell readout values and units for one condition.

    ``baseline_amplitude`` (pre-drug window, or all test sweeps without a drug),
    ``baseline_change_percent`` (last 5 min vs the 5 min before wash-in), ``ppr`` and
    ``ppr_<N>ms``, and with ``quantal`` the failures and variance-mean estimates of m and q
    (``quantal_content_failures``... in the pre-drug window, ``..._change_percent`` drug vs
    pre-drug window of the same cell).
    """
    amplitude = table.amplitude * table.unit_scale
    end = float(table.time.max()) + 1.0 if table.time.size else 0.0
    out: dict[str, tuple[np.ndarray, str]] = {}
    before = _window(table, drug - DRUG_BASELINE, drug) if drug is not None else None
    baseline_mask = before if before is not None else table.kind == "test"
    if baseline_mask.any():
        out["baseline_amplitude"] = (_mean(amplitude, baseline_mask), table.unit)
    if before is not None:
        late = _window(table, end - DRUG_BASELINE, end)
        out["baseline_change_percent"] = (
            _ratio_percent_change(_mean(amplitude, late), _mean(amplitude, before)),
            "%",
        )
    for name, ratio in _paired_pulse_ratio(table, drug).items():
        out[name] = (ratio, "1")
    if quantal:
        out.update(_quantal_readouts(table, drug, drug_end))
    return out


def condition_readouts(
    conditions,
    drug: float | None,
    trace_time: np.ndarray,
    *,
    quantal: bool = False,
    drug_end: float | None = None,
) -> list[ConditionResult]:
    """Readouts (mean, SEM, n, Welch test vs control) and example traces per condition.

    ``conditions`` is a list of ``(Condition, ResponseTable, example_traces)``.
    """
    values = [
        cell_readouts(table, drug, quantal=quantal, drug_end=drug_end) for _, table, _ in conditions
    ]
    return assemble_conditions(conditions, values, trace_time)


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _estimator_summary(analyses: list[QuantalAnalysis | None], estimator: str, unit: str):
    estimates = [getattr(a, estimator) for a in analyses if a is not None]
    reasons = Counter(e.reason for e in estimates if not e.estimable)
    m = np.array([e.quantal_content for e in estimates], dtype=float)
    q = np.array([e.quantal_size for e in estimates], dtype=float)
    return {
        "quantal_content_mean": _finite_or_none(np.nanmean(m)) if np.isfinite(m).any() else None,
        "quantal_size_mean": _finite_or_none(np.nanmean(q)) if np.isfinite(q).any() else None,
        "quantal_size_unit": unit,
        "cells_estimable": int(sum(e.estimable for e in estimates)),
        "cells_not_estimable": dict(sorted(reasons.items())),
    }


def _window_summary(table: ResponseTable, mask: np.ndarray) -> dict[str, Any]:
    analyses = cell_quantal_analyses(table, mask)
    m_ratio = np.array([math.nan if a is None else a.content_ratio for a in analyses])
    q_ratio = np.array([math.nan if a is None else a.size_ratio for a in analyses])
    return {
        "sweeps_per_cell": int(np.count_nonzero(mask)),
        "failures": _estimator_summary(analyses, "failures", table.unit),
        "variance_mean": _estimator_summary(analyses, "variance_mean", table.unit),
        "agreement": {
            "quantal_content_failures_over_cv_mean": _finite_or_none(_nanmean(m_ratio)),
            "quantal_size_failures_over_cv_mean": _finite_or_none(_nanmean(q_ratio)),
            "cells_compared": int(np.isfinite(m_ratio).sum()),
        },
    }


def _nanmean(values: np.ndarray) -> float:
    return float(np.nanmean(values)) if np.isfinite(values).any() else math.nan


def _changes(readouts: dict[str, Readout]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for estimator, suffix in (("failures", "failures"), ("variance_mean", "cv")):
        m = readouts.get(f"quantal_content_{suffix}_change_percent")
        q = readouts.get(f"quantal_size_{suffix}_change_percent")
        if m is None or q is None:
            continue
        out[estimator] = {
            "quantal_content_change_percent": _finite_or_none(m.mean),
            "quantal_size_change_percent": _finite_or_none(q.mean),
            "quantal_content_falls_more_than_size": bool(m.mean < q.mean)
            if math.isfinite(m.mean) and math.isfinite(q.mean)
            else None,
        }
    return out


def quantal_summary(
    results: list[ConditionResult], drug: float | None, drug_end: float | None = None
) -> dict[str, Any]:
    """Estimator-agreement summary for ``ExperimentResult.analyses["quantal_analysis"]``.

    Per condition and window: cohort means of m and q from each estimator, how many cells each
    could estimate (and why not), and the mean failures/variance-mean ratio of m and of q; with
    a drug, the mean % change of m and q and whether m falls more than q for each estimator.
    """
    conditions = []
    for result in results:
        table = result.pulses
        if not isinstance(table, ResponseTable):
            continue
        windows = quantal_windows(table, drug, drug_end)
        conditions.append(
            {
                "condition": result.name,
                "windows": {label: _window_summary(table, m) for label, m in windows.items()},
                "drug_effect": _changes(result.readouts),
            }
        )
    return {
        "estimators": {
            "failures": "m = ln(N / N_failures), N_failures = n(amplitude <= 0) / P(noise <= 0)",
            "variance_mean": "m = mean^2 / (var - var_noise) (Poisson)",
        },
        "drug_settling_s": DRUG_SETTLING if drug is not None else None,
        "conditions": conditions,
    }

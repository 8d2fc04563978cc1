"""Readouts a paper reports, computed from the per-pulse measurements of each virtual slice.

Windows follow the slice-LTP conventions (analysis_conventions.md 4b-4c): the pre-drug baseline
is the last 5 min before wash-in, the pre-induction baseline the last 10 min before the first
train, LTP the mean of 50-60 min after induction as % of the pre-induction baseline, early LTP
the mean of 5-15 min (after post-tetanic potentiation), and LTP decay early minus late LTP
in percentage points of baseline; the plateau decay is 30-40 min minus 50-60 min (after
short-term potentiation has decayed). Post-tetanic readouts are anchored at the END of induction
(the last train pulse): the first minute after it, its first test pulse, and 5-10 min after it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from synpharm.analysis.fitting import fit_hill
from synpharm.analysis.input_output import input_output_readouts, population_spike_readouts
from synpharm.analysis.results import ConditionResult, PulseTable, Readout
from synpharm.analysis.statistics import welch_t_test

MINUTE = 60.0
DRUG_BASELINE = 5 * MINUTE
INDUCTION_BASELINE = 10 * MINUTE
LTP_WINDOW = (50 * MINUTE, 60 * MINUTE)
EARLY_LTP_WINDOW = (5 * MINUTE, 15 * MINUTE)
#: the LTP plateau once short-term potentiation has decayed (PHYS-STP-1: STP decays to the
#: plateau within 5-30 min), for stability read as plateau minus the LTP window
PLATEAU_LTP_WINDOW = (30 * MINUTE, 40 * MINUTE)
EXAMPLE_POST_WINDOW = 10 * MINUTE
#: windows after the END of induction [s]: post-tetanic potentiation and its decay
POST_TETANIC_WINDOW = (0.0, 1 * MINUTE)
POST_TETANIC_DECAYED_WINDOW = (5 * MINUTE, 10 * MINUTE)


def _window_mean(
    table: PulseTable, values: np.ndarray, start: float, end: float, kind: str = "test"
) -> np.ndarray:
    mask = (table.kind == kind) & (table.time >= start) & (table.time < end)
    if not mask.any():
        return np.full(values.shape[0], np.nan)
    with np.errstate(invalid="ignore"):
        return np.nanmean(values[:, mask], axis=1)


def reference_windows(
    table: PulseTable, induction: float | None, drug: float | None
) -> dict[str, tuple[float, float]]:
    """Named time windows [s] used by the readouts and the example traces."""
    end = float(table.time.max()) + 1.0 if table.time.size else 0.0
    windows: dict[str, tuple[float, float]] = {}
    if drug is not None:
        windows["pre_drug"] = (drug - DRUG_BASELINE, drug)
    if induction is not None:
        windows["pre_induction"] = (induction - INDUCTION_BASELINE, induction)
        windows["ltp"] = (induction + LTP_WINDOW[0], induction + LTP_WINDOW[1])
        windows["post"] = (end - EXAMPLE_POST_WINDOW, end)
    elif drug is not None:
        windows["drug_end"] = (end - DRUG_BASELINE, end)
    if not windows:
        windows["all"] = (-1.0, end)
    return windows


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * a / b


def paired_pulse_pairs(
    kind: np.ndarray, time: np.ndarray, after: float | None
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]] | None:
    """The counted paired pulses: first and second pulse indices, and pair groups by name.

    With a drug (``after`` = drug onset [s]) only pairs from the onset on count, unless every
    pair precedes it. Group ``ppr`` holds every counted pair (positions into ``first``); when
    the pairs have more than one interval (pp2 time - pp1 time, rounded to whole ms),
    ``ppr_<N>ms`` holds the pairs of interval N. None without paired pulses.
    """
    first = np.flatnonzero(kind == "pp1")
    if first.size == 0:
        return None
    if after is not None and (time[first] >= after).any():
        first = first[time[first] >= after]
    second = first + 1
    if second[-1] >= kind.size or (kind[second] != "pp2").any():
        raise ValueError("every pp1 pulse must be followed directly by its pp2 pulse")
    groups = {"ppr": np.arange(first.size)}
    interval_ms = np.rint(1000.0 * (time[second] - time[first])).astype(np.int64)
    intervals = np.unique(interval_ms)
    if intervals.size > 1:
        for interval in intervals:
            groups[f"ppr_{interval}ms"] = np.flatnonzero(interval_ms == interval)
    return first, second, groups


def _paired_pulse_ratio(table: PulseTable, after: float | None) -> dict[str, np.ndarray]:
    """Per-slice paired-pulse ratios: mean second / mean first fEPSP slope over the pairs.

    The ratio of means, not the mean of per-pair ratios, which blows up when a first response
    is small (Kim & Alger 2001 J Neurosci 21:9608); the mean of per-pair ratios is kept as
    ``<name>_per_pair``. Pairs and groups as in :func:`paired_pulse_pairs`. Empty without
    paired pulses.
    """
    pairs = paired_pulse_pairs(table.kind, table.time, after)
    if pairs is None:
        return {}
    first, second, groups = pairs
    a, b = table.fepsp_slope[:, first], table.fepsp_slope[:, second]
    out = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, index in groups.items():
            out[name] = np.nanmean(b[:, index], axis=1) / np.nanmean(a[:, index], axis=1)
            out[f"{name}_per_pair"] = np.nanmean(b[:, index] / a[:, index], axis=1)
    return out


def _post_tetanic(
    table: PulseTable, slope: np.ndarray, before: np.ndarray, end: float
) -> dict[str, tuple[np.ndarray, str]]:
    """Readouts anchored at the end of induction ``end`` [s], % of the pre-induction mean.

    ``post_tetanic_percent``: mean of the test pulses in the first minute after the last train
    pulse; ``post_tetanic_first_percent``: the first test pulse after it;
    ``post_tetanic_5_10min_percent``: mean of 5-10 min after it.
    """
    after = np.flatnonzero((table.kind == "test") & (table.time > end))
    first = _ratio(slope[:, after[0]], before) if after.size else np.full(before.shape, np.nan)
    windows = {"post_tetanic_percent": POST_TETANIC_WINDOW,
               "post_tetanic_5_10min_percent": POST_TETANIC_DECAYED_WINDOW}
    out = {name: (_ratio(_window_mean(table, slope, end + a, end + b), before), "%")
           for name, (a, b) in windows.items()}
    out["post_tetanic_first_percent"] = (first, "%")
    return out


def _nmda_readouts(
    table: PulseTable, pre_drug: tuple[float, float], late: tuple[float, float]
) -> dict[str, tuple[np.ndarray, str]]:
    """Isolated NMDA responses around a drug (simulated recordings with ``nmda_conductance``).

    ``nmda_first_percent``: the first test pulse at or after the drug onset as % of the pre-drug
    mean (after a wash-in without stimulation, the first stimulus in the drug: how much block
    developed without openings); ``nmda_change_percent``: the ``late`` window against the
    pre-drug mean, as ``baseline_change_percent``.
    """
    values = table.nmda_conductance
    if values is None:
        return {}
    before = _window_mean(table, values, *pre_drug)
    after = np.flatnonzero((table.kind == "test") & (table.time >= pre_drug[1]))
    first = values[:, after[0]] if after.size else np.full(values.shape[0], np.nan)
    change = _ratio(_window_mean(table, values, *late), before) - 100.0
    return {"nmda_first_percent": (_ratio(first, before), "%"),
            "nmda_change_percent": (change, "%")}


def _area_readouts(
    table: PulseTable, pre_drug: tuple[float, float], late: tuple[float, float]
) -> dict[str, tuple[np.ndarray, str]]:
    """fEPSP area around a drug (sweeps with ``fepsp_area``): ``baseline_fepsp_area`` (pre-drug
    mean [mV ms]) and ``area_change_percent`` (``late`` window against it, as
    ``baseline_change_percent`` reads the slope)."""
    values = table.fepsp_area
    if values is None:
        return {}
    before = _window_mean(table, values, *pre_drug)
    change = _ratio(_window_mean(table, values, *late), before) - 100.0
    return {"baseline_fepsp_area": (before * 1e6, "mV ms"),
            "area_change_percent": (change, "%")}


def slice_readouts(
    table: PulseTable, induction: float | None, drug: float | None,
    induction_end: float | None = None,
) -> dict[str, tuple[np.ndarray, str]]:
    """Per-slice readout values and units for one condition.

    With ``induction_end`` (time of the last train pulse [s]) the post-tetanic readouts of
    :func:`_post_tetanic` are added. Paired pulses give ``ppr`` (ratio of mean slopes) and,
    for protocols with several inter-pulse intervals, one ``ppr_<N>ms`` per interval N [ms],
    each with the mean of per-pair ratios as ``..._per_pair`` (see :func:`_paired_pulse_ratio`).
    Input-output pulses and a somatic electrode add the readouts of
    :mod:`synpharm.analysis.input_output` (``drug_population_spike_*``: the window at the end
    of a wash-in).
    """
    w = reference_windows(table, induction, drug)
    slope = table.fepsp_slope * 1.0  # V/s == mV/ms
    out: dict[str, tuple[np.ndarray, str]] = {}
    base = "pre_drug" if "pre_drug" in w else ("pre_induction" if "pre_induction" in w else "all")
    out["baseline_fepsp_slope"] = (_window_mean(table, slope, *w[base]), "mV/ms")
    out.update(population_spike_readouts(table, w[base]))
    late = "pre_induction" if "pre_induction" in w else "drug_end"
    if "pre_drug" in w and late in w:
        out.update({name.replace("baseline_", "drug_"): value for name, value in
                    population_spike_readouts(table, w[late]).items()})
        for name, values in (
            ("baseline_change_percent", slope),
            ("fiber_volley_change_percent", table.fiber_volley_amplitude),
        ):
            before = _window_mean(table, values, *w["pre_drug"])
            out[name] = (_ratio(_window_mean(table, values, *w[late]), before) - 100.0, "%")
        out.update(_nmda_readouts(table, w["pre_drug"], w[late]))
        out.update(_area_readouts(table, w["pre_drug"], w[late]))
    if "ltp" in w:
        before = _window_mean(table, slope, *w["pre_induction"])
        late = _ratio(_window_mean(table, slope, *w["ltp"]), before)
        start = w["pre_induction"][1]  # the induction time
        early_window = (start + EARLY_LTP_WINDOW[0], start + EARLY_LTP_WINDOW[1])
        early = _ratio(_window_mean(table, slope, *early_window), before)
        out["ltp_percent"] = (late, "%")
        out["early_ltp_percent"] = (early, "%")
        out["ltp_decay_percent"] = (early - late, "%")
        plateau_window = (start + PLATEAU_LTP_WINDOW[0], start + PLATEAU_LTP_WINDOW[1])
        plateau = _ratio(_window_mean(table, slope, *plateau_window), before)
        out["ltp_plateau_decay_percent"] = (plateau - late, "%")
        if induction_end is not None:
            out.update(_post_tetanic(table, slope, before, induction_end))
    for name, ratio in _paired_pulse_ratio(table, drug).items():
        out[name] = (ratio, "1")
    out.update(input_output_readouts(table, induction))
    return out


def _control_index(conditions) -> int:
    for k, (condition, _, _) in enumerate(conditions):
        if not condition.drugs:
            return k
    return 0


def assemble_conditions(
    conditions, values: list[dict[str, tuple[np.ndarray, str]]], trace_time: np.ndarray
) -> list[ConditionResult]:
    """Condition results from per-replicate readouts, each with a Welch test against control.

    ``conditions`` is a list of ``(Condition, table, example_traces)``; ``values`` holds, per
    condition, readout name -> (per-replicate values, unit). The control is the first
    condition without drugs (else the first condition).
    """
    control = values[_control_index(conditions)]
    results = []
    for (condition, table, examples), readouts in zip(conditions, values, strict=True):
        built = {}
        for name, (per_replicate, unit) in readouts.items():
            t, p = (float("nan"), float("nan"))
            if readouts is not control and name in control:
                t, p = welch_t_test(per_replicate, control[name][0])
            built[name] = Readout(name, per_replicate, unit, t, p)
        drugs = tuple((d.compound, d.concentration) for d in condition.drugs)
        results.append(ConditionResult(condition.name, drugs, table, built, examples, trace_time))
    return results


def condition_readouts(
    conditions, induction: float | None, drug: float | None, trace_time: np.ndarray,
    induction_end: float | None = None,
) -> list[ConditionResult]:
    """Readouts (mean, SEM, n, Welch test vs control) and example traces per condition.

    ``conditions`` is a list of ``(Condition, PulseTable, example_traces)`` with example traces
    a dict label -> (n_samples,) mean sweep; ``induction_end`` [s] (last train pulse) adds the
    post-tetanic readouts.
    """
    values = [
        slice_readouts(table, induction, drug, induction_end) for _, table, _ in conditions
    ]
    return assemble_conditions(conditions, values, trace_time)


def concentration_response(results: list[ConditionResult], seed: int = 0) -> dict[str, Any]:
    """Hill fits of baseline inhibition vs concentration (single-compound series, >= 4 levels)."""
    series: dict[str, list[tuple[float, np.ndarray]]] = defaultdict(list)
    controls = [r for r in results if not r.drugs]
    for r in results:
        if len(r.drugs) == 1 and "baseline_change_percent" in r.readouts:
            series[r.drugs[0][0]].append(
                (r.drugs[0][1], r.readouts["baseline_change_percent"].values)
            )
    fits = []
    for compound, points in sorted(series.items()):
        if len({c for c, _ in points}) < 4:
            continue
        conc = np.concatenate([np.full(v.size, c) for c, v in points])
        inhibition = -np.concatenate([v for _, v in points])
        ok = np.isfinite(inhibition)
        fit = fit_hill(conc[ok] * 1e3, inhibition[ok], n_bootstrap=200, seed=seed)
        fits.append(
            {
                "compound": compound,
                "readout": "baseline_inhibition_percent",
                "ic50_uM": float(fit.ec50),
                "ic50_ci_uM": [float(fit.ec50_ci[0]), float(fit.ec50_ci[1])],
                "hill_slope": float(fit.hill_slope),
                "top_percent": float(fit.top),
                "n_concentrations": len({c for c, _ in points}),
                "control_conditions": len(controls),
            }
        )
    return {"concentration_response": fits} if fits else {}

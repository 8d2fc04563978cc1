"""Benchmark: wall time of the spine layer for a 14-day study (issue 5 acceptance, spine part).

Usage: ``.venv/bin/python benchmarks/spines.py`` (prints JSON).

Workload: 20 animals x 2 arms (saline: drive 1; ketamine-like: a transient rise of synaptic
protein and BDNF) x 14 days, mouse mPFC L5 and rat CA1 parameter sets, drives given on the grid
an in-vivo study uses (10 min for two days, hourly afterwards), imaging sessions on days 0, 1, 3,
7 and 14 and Golgi readouts at 24 h. The whole 14-day study (with the signaling layer) must take
<= 10 s; the aim for this layer is < 1 s. Best of three runs.
"""

from __future__ import annotations

import json
import time

import numpy as np

from synpharm.structure import (
    golgi_readouts,
    imaging_readouts,
    load_spine_parameters,
    simulate_spines,
)

DAY, HOUR = 86400.0, 3600.0
N_ANIMALS, SEGMENTS = 20, 6


def _grid() -> np.ndarray:
    dense = np.arange(0.0, 2 * DAY, 600.0)
    hourly = np.arange(2 * DAY, 14 * DAY + 1, HOUR)
    return np.unique(np.concatenate([dense, hourly]))


def _ketamine_like(times: np.ndarray) -> dict[str, np.ndarray]:
    hours = times / HOUR
    protein = 1.0 + 0.6 * hours / 2.0 * np.exp(1.0 - hours / 2.0)
    bdnf = 1.0 + 0.8 * hours / 1.0 * np.exp(1.0 - hours / 1.0)
    return {"synaptic_protein": protein, "bdnf": bdnf}


def _study(region: str) -> dict[str, float]:
    params = load_spine_parameters(region)
    times = _grid()
    sessions = np.array([0.0, 1.0, 3.0, 7.0, 14.0]) * DAY
    result = {}
    for arm, drive in (("saline", {}), ("ketamine_like", _ketamine_like(times))):
        population = simulate_spines(params, times, drive, N_ANIMALS, SEGMENTS, seed=1)
        imaging = imaging_readouts(population, sessions)
        golgi = golgi_readouts(population, DAY)
        result[f"{arm}_density_day14_per_10um"] = float(imaging["density_per_10um"][:, -1].mean())
        result[f"{arm}_mushroom_fraction_24h"] = float(np.nanmean(golgi["mushroom_fraction"]))
    return result


def _timed(region: str, repeats: int = 3) -> tuple[float, dict[str, float]]:
    best, outcome = float("inf"), {}
    for _ in range(repeats):
        start = time.perf_counter()
        outcome = _study(region)
        best = min(best, time.perf_counter() - start)
    return best, outcome


def main() -> None:
    load_spine_parameters("mouse_mpfc_l5")  # unit registry start-up, not part of the study
    report: dict[str, object] = {
        "workload": f"{N_ANIMALS} animals x 2 arms x 14 days x {SEGMENTS} segments, "
        "drive grid 10 min (2 d) then 1 h, 5 imaging sessions + Golgi",
    }
    for region in ("mouse_mpfc_l5", "rat_ca1_apical"):
        seconds, outcome = _timed(region)
        report[f"{region}_two_arms_14_days_s"] = round(seconds, 3)
        report[f"{region}_readouts"] = {k: round(v, 3) for k, v in outcome.items()}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

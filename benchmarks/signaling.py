"""Benchmark: wall time of the signalling layer (issue 5 acceptance: the slow subsystem uses a
stiff adaptive solver and days of simulated time cost milliseconds to a fraction of a second).

Usage: ``.venv/bin/python benchmarks/signaling.py`` (prints JSON).

Workloads (best of three runs each):

- ``single_24h``: one mouse, ketamine 10 mg/kg i.p. (mouse PK, brain), 24 h on a 5-min grid;
- ``cohort_14d``: 20 mice x 2 arms (saline, ketamine) x 14 days on the grid an in-vivo spine
  study uses (10 min for two days, hourly afterwards), one PK individual and one set of rate
  constants (20 % log-normal) per mouse, integrated as one batched system;
- ``sbml_export``: SBML export plus libsbml consistency check.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import numpy as np

from synpharm.experiments.signaling import _draw_rate_constants
from synpharm.pharmacokinetics import concentration_time_course
from synpharm.signaling import drive_from_concentrations, load_network, simulate_signaling
from synpharm.signaling._sbml import sbml_errors, to_sbml

DAY, HOUR = 86400.0, 3600.0
N_ANIMALS = 20


def _best_of_three(run: Callable[[], object]) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _grid() -> np.ndarray:
    dense = np.arange(0.0, 2 * DAY, 600.0)
    hourly = np.arange(2 * DAY, 14 * DAY + 1, HOUR)
    return np.unique(np.concatenate([dense, hourly]))


def main() -> None:
    network = load_network("synaptic_signaling")
    day = np.linspace(0.0, DAY, 289)
    single_c = concentration_time_course("ketamine", "10 mg/kg i.p.", "mouse", day, "brain")

    def single() -> None:
        simulate_signaling(network, day, drive_from_concentrations({"ketamine": single_c}, day))

    grid = _grid()
    cohort_c = concentration_time_course("ketamine", "10 mg/kg i.p.", "mouse", grid, "brain",
                                         subjects=N_ANIMALS, rng=0)
    parameters = _draw_rate_constants(network, N_ANIMALS, 0.2, np.random.default_rng(0))

    def cohort() -> None:
        simulate_signaling(network, grid, {}, parameters=parameters)
        drive = drive_from_concentrations({"ketamine": cohort_c}, grid)
        simulate_signaling(network, grid, drive, parameters=parameters)

    result = {
        "single_24h_s": _best_of_three(single),
        "cohort_14d_20x2_s": _best_of_three(cohort),
        "sbml_export_s": _best_of_three(lambda: sbml_errors(to_sbml(network))),
        "n_species": len(network.species),
        "n_reactions": len(network.reactions),
        "cohort_grid_points": int(grid.size),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

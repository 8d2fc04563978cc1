"""Benchmark: a 24-subject PAS25 crossover study (placebo vs oral baclofen 50 mg), issue 4.

Usage: ``.venv/bin/python benchmarks/pas_crossover.py`` (prints JSON). Times the library study
``pas25_baclofen_crossover`` with 24 subjects: pharmacokinetics of both sessions, GABA-B
occupancy, spine calcium of every PAS pairing, plasticity, MEP blocks and the crossover
analysis. A first, untimed run loads modules and data; the best of three timed runs is
reported. Target: <= 10 s.
"""

from __future__ import annotations

import json
import time

from synpharm.experiments import load_experiment
from synpharm.experiments import run as run_experiment
from synpharm.protocols.library import library_protocol_path

SUBJECTS = 24
TARGET_SECONDS = 10.0


def main() -> None:
    """Run the study and print the timing as JSON."""
    study = load_experiment(library_protocol_path("pas25_baclofen_crossover"))
    run_experiment(study, cohort=4, seed=0)  # warm-up: imports, parameter files
    times = []
    for _ in range(3):
        start = time.perf_counter()
        result = run_experiment(study, cohort=SUBJECTS, seed=0)
        times.append(time.perf_counter() - start)
    stats = result.analyses["crossover"]["readouts"]["mep_ratio"]
    print(json.dumps({
        "benchmark": "pas_crossover",
        "subjects": SUBJECTS,
        "arms": len(result.conditions),
        "pairs_per_session": study.schedule.pairs,
        "seconds_best_of_3": round(min(times), 3),
        "seconds_all": [round(t, 3) for t in times],
        "target_seconds": TARGET_SECONDS,
        "within_target": min(times) <= TARGET_SECONDS,
        "mep_ratio_paired_difference": stats["paired_difference"],
        "mep_ratio_paired_p": stats["paired_p"],
    }, indent=2))


if __name__ == "__main__":
    main()

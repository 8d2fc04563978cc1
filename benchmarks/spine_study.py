"""Benchmark: a whole 14-day in-vivo spine study through every layer (issue 5 acceptance).

Usage: ``.venv/bin/python benchmarks/spine_study.py`` (prints JSON).

Workload: the library study ``ket_spines_mpfc_14d`` (mouse, saline vs ketamine 10 mg/kg i.p.,
20 animals per arm x 8 dendrite segments, pharmacokinetics -> signalling -> spines, two-photon
imaging at 8 sessions from 0 h to 14 d and a Golgi cohort at 24 h). Wall time of
``run_experiment(study)``, best of three after one warm-up run (imports and compilation
excluded); the
acceptance limit is 10 s for 20 animals x 2 arms. Also reported: the imaging-only variant
(no Golgi cohort).
"""

from __future__ import annotations

import json
import time

from synpharm.experiments import load_experiment, study_from_dict
from synpharm.protocols.library import library_protocol_path


def _best_of(run, repeats: int = 3) -> float:
    run()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    path = library_protocol_path("ket_spines_mpfc_14d")
    study = load_experiment(path)
    imaging_only = study_from_dict({k: v for k, v in study.to_dict().items() if k != "golgi"})
    report = {
        "study": study.name,
        "arms": len(study.arms),
        "animals_per_arm": study.cohort,
        "segments_per_animal": study.segments_per_animal,
        "days": 14,
        "seconds_full_study": round(_best_of(study.run), 3),
        "seconds_imaging_only": round(_best_of(imaging_only.run), 3),
        "limit_seconds": 10.0,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

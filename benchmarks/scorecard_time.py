"""Benchmark: the whole scorecard (issue 13: <= 60 s at one seed), the cost of every experiment.

Usage: ``.venv/bin/python benchmarks/scorecard_time.py [--seeds N] [--jobs J]`` (prints JSON).
Runs both shipped targets files (``PACKAGE_TARGET_FILES``, as ``synpharm validate``). The
kernels are compiled (or loaded from numba's cache) by a warm-up run first, reported separately.
Per experiment: wall and process CPU time between the progress marks (serial run only; with
``--jobs`` > 1 only the total is meaningful). The load average at start and end is printed:
on the shared machine wall times are inflated by other processes.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from synpharm.validation import PACKAGE_TARGET_FILES, load_targets, run_targets


def _warm_up(sets) -> float:
    start = time.perf_counter()
    run_targets(sets, only=["PHYS-MK801-1"])  # compiles (or loads) the CA1 kernels
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    sets = [load_targets(path) for path in PACKAGE_TARGET_FILES]
    warm_up = _warm_up(sets)
    load_start = os.getloadavg()
    marks: list[tuple[str, float, float]] = []

    def mark(label: str) -> None:
        marks.append((label, time.perf_counter(), time.process_time()))

    options = {"jobs": args.jobs} if args.jobs > 1 else {}
    start, cpu0 = time.perf_counter(), time.process_time()
    times0 = os.times()
    scorecard = run_targets(sets, progress=mark, seeds=args.seeds, **options)
    total, cpu = time.perf_counter() - start, time.process_time() - cpu0
    times1 = os.times()
    ends = [(t, c) for _, t, c in marks[1:]] + [(start + total, cpu0 + cpu)]
    per = sorted(((label, round(e - t, 2), round(ec - c, 2))
                  for (label, t, c), (e, ec) in zip(marks, ends, strict=True)),
                 key=lambda r: -r[1])
    report = {
        "warm_up_including_compilation_s": round(warm_up, 2),
        "scorecard_wall_s": round(total, 2),
        "scorecard_cpu_s": round(cpu, 2),
        "children_cpu_s": round(times1.children_user + times1.children_system
                                - times0.children_user - times0.children_system, 2),
        "load_average_start": load_start,
        "load_average_end": os.getloadavg(),
        "numba_threads": os.environ.get("NUMBA_NUM_THREADS", "default"),
        "experiments_wall_cpu_s": per if args.jobs == 1 else None,
        "summary": {k: v for k, v in scorecard.summary().items() if k != "pass_fractions"},
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

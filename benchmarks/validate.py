"""Benchmark: wall time of the whole validation scorecard (issue 3 acceptance: <= 60 s).

Usage: ``.venv/bin/python benchmarks/validate.py`` (prints JSON). Compilation of the kernels
(cached on disk after the first run) is triggered first and reported separately; the scorecard
time is one full ``run_targets`` over the shipped targets, with the time of every experiment.
"""

from __future__ import annotations

import json
import resource
import time

from synpharm.validation import PACKAGE_TARGETS, load_targets, run_targets


def main() -> None:
    targets = load_targets(PACKAGE_TARGETS)
    start = time.perf_counter()
    run_targets([targets], only=["LIT-KET-2"])  # compiles (or loads) the CA1 kernels
    warm_up = time.perf_counter() - start

    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    scorecard = run_targets(
        [targets], progress=lambda label: marks.append((label, time.perf_counter()))
    )
    total = time.perf_counter() - start
    ends = [t for _, t in marks[1:]] + [start + total]
    report = {
        "warm_up_including_compilation_s": round(warm_up, 2),
        "scorecard_s": round(total, 2),
        "experiments_s": {
            label: round(end - t, 2) for (label, t), end in zip(marks, ends, strict=True)
        },
        "summary": scorecard.summary(),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

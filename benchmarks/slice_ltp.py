"""Benchmark: wall time and peak memory of the slice-LTP experiments (issue 2 acceptance).

Usage: ``.venv/bin/python benchmarks/slice_ltp.py`` (prints JSON). The first call compiles the
kernels (cached on disk afterwards); the timings exclude it and report it separately.

Targets on a 2-core machine: one condition x 12 slices x the full protocol (20 min baseline,
20 min wash-in, 3 trains, 60 min) <= 2 s; the ketamine series (8 conditions x 12 slices) <= 15 s;
peak memory < 2 GB.
"""

from __future__ import annotations

import json
import resource
import time
from dataclasses import replace

from synpharm.experiments.slice import run_protocol
from synpharm.protocols import Protocol
from synpharm.protocols.library import LIBRARY as EXAMPLES


def _timed(protocol: Protocol, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run_protocol(protocol)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    series = Protocol.from_toml(EXAMPLES / "ketamine_slice_ltp.toml")
    single = replace(series, conditions=series.conditions[3:4])  # ketamine 10 uM
    start = time.perf_counter()
    run_protocol(single)
    first_call = time.perf_counter() - start
    report = {
        "first_call_including_compilation_s": round(first_call, 2),
        "one_condition_12_slices_full_protocol_s": round(_timed(single), 3),
        "ketamine_series_8x12_s": round(_timed(series, repeats=2), 3),
        "peak_memory_MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

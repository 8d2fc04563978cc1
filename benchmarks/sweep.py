"""Benchmark: a sweep in-process and on a Dask LocalCluster (issue 7 part 4 acceptance).

Usage: ``.venv/bin/python benchmarks/sweep.py [SWEEP.toml] [--workers N]`` (prints JSON).
Default sweep: ``examples/sweeps/baclofen_three_protocols.toml`` (8 baclofen concentrations +
control x 3 library protocols x 12 slices = 27 chunks).

Runs the sweep into two fresh stores, in this process and on a ``LocalCluster`` of N workers
(default 2), then re-runs the in-process one (every chunk reused) and reports the wall times,
the chunks computed, and whether the two combined tables are byte-identical. Kernels are
compiled (or loaded from the cache) by a warm-up chunk first, outside the timings.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from synpharm.sweep import (
    ChunkStore,
    combined_table,
    load_sweep,
    plan_chunks,
    run_chunk,
    run_sweep,
    table_csv,
)

DEFAULT = Path(__file__).resolve().parents[1] / "examples" / "sweeps"
DEFAULT_SWEEP = DEFAULT / "baclofen_three_protocols.toml"


def _timed_run(sweep, store: ChunkStore, **options) -> tuple[float, int]:
    start = time.perf_counter()
    run = run_sweep(sweep, store, **options)
    return time.perf_counter() - start, len(run.computed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep", nargs="?", type=Path, default=DEFAULT_SWEEP)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sweep = load_sweep(args.sweep)
    chunks = plan_chunks(sweep)
    start = time.perf_counter()
    run_chunk(chunks[0].task)
    warm_up = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        here, cluster = ChunkStore(Path(folder) / "here"), ChunkStore(Path(folder) / "cluster")
        here_s, here_n = _timed_run(sweep, here)
        cluster_s, cluster_n = _timed_run(sweep, cluster, workers=args.workers)
        rerun_s, rerun_n = _timed_run(sweep, here)
        a, b = combined_table(chunks, here), combined_table(chunks, cluster)
        chunk_times = [here.metadata(c.key)["elapsed_s"] for c in chunks]
        report = {
            "sweep": sweep.name,
            "chunks": len(chunks),
            "slices_per_condition": list(sweep.cohorts),
            "rows": a.num_rows,
            "warm_up_chunk_s": round(warm_up, 2),
            "in_process_s": round(here_s, 2),
            "in_process_chunks_computed": here_n,
            f"local_cluster_{args.workers}_workers_s": round(cluster_s, 2),
            "local_cluster_chunks_computed": cluster_n,
            "rerun_all_reused_s": round(rerun_s, 2),
            "rerun_chunks_computed": rerun_n,
            "chunk_s_min_median_max": [
                round(min(chunk_times), 3),
                round(sorted(chunk_times)[len(chunk_times) // 2], 3),
                round(max(chunk_times), 3),
            ],
            "tables_identical": a.equals(b) and table_csv(a) == table_csv(b),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""A sweep on a Dask LocalCluster of 2 workers: identical tables; a killed worker is survived."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil
import pytest

from synpharm.sweep import ChunkStore, combined_table, run_sweep, table_csv


def _worker_processes() -> list[psutil.Process]:
    """Dask worker processes started by this process (multiprocessing spawn children)."""
    return [
        p
        for p in psutil.Process().children(recursive=True)
        if any("spawn_main" in part for part in p.cmdline())
    ]


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    except psutil.NoSuchProcess:
        return True


@pytest.mark.slow
def test_local_cluster_gives_identical_tables_and_survives_a_killed_worker(
    tmp_path: Path, tiny_reference
):
    sweep = tiny_reference.sweep
    store = ChunkStore(tmp_path / "store")
    killed: list[int] = []
    stored_after_kill: list[str] = []

    def kill_one_worker(chunk, computed):
        if killed:
            stored_after_kill.append(chunk.key)
            return
        workers = _worker_processes()
        assert len(workers) == 2
        killed.append(workers[0].pid)
        os.kill(workers[0].pid, signal.SIGKILL)

    run = run_sweep(sweep, store, workers=2, on_chunk=kill_one_worker)
    assert run.executor == "local-cluster:2"
    assert killed and _gone(killed[0])
    assert stored_after_kill, "the sweep went on after the worker was killed"
    assert sorted(run.computed) == sorted(c.key for c in run.chunks)
    ours = combined_table(run.chunks, store)
    reference = combined_table(run.chunks, tiny_reference.store)
    assert ours.equals(reference)
    assert table_csv(ours) == table_csv(reference)
    assert _worker_processes() == []

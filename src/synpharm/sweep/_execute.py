"""Run the chunks of a sweep that the store does not have: in this process or on Dask.

The process that calls :func:`run_sweep` is the only writer of the store: results come back
from the workers and are written one chunk at a time as they arrive. Killing a worker makes
Dask run its chunk elsewhere; killing the whole run loses only the chunks in progress, and the
next run computes just the missing ones.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synpharm.errors import InputError
from synpharm.sweep._chunk import Chunk, ChunkResult, plan_chunks, run_chunk
from synpharm.sweep._spec import Sweep
from synpharm.sweep._store import ChunkStore, host

__all__ = ["SweepRun", "run_sweep"]

#: called after each chunk is stored, with the chunk and whether it was computed (not reused)
ChunkCallback = Callable[[Chunk, bool], None]


@dataclass(frozen=True)
class SweepRun:
    """What one run of a sweep did.

    Attributes
    ----------
    chunks
        Every chunk of the sweep, in grid order.
    computed, reused
        Keys computed in this run and keys found finished in the store.
    wall_time
        Wall time of the run [s] (planning, simulation and storage; not the assembly).
    executor
        ``"in-process"``, ``"local-cluster:N"`` or ``"scheduler:ADDRESS"``.
    """

    chunks: list[Chunk]
    computed: list[str]
    reused: list[str]
    wall_time: float
    executor: str


def run_sweep(
    sweep: Sweep,
    store: ChunkStore | str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = False,
    on_chunk: ChunkCallback | None = None,
) -> SweepRun:
    """Compute every chunk of ``sweep`` that ``store`` lacks.

    Parameters
    ----------
    sweep
        The sweep (:func:`synpharm.sweep.load_sweep`).
    store
        The results store (a folder).
    scheduler
        Address of a Dask distributed scheduler (``tcp://host:8786``); its workers must be able
        to import synpharm. Results return to this process, which writes the store.
    workers
        Start a ``LocalCluster`` of this many worker processes (one thread each).
    progress
        Show a progress bar with ETA on stderr.
    on_chunk
        Called with each chunk once it is in the store (tests, custom reporting).

    Returns
    -------
    SweepRun
        Which chunks were computed and which were reused.
    """
    start = time.perf_counter()
    store = store if isinstance(store, ChunkStore) else ChunkStore(store)
    executor = _executor_name(scheduler, workers)
    chunks = plan_chunks(sweep)
    store.remove_stale_temporaries()
    store.write_manifest(manifest(sweep, chunks))
    done = store.finished(c.key for c in chunks)
    todo = _unique([c for c in chunks if c.key not in done])
    reused = sorted(done)
    computed: list[str] = []
    record = {"started_at": _now(), "executor": executor, "host": host()}
    try:
        with _progress_bar(len(chunks), len(chunks) - len(todo), progress) as advance:

            def stored(chunk: Chunk, result: ChunkResult) -> None:
                store.write(chunk, result)
                computed.append(chunk.key)
                advance()
                if on_chunk is not None:
                    on_chunk(chunk, True)

            if scheduler is None and workers is None:
                _run_here(todo, stored)
            else:
                _run_on_dask(todo, stored, scheduler, workers)
    finally:
        finished = len(computed) == len(todo)
        store.log_run({**record, "finished_at": _now(), "complete": finished,
                       "computed": computed, "reused": reused})  # fmt: skip
    return SweepRun(chunks, computed, reused, time.perf_counter() - start, executor)


def manifest(sweep: Sweep, chunks: Sequence[Chunk]) -> dict[str, Any]:
    """The store's ``manifest.json``: the sweep's grid and the coordinates of every chunk."""
    from synpharm._version import __version__

    return {
        "format": 1,
        "sweep": sweep.name,
        "description": sweep.description,
        "synpharm": __version__,
        "protocols": {e.label: e.protocol.to_dict() for e in sweep.protocols},
        "parameter_sets": {p.name: dict(p.values) for p in sweep.parameter_sets},
        "seeds": list(sweep.seeds),
        "cohorts": list(sweep.cohorts),
        "chunks": [c.labels() for c in chunks],
    }


def _executor_name(scheduler: str | None, workers: int | None) -> str:
    if scheduler is not None and workers is not None:
        raise InputError(
            "--workers", "cannot be combined with --scheduler", "give one of the two options"
        )
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        raise InputError("--workers", f"must be at least 1, got {workers}", "give e.g. 2")
    if scheduler is not None and not scheduler.strip():
        raise InputError("--scheduler", "is empty", "give an address such as tcp://host:8786")
    if scheduler is not None:
        return f"scheduler:{scheduler}"
    return "in-process" if workers is None else f"local-cluster:{workers}"


def _unique(chunks: list[Chunk]) -> list[Chunk]:
    """Chunks with distinct keys (two grid cells with identical inputs are computed once)."""
    seen: set[str] = set()
    out = []
    for chunk in chunks:
        if chunk.key not in seen:
            seen.add(chunk.key)
            out.append(chunk)
    return out


def _run_here(todo: list[Chunk], stored: Callable[[Chunk, ChunkResult], None]) -> None:
    with _one_kernel_thread():
        for chunk in todo:
            stored(chunk, run_chunk(chunk.task))


@contextmanager
def _one_kernel_thread() -> Iterator[None]:
    """Run numba's parallel loops on one thread while the sweep runs, as in the Dask workers.

    A chunk of 12 slices is too small to gain from threads: on the 2-core reference machine,
    with other work running, one thread per chunk was 2-10x faster than two (benchmarks/sweep.py).
    Results do not depend on the thread count (tested: in-process and LocalCluster tables are
    identical). The previous setting is restored afterwards.
    """
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def _run_on_dask(
    todo: list[Chunk],
    stored: Callable[[Chunk, ChunkResult], None],
    scheduler: str | None,
    workers: int | None,
) -> None:
    if not todo:
        return
    from distributed import as_completed

    with _dask_client(scheduler, workers) as client:
        by_key = {f"synpharm-chunk-{c.key}": c for c in todo}
        futures = [
            client.submit(run_chunk, chunk.task, key=name, pure=False)
            for name, chunk in by_key.items()
        ]
        try:
            for future in as_completed(futures):
                stored(by_key[future.key], future.result())
                future.release()
        finally:
            client.cancel(futures)


#: worker environment: one compute thread per worker process (numba's parallel loops included)
_ONE_THREAD = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


@contextmanager
def _dask_client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, ValueError) as error:
            raise InputError(
                "--scheduler", f"cannot connect to {scheduler!r} ({error})", "check the address"
            ) from None
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never collide with a running cluster
            env=_ONE_THREAD,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@contextmanager
def _progress_bar(total: int, already: int, enabled: bool) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr (chunks done / total, elapsed, ETA); a no-op if disabled."""
    if not enabled:
        yield lambda: None
        return
    if not sys.stderr.isatty():  # a log or CI: one line every few seconds, no bar
        from synpharm.progress import LineProgress

        lines = LineProgress(total, "sweep", "chunks")
        lines.update(already)

        def advance() -> None:
            lines.update(lines.done + 1)

        yield advance
        lines.stop()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("sweep", total=total, completed=already)
        yield lambda: bar.advance(task)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

"""The results store of a sweep: one Parquet file per chunk, named by the chunk's key.

Layout of a store folder::

    chunks/<key>.parquet   per-slice readouts of one chunk (columns slice, readout, value, unit)
    manifest.json          the sweep's chunks and their grid coordinates (rewritten per run)
    runs.jsonl             one line per finished or interrupted run: chunks computed and reused

A chunk file is written to a temporary file in ``chunks/`` and renamed into place, so a chunk
file that exists is complete; a run that is killed loses at most the chunks in progress.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from synpharm.errors import InputError
from synpharm.sweep._chunk import Chunk, ChunkResult

__all__ = ["ChunkStore"]

_META_KEY = b"synpharm.chunk"


class ChunkStore:
    """A folder of chunk files (see module docstring).

    Parameters
    ----------
    root
        The store folder; created when the first file is written.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            raise InputError("--store", f"{str(self.root)!r} is not a folder", "give a folder")

    @property
    def chunk_folder(self) -> Path:
        return self.root / "chunks"

    def path(self, key: str) -> Path:
        """Where the chunk with ``key`` is (or will be) stored."""
        return self.chunk_folder / f"{key}.parquet"

    def finished(self, keys: Iterable[str]) -> set[str]:
        """The keys among ``keys`` whose chunk file exists."""
        return {key for key in keys if self.path(key).is_file()}

    def write(self, chunk: Chunk, result: ChunkResult) -> Path:
        """Store one chunk's readouts atomically (temporary file, fsync, rename)."""
        import pyarrow as pa

        names = list(result.readouts)
        cohort = chunk.cohort
        for name in names:
            if result.readouts[name][0].shape != (cohort,):
                raise ValueError(f"readout {name!r} of chunk {chunk.key} is not one per slice")
        metadata = {
            **chunk.labels(),
            "elapsed_s": round(result.elapsed, 4),
            "code": result.code,
            "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        table = pa.table(
            {
                "slice": pa.array(np.tile(np.arange(cohort, dtype=np.int32), len(names))),
                "readout": pa.array([n for n in names for _ in range(cohort)], pa.string()),
                "value": pa.array(
                    np.concatenate([result.readouts[n][0] for n in names])
                    if names
                    else np.zeros(0),
                    pa.float64(),
                ),
                "unit": pa.array([result.readouts[n][1] for n in names for _ in range(cohort)]),
            }
        ).replace_schema_metadata({_META_KEY: json.dumps(metadata).encode()})
        target = self.path(chunk.key)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.parent / f".{chunk.key}.{os.getpid()}.tmp"
        try:
            with open(temporary, "wb") as handle:
                _write_parquet(table, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return target

    def read(self, key: str):
        """The chunk table (``pyarrow.Table``: slice, readout, value, unit)."""
        import pyarrow.parquet as pq

        return pq.read_table(self.path(key))

    def metadata(self, key: str) -> dict[str, Any]:
        """What was recorded with the chunk: labels, elapsed_s, code digest, written_at."""
        import pyarrow.parquet as pq

        schema = pq.read_schema(self.path(key))
        return json.loads((schema.metadata or {}).get(_META_KEY, b"{}"))

    def remove_stale_temporaries(self) -> None:
        """Delete temporary files left by writers that no longer run (killed mid-write)."""
        if not self.chunk_folder.is_dir():
            return
        for path in self.chunk_folder.glob(".*.tmp"):
            pid = path.name.rsplit(".", 2)[-2]
            if not pid.isdigit() or not _alive(int(pid)):
                path.unlink(missing_ok=True)

    def write_manifest(self, document: dict[str, Any]) -> None:
        """Write ``manifest.json`` atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        _write_atomically(self.root / "manifest.json", json.dumps(document, indent=1) + "\n")

    def log_run(self, record: dict[str, Any]) -> None:
        """Append one line to ``runs.jsonl``."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "runs.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")

    def runs(self) -> list[dict[str, Any]]:
        """The records of ``runs.jsonl``, oldest first."""
        path = self.root / "runs.jsonl"
        if not path.is_file():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]


def _write_parquet(table, handle) -> None:
    import pyarrow.parquet as pq

    pq.write_table(table, handle)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def host() -> str:
    """This machine's name (recorded in run records)."""
    return socket.gethostname()

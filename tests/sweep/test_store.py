"""The results store: atomic chunk files, resuming, and a run killed midway."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from synpharm.cli.main import app
from synpharm.sweep import (
    COLUMNS,
    ChunkStore,
    combined_table,
    load_sweep,
    plan_chunks,
    run_sweep,
    table_csv,
    write_sweep_outputs,
)


def _mtimes(store: ChunkStore) -> dict[str, int]:
    return {p.stem: p.stat().st_mtime_ns for p in store.chunk_folder.glob("*.parquet")}


def test_rerun_reuses_every_chunk_and_rewrites_none(tiny_reference):
    sweep, store, first = tiny_reference.sweep, tiny_reference.store, tiny_reference.run
    keys = [c.key for c in first.chunks]
    assert sorted(first.computed) == sorted(keys) and first.reused == []
    before = _mtimes(store)
    assert sorted(before) == sorted(keys)
    second = run_sweep(sweep, store)
    assert second.computed == [] and sorted(second.reused) == sorted(keys)
    assert _mtimes(store) == before
    runs = store.runs()
    assert [len(r["computed"]) for r in runs[-2:]] == [len(keys), 0]
    assert all(r["complete"] for r in runs)
    manifest = json.loads((store.root / "manifest.json").read_text())
    assert [c["key"] for c in manifest["chunks"]] == keys


def test_combined_table_is_tidy_and_csv_is_exact(tmp_path: Path, tiny_reference):
    sweep, store, run = tiny_reference.sweep, tiny_reference.store, tiny_reference.run
    out = write_sweep_outputs(sweep, run, store, tmp_path / "out")
    table = pq.read_table(out / "readouts.parquet")
    assert tuple(table.column_names) == COLUMNS
    readouts = set(table.column("readout").to_pylist())
    assert "baseline_change_percent" in readouts
    assert table.num_rows == len(run.chunks) * 2 * len(readouts)
    rows = list(csv.DictReader((out / "readouts.csv").read_text().splitlines()))
    assert len(rows) == table.num_rows
    values = np.array([float(r["value"]) if r["value"] else np.nan for r in rows])
    np.testing.assert_array_equal(values, table.column("value").to_numpy())
    summary = json.loads((out / "summary.json").read_text())
    cells = {c["condition"]: c["readouts"] for c in summary["cells"]}
    depression = [cells[f"baclofen {c} uM"]["baseline_change_percent"]["mean"] for c in (1, 1000)]
    assert depression[1] < depression[0] < 0  # more baclofen, more depression (model output)
    assert "p_vs_control" in cells["baclofen 1000 uM"]["baseline_change_percent"]
    assert "p_vs_control" not in cells["control"]["baseline_change_percent"]
    fit = summary["concentration_response"][0]
    assert fit["compound"] == "baclofen" and fit["n_concentrations"] == 7


def test_chunk_files_are_written_atomically(tmp_path: Path, tiny_file: Path, monkeypatch):
    """A failure while writing leaves no chunk file and no temporary file."""
    import synpharm.sweep._store as store_module

    sweep = load_sweep(tiny_file)
    store = ChunkStore(tmp_path / "store")

    def broken(table, where):
        where.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(store_module, "_write_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        run_sweep(sweep, store)
    assert list(store.chunk_folder.iterdir()) == []
    assert store.runs()[-1]["complete"] is False


def test_stale_temporary_files_are_removed(tmp_path: Path):
    store = ChunkStore(tmp_path)
    store.chunk_folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    stale = store.chunk_folder / f".abc.{dead}.tmp"
    live = store.chunk_folder / f".abd.{os.getpid()}.tmp"
    stale.write_bytes(b"x")
    live.write_bytes(b"x")
    store.remove_stale_temporaries()
    assert not stale.exists() and live.exists()


def _wait_for_chunk(folder: Path, process: subprocess.Popen, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if folder.is_dir() and any(folder.glob("*.parquet")):
            return len(list(folder.glob("*.parquet")))
        time.sleep(0.005)
    return 0


def test_killed_run_loses_no_chunk_and_rerun_completes_it(
    tmp_path: Path, tiny_file: Path, tiny_reference
):
    sweep = load_sweep(tiny_file)
    keys = [c.key for c in plan_chunks(sweep)]
    store = ChunkStore(tmp_path / "store")
    cli = "from synpharm.cli.main import app; app()"
    command = [sys.executable, "-c", cli, "sweep", str(tiny_file),
               "--store", str(store.root), "--out", str(tmp_path / "out")]  # fmt: skip
    log = tmp_path / "stderr.txt"
    with log.open("wb") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            found = _wait_for_chunk(store.chunk_folder, process, timeout=300)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait()
    assert found, log.read_text()
    assert process.returncode == -signal.SIGKILL
    survived = _mtimes(store)
    assert 0 < len(survived) < len(keys), "the run must be killed midway"
    assert not (tmp_path / "out").exists()

    resumed = run_sweep(sweep, store)
    assert sorted(resumed.reused) == sorted(survived)
    assert sorted(resumed.computed) == sorted(set(keys) - set(survived))
    assert {k: v for k, v in _mtimes(store).items() if k in survived} == survived
    assert list(store.chunk_folder.glob(".*")) == []

    reference = tiny_reference.store
    assert table_csv(combined_table(resumed.chunks, store)) == table_csv(
        combined_table(resumed.chunks, reference)
    )
    assert combined_table(resumed.chunks, store).equals(combined_table(resumed.chunks, reference))


def test_cli_resumes_from_a_store_and_writes_the_results(tmp_path: Path, tiny_reference):
    store = tmp_path / "store"
    shutil.copytree(tiny_reference.store.root, store)
    out = tmp_path / "out"
    args = ["sweep", str(tiny_reference.file), "--store", str(store), "--out", str(out)]
    dry = CliRunner().invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.startswith("tiny: 8 chunks, 8 in ")
    assert not out.exists()
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    assert "8 chunks, 0 computed, 8 reused" in result.stderr
    assert json.loads(result.stdout) == json.loads((out / "summary.json").read_text())
    expected = table_csv(combined_table(tiny_reference.run.chunks, tiny_reference.store))
    assert (out / "readouts.csv").read_text() == expected


def test_progress_bar_does_not_change_the_run(tiny_reference, tmp_path: Path):
    store = tmp_path / "store"
    shutil.copytree(tiny_reference.store.root, store)
    run = run_sweep(tiny_reference.sweep, ChunkStore(store), progress=True)
    assert run.computed == [] and len(run.reused) == len(run.chunks)

"""Output folders: never destroy a user's files, replace earlier outputs only on request.

The acceptance cases of issue 17: ``mkdir d; echo x > d/keep.txt; synpharm run control_ltp
--out d`` exits 2 and ``d/keep.txt`` is intact; the same for analyze, sweep and validate
--report.
"""

from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
from robustness_helpers import assert_one_error_line, invoke, snapshot

from synpharm.safety import MANIFEST


def _recording(root: Path) -> str:
    sweeps = np.random.default_rng(0).normal(0.0, 0.01, (3, 2000))
    np.savez(root / "rec.npz", sweeps=sweeps, sampling_rate=20e3, units="mV")
    return "rec.npz"


def _command(kind: str, out: str, root: Path) -> tuple[str, ...]:
    if kind == "run":
        return ("run", "control_ltp", "--out", out)
    if kind == "run_tiny":
        return ("run", "tiny.toml", "--out", out)
    if kind == "sweep":
        return ("sweep", "sweep.toml", "--out", out, "--store", "store")
    if kind == "analyze":
        return ("analyze", _recording(root), "--out", out)
    if kind == "validate":
        return ("validate", "--targets", "targets.toml", "--report", out)
    raise ValueError(kind)  # pragma: no cover


COMMANDS = ["run", "sweep", "analyze", "validate"]


@pytest.mark.parametrize("kind", COMMANDS)
def test_acceptance_a_users_folder_is_refused_and_kept(sandbox, kind):
    args = _command(kind, "d", sandbox.root)
    sandbox.remember()
    line = assert_one_error_line(invoke(*args), 2)
    assert "not a synpharm output" in line
    assert (sandbox.root / "d" / "keep.txt").read_text() == "x\n"
    sandbox.assert_untouched()


BAD_OUT = {
    "current_folder": ".",
    "parent_folder": "..",
    "back_into_current": "d/..",
    "absolute_current": "<root>",
    "filesystem_root": "/",
    "existing_file": "keep.txt",
    "under_a_file": "keep.txt/out",
    "symlink_to_user_folder": "link_to_d",
    "nul_in_name": "o\x00x",
    "component_too_long": "o" * 300,
}


@pytest.mark.parametrize("kind", COMMANDS)
@pytest.mark.parametrize("case", sorted(BAD_OUT))
def test_bad_output_paths(sandbox, kind, case):
    os.symlink("d", sandbox.root / "link_to_d")
    out = BAD_OUT[case].replace("<root>", str(sandbox.root))
    args = _command(kind, out, sandbox.root)
    sandbox.remember()
    assert_one_error_line(invoke(*args), 2)
    sandbox.assert_untouched()


@pytest.mark.parametrize("kind", ["run_tiny", "sweep", "analyze", "validate"])
def test_earlier_output_is_replaced_only_with_overwrite(sandbox, kind):
    args = _command(kind, "o", sandbox.root)
    written = (0, 3)  # 3: analyze wrote its outputs, but the noise-only sweeps were not measured
    assert invoke(*args).exit_code in written
    assert (sandbox.root / "o" / MANIFEST).is_file()
    sandbox.remember()
    line = assert_one_error_line(invoke(*args), 2)
    assert "--overwrite" in line
    sandbox.assert_untouched()
    listed = sorted(json.loads((sandbox.root / "o" / MANIFEST).read_text())["files"])[0]
    (sandbox.root / "o" / listed).write_text("edited")  # still ours to replace
    assert invoke(*args, "--overwrite").exit_code in written
    assert (sandbox.root / "o" / listed).read_bytes() != b"edited"
    (sandbox.root / "o" / "thesis.txt").write_text("mine")
    sandbox.remember()
    line = assert_one_error_line(invoke(*args, "--overwrite"), 2)
    assert "not a synpharm output" in line
    sandbox.assert_untouched()
    assert [p.name for p in sandbox.root.iterdir() if p.name.startswith(".")] == []


def test_empty_folder_is_used(sandbox):
    (sandbox.root / "empty").mkdir()
    assert invoke("run", "tiny.toml", "--out", "empty").exit_code == 0
    assert (sandbox.root / "empty" / "summary.json").is_file()


def test_default_output_folder_and_rerun(sandbox):
    assert invoke("run", "tiny.toml").exit_code == 0
    assert (sandbox.root / "out" / "tiny" / MANIFEST).is_file()
    assert_one_error_line(invoke("run", "tiny.toml"), 2)
    assert invoke("run", "tiny.toml", "--overwrite").exit_code == 0


def test_forged_manifest_does_not_cover_unlisted_files(sandbox):
    (sandbox.root / "d" / MANIFEST).write_text('{"written_by": "synpharm", "files": {}}')
    sandbox.remember()
    assert_one_error_line(invoke("run", "tiny.toml", "--out", "d", "--overwrite"), 2)
    sandbox.assert_untouched()


def test_symlink_inside_an_earlier_output_makes_it_foreign(sandbox):
    assert invoke("run", "tiny.toml", "--out", "o").exit_code == 0
    os.symlink(sandbox.root / "keep.txt", sandbox.root / "o" / "link")
    sandbox.remember()
    assert_one_error_line(invoke("run", "tiny.toml", "--out", "o", "--overwrite"), 2)
    sandbox.assert_untouched()


def test_stale_partial_folders_of_dead_runs_are_removed(sandbox):
    dead = sandbox.root / ".o.999999999.abcdefgh.partial"
    retired = sandbox.root / ".x.999999999.abcdefgh.old"
    alive = sandbox.root / f".o.{os.getppid()}.abcdefgh.partial"
    foreign = sandbox.root / ".o.partial"  # not named by synpharm: never touched
    for folder in (dead, retired, alive, foreign):
        folder.mkdir()
        (folder / "f").write_text("half")
    old = time.time() - 60
    for folder in (dead, retired):
        os.utime(folder, (old, old))
    assert invoke("run", "tiny.toml", "--out", "o").exit_code == 0
    assert not dead.exists() and not retired.exists()
    assert alive.exists() and foreign.exists()


def test_disk_full_while_writing_is_exit_74_and_leaves_nothing(sandbox, monkeypatch):
    import synpharm.report.outputs as outputs

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "time_course.png")

    monkeypatch.setattr(outputs, "_write_figures", full)
    line = assert_one_error_line(invoke("run", "tiny.toml", "--out", "o"), 74)
    assert "no space left on device" in line
    sandbox.assert_untouched()


def test_unwritable_output_parent_is_refused_before_work(sandbox, monkeypatch):
    import synpharm.safety._outputs as outputs

    real_access = os.access

    def no_writing(path: object, mode: int, **kwargs: object) -> bool:
        return not mode & os.W_OK and real_access(path, mode)

    monkeypatch.setattr(outputs.os, "access", no_writing)
    line = assert_one_error_line(invoke("run", "tiny.toml", "--out", "o"), 2)
    assert "not writable" in line
    sandbox.assert_untouched()


def test_read_only_folder_at_rename_time_is_exit_74(sandbox, monkeypatch):
    import synpharm.safety._outputs as outputs

    def refuse(*args: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "o")

    monkeypatch.setattr(outputs, "_move_into_place", refuse)
    line = assert_one_error_line(invoke("run", "tiny.toml", "--out", "o"), 74)
    assert "permission denied" in line
    sandbox.assert_untouched()


@pytest.mark.parametrize("command", ["sbml", "diagram"])
def test_export_never_replaces_a_file_without_overwrite(sandbox, command):
    name = "keep.txt" if command == "sbml" else "figure.svg"
    if command == "diagram":
        sandbox.write("figure.svg", "<svg/>")
    line = assert_one_error_line(invoke("export", command, "--out", name), 2)
    assert "--overwrite" in line
    sandbox.assert_untouched()


def test_snapshot_sees_everything(sandbox):
    assert {"keep.txt", "d", "d/keep.txt", "tiny.toml"} <= set(snapshot(sandbox.root))


def test_sweep_store_in_a_users_folder_is_refused(sandbox):
    line = assert_one_error_line(invoke("sweep", "sweep.toml", "--out", "o", "--store", "d"), 2)
    assert line.startswith("error: --store:")
    sandbox.assert_untouched()


def test_nwb_export_is_listed_in_the_manifest(sandbox, monkeypatch):
    import synpharm.experiments.nwb_export as simulated

    def export(protocol: object, path: Path, **settings: object) -> None:
        path.write_bytes(b"nwb")  # the real export is covered by tests/io/test_nwb.py

    monkeypatch.setattr(simulated, "export_nwb", export)
    args = ("run", "tiny.toml", "--out", "o", "--export-nwb")
    assert invoke(*args).exit_code == 0
    files = json.loads((sandbox.root / "o" / MANIFEST).read_text())["files"]
    assert "recording.nwb" in files
    assert invoke(*args, "--overwrite").exit_code == 0

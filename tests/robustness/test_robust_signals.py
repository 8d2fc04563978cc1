"""Signals while a command works (subprocesses, each under a timeout).

SIGTERM and Ctrl-C end a run with one line and exit 130, leaving nothing; SIGKILL cannot be
caught, so it may leave a hidden staging folder, which the next run next to it removes.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from robustness_helpers import assert_one_error_line, invoke

from synpharm.safety import MANIFEST

PRELUDE = """
import os, signal, sys, time
import synpharm.report.outputs as outputs
import synpharm.experiments.slice as simulate

def stop(signum):
    def handler(*args, **kwargs):
        os.kill(os.getpid(), signum)
        time.sleep(30)
    return handler

{patch}
from synpharm.cli.main import app
app()
"""
PATCHES = {
    "sigkill_while_writing": "outputs._write_figures = stop(signal.SIGKILL)",
    "sigterm_while_writing": "outputs._write_figures = stop(signal.SIGTERM)",
    "sigint_while_writing": "outputs._write_figures = stop(signal.SIGINT)",
    "sigterm_while_simulating": "simulate.run_slices = stop(signal.SIGTERM)",
    "sigint_while_simulating": "simulate.run_slices = stop(signal.SIGINT)",
}


def _run(sandbox, case: str) -> subprocess.CompletedProcess[str]:
    code = PRELUDE.format(patch=PATCHES[case])
    command = [sys.executable, "-c", code, "run", "tiny.toml", "--out", "o"]
    return subprocess.run(
        command, cwd=sandbox.root, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("case", [c for c in PATCHES if not c.startswith("sigkill")])
def test_interrupts_write_nothing(sandbox, case):
    done = _run(sandbox, case)
    line = assert_one_error_line(done, 130)
    assert "interrupted" in line
    sandbox.assert_untouched()


def test_sigkill_leaves_a_staging_folder_that_the_next_run_removes(sandbox):
    done = _run(sandbox, "sigkill_while_writing")
    assert done.returncode == -9
    left = [p.name for p in sandbox.root.iterdir() if p.name.startswith(".o.")]
    assert len(left) == 1 and left[0].endswith(".partial")
    assert not (sandbox.root / "o").exists()
    assert invoke("run", "tiny.toml", "--out", "o").exit_code == 0
    assert [p.name for p in sandbox.root.iterdir() if p.name.startswith(".")] == []
    assert (sandbox.root / "o" / MANIFEST).is_file()
    assert (sandbox.root / "keep.txt").read_text() == "the user's notes\n"

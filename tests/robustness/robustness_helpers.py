"""Shared checks of the bad-input corpus: one ``error:`` line, the exit code, nothing written.

Every case runs in a sandbox folder (the current folder during the case) that holds a user's
files; after the case the sandbox must hold exactly the same files with the same bytes, and no
hidden staging folder may be left anywhere in it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from synpharm.cli.main import app

#: a tiny slice protocol (1 slice, 1 min baseline): runs in well under a second once imported
TINY = """
[experiment]
name = "tiny"
cohort = 1

[[conditions]]
name = "control"

[[steps]]
type = "baseline"
duration = "1 min"
test_rate = "0.05 Hz"
"""

#: a tiny sweep file (two single-slice chunks)
TINY_SWEEP = """
[sweep]
name = "tiny_sweep"
cohort = 1
seeds = [0]

[concentrations]
compound = "baclofen"
values = ["10 uM"]

[[protocols]]
label = "short"
[[protocols.steps]]
type = "baseline"
duration = "1 min"
test_rate = "0.1 Hz"
"""

#: a one-target validation file whose experiment is the tiny protocol
TINY_TARGETS = """
schema_version = 1

[[targets]]
id = "LAB-1"
role = "validation"
source = "lab notebook"
claim = "the baseline fEPSP slope is negative"

[targets.protocol.experiment]
name = "tiny_target"
cohort = 1

[[targets.protocol.conditions]]
name = "control"

[[targets.protocol.steps]]
type = "baseline"
duration = "1 min"
test_rate = "0.05 Hz"

[[targets.checks]]
compare = "range"
condition = "control"
readout = "baseline_fepsp_slope"
high = 0.0
"""


@dataclass(frozen=True)
class Outcome:
    """What a command did: exit code and its two output streams."""

    exit_code: int
    stdout: str
    stderr: str


def invoke(*args: str) -> Outcome:
    """Run ``synpharm ARGS`` in this process (typer's CliRunner)."""
    result = CliRunner().invoke(app, list(args))
    return Outcome(result.exit_code, result.stdout, result.stderr)


def invoke_subprocess(*args: str, timeout: float = 60.0, cwd: Path | None = None) -> Outcome:
    """Run ``synpharm ARGS`` in a new interpreter (for hangs and signals), under a timeout."""
    command = [sys.executable, "-c", "from synpharm.cli.main import app; app()", *args]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


def snapshot(root: Path) -> dict[str, str]:
    """Relative path -> content digest (or ``<dir>``/``<link>``) of everything under ``root``."""
    found = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder) / name
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[key] = "<link>" + os.readlink(path)
            elif path.is_dir():
                found[key] = "<dir>"
            elif path.is_file() and path.stat().st_size > 1 << 20:  # e.g. a sparse 2 GB file
                found[key] = f"<large {path.stat().st_size} {path.stat().st_mtime_ns}>"
            elif path.is_file():
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[key] = "<special>"
    return found


def assert_one_error_line(outcome: Outcome | subprocess.CompletedProcess, code: int = 2) -> str:
    """The outcome failed with ``code``, exactly one ``error:`` line on stderr, no traceback."""
    if isinstance(outcome, subprocess.CompletedProcess):
        outcome = Outcome(outcome.returncode, outcome.stdout, outcome.stderr)
    lines = outcome.stderr.splitlines()
    assert outcome.exit_code == code, (outcome.exit_code, outcome.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("error: "), outcome.stderr[-2000:]
    assert "Traceback" not in outcome.stderr + outcome.stdout
    return lines[0]


def assert_untouched(before: dict[str, str], root: Path) -> None:
    """``root`` holds exactly what it held before: nothing written, nothing lost."""
    after = snapshot(root)
    assert after == before, {
        "new": sorted(set(after) - set(before)),
        "lost": sorted(set(before) - set(after)),
        "changed": sorted(k for k in before if k in after and after[k] != before[k]),
    }

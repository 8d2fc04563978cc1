"""Input files that are not what they claim: broken TOML, binary, huge, deep, special files.

Every command that reads a file (run, sweep, validate --targets, analyze) refuses them with one
line, exit 2, before reading more than the size cap, and never hangs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from robustness_helpers import assert_one_error_line, invoke, invoke_subprocess

BAD_TEXT = {
    "empty": "",
    "only_comment": "# nothing\n",
    "syntax": "[experiment\nname = 'x'\n",
    "unclosed_string": "[experiment]\nname = 'x\n",
    "duplicate_key": "[experiment]\nname = 'a'\nname = 'b'\n",
    "duplicate_table": "[experiment]\nname = 'a'\n[experiment]\n",
    "array_of_scalars": "steps = [1, 2, 3]\n",
    "steps_not_tables": "[experiment]\nname = 'x'\nsteps = 'baseline'\n",
    "experiment_not_table": "experiment = 3\n",
    "no_steps": "[experiment]\nname = 'x'\n",
    "study_not_table": "study = 'pas'\n",
    "study_unknown_kind": "[study]\nkind = 'telepathy'\n",
    "study_kind_missing": "[study]\nname = 'x'\n",
    "json_instead": '{"experiment": {"name": "x"}}',
    "yaml_instead": "experiment:\n  name: x\n",
    "null_bytes": "[experiment]\nname = 'a\x00b'\n",
    "control_chars": "[experiment]\nname = '\x07\x1b[31m'\n",
    "deep_arrays": "x = " + "[" * 3000 + "]" * 3000 + "\n",
    "deep_inline_tables": "x = " + "{a = " * 2000 + "1" + "}" * 2000 + "\n",
    "deep_tables": "[" + ".".join(["a"] * 3000) + "]\n",
    "deep_moderate": "x = " + "[" * 40 + "]" * 40 + "\n",
    "long_line": "[experiment]\nname = '" + "a" * 1_000_000 + "\n",
    "bom_garbage": "\ufeff[experiment]\nname = 'x'\n",
}
BAD_BYTES = {
    "latin1": "[experiment]\nname = 'caf\xe9'\n".encode("latin-1"),
    "utf16": "[experiment]\nname = 'x'\n".encode("utf-16"),
    "binary": bytes(range(256)) * 4,
    "gzip_magic": b"\x1f\x8b\x08\x00" + b"\x00" * 100,
    "png_magic": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
}


def _commands(name: str) -> list[tuple[str, ...]]:
    return [
        ("run", name, "--out", "o"),
        ("sweep", name, "--out", "o", "--store", "s"),
        ("validate", "--targets", name, "--report", "r"),
    ]


CASES = [
    pytest.param(kind, command, id=f"{command}-{kind}")
    for kind in [*BAD_TEXT, *BAD_BYTES]
    for command in ("run", "sweep", "validate")
]


@pytest.mark.parametrize(("kind", "command"), CASES)
def test_bad_file_content(sandbox, kind, command):
    content = BAD_TEXT.get(kind, BAD_BYTES.get(kind))
    sandbox.write("bad.toml", content)
    args = {c[0]: c for c in _commands("bad.toml")}[command]
    assert_one_error_line(invoke(*args), 2)
    sandbox.assert_untouched()


def _sparse(root: Path) -> None:
    with open(root / "sparse.toml", "wb") as handle:
        handle.truncate(2 * 1024**3)


def _loop(root: Path) -> None:
    os.symlink("loop_b.toml", root / "loop_a.toml")
    os.symlink("loop_a.toml", root / "loop_b.toml")


#: kind -> (set-up in the sandbox root, the path given to the command)
SPECIAL_FILES: dict[str, tuple[Callable[[Path], object], str]] = {
    "folder": (lambda root: (root / "folder.toml").mkdir(), "folder.toml"),
    "symlink_loop": (_loop, "loop_a.toml"),
    "dangling_symlink": (lambda root: os.symlink("nowhere", root / "dang.toml"), "dang.toml"),
    "dev_zero": (lambda root: os.symlink("/dev/zero", root / "zero.toml"), "zero.toml"),
    "dev_null": (lambda root: None, "/dev/null"),
    "sparse_2gb": (_sparse, "sparse.toml"),
    "missing": (lambda root: None, "missing.toml"),
    "under_a_file": (lambda root: None, "keep.txt/p.toml"),
    "long_name": (lambda root: None, "a" * 5000 + ".toml"),
    "nul_in_name": (lambda root: None, "bad\x00name.toml"),
}


def _special(sandbox, kind: str) -> str:
    set_up, name = SPECIAL_FILES[kind]
    set_up(sandbox.root)
    sandbox.remember()
    return name


SPECIAL = sorted(SPECIAL_FILES)


@pytest.mark.parametrize("command", ["run", "sweep", "validate", "analyze"])
@pytest.mark.parametrize("kind", SPECIAL)
def test_special_input_files(sandbox, kind, command):
    name = _special(sandbox, kind)
    args = {c[0]: c for c in _commands(name)}.get(command) or ("analyze", name, "--out", "o")
    line = assert_one_error_line(invoke(*args), 2)
    if kind == "sparse_2gb":
        assert "limit" in line
    sandbox.assert_untouched()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("command", ["run", "analyze"])
def test_fifo_is_refused_without_hanging(sandbox, command):
    os.mkfifo(sandbox.root / "pipe.toml")
    sandbox.remember()
    args = ("run", "pipe.toml", "--out", "o") if command == "run" else ("analyze", "pipe.toml")
    outcome = invoke_subprocess(*args, timeout=60, cwd=sandbox.root)  # a hang fails here
    line = assert_one_error_line(outcome, 2)
    assert "FIFO" in line
    sandbox.assert_untouched()


@pytest.mark.skipif(sys.platform != "linux", reason="Linux /proc")
def test_compound_show_with_odd_names(sandbox):
    for name in ("", "../../etc/passwd", "a" * 5000, "=1+1", "\x00"):
        assert_one_error_line(invoke("compounds", "show", name), 2)
    sandbox.assert_untouched()


RECORDINGS = {
    "a.abf": b"garbage\x00\x01",
    "b.nwb": b"garbage",
    "c.mat": b"garbage",
    "d.csv": b"a,b\n1,x\n",
    "e.npz": b"",
    "f.npy": b"xx",
    "g.txt": b"x",
    "h.csv": b"\xff\xfe\x00garbage",
    "i.npz": b"PK\x03\x04" + b"\x00" * 40,
}


@pytest.mark.parametrize("name", sorted(RECORDINGS))
def test_analyze_refuses_broken_recordings(sandbox, name):
    sandbox.write(name, RECORDINGS[name])
    line = assert_one_error_line(invoke("analyze", name, "--out", "o"), 2)
    assert name in line
    sandbox.assert_untouched()


@pytest.mark.parametrize("kind", ["bad_toml", "fifo", "missing", "dev_zero", "long_name"])
def test_export_network_files(sandbox, kind):
    names = {"bad_toml": "bad.toml", "fifo": "pipe.toml", "missing": "missing.toml",
             "dev_zero": "/dev/zero", "long_name": "a" * 3000 + ".toml"}  # fmt: skip
    if kind == "bad_toml":
        sandbox.write("bad.toml", "x = [[[[")
    if kind == "fifo":
        os.mkfifo(sandbox.root / "pipe.toml")
        sandbox.remember()
    outcome = invoke_subprocess("export", "sbml", "--network", names[kind], "--out", "x.xml",
                                timeout=60, cwd=sandbox.root) if kind == "fifo" else invoke(
        "export", "sbml", "--network", names[kind], "--out", "x.xml")  # fmt: skip
    assert_one_error_line(outcome, 2)
    sandbox.assert_untouched()

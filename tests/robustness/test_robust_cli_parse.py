"""Command-line parse errors: one ``error:`` line naming the option, exit 2, nothing written."""

from __future__ import annotations

import pytest
from robustness_helpers import assert_one_error_line, invoke

CASES = [
    # run
    ("run", "tiny.toml", "--cohort", "abc"),
    ("run", "tiny.toml", "--cohort", "1.5"),
    ("run", "tiny.toml", "--cohort", ""),
    ("run", "tiny.toml", "--cohort", "1e9"),
    ("run", "tiny.toml", "--seed", "x"),
    ("run", "tiny.toml", "--seed", "--json"),
    ("run", "tiny.toml", "--cohort"),
    ("run", "tiny.toml", "--out"),
    ("run", "tiny.toml", "--bogus"),
    ("run", "tiny.toml", "-x"),
    ("run", "tiny.toml", "extra.toml"),
    ("run",),
    ("run", "tiny.toml", "--json=yes"),
    ("run", "tiny.toml", "--overwrite=1"),
    # validate
    ("validate", "--only"),
    ("validate", "--targets"),
    ("validate", "--report"),
    ("validate", "--bogus"),
    ("validate", "positional"),
    # sweep
    ("sweep",),
    ("sweep", "sweep.toml", "--workers", "many"),
    ("sweep", "sweep.toml", "--workers"),
    ("sweep", "sweep.toml", "--store"),
    ("sweep", "sweep.toml", "--bogus"),
    # analyze (no file is not a parse error since --sheet: see test_analyze_without_files)
    ("analyze", "x.npz", "--pathways", "two"),
    ("analyze", "x.npz", "--min-snr", "high"),
    ("analyze", "x.npz", "--bogus"),
    ("analyze", "x.npz", "--out"),
    # compounds, export, protocols, unknown commands
    ("compounds", "show"),
    ("compounds", "show", "a", "b"),
    ("compounds", "bogus"),
    ("compounds", "list", "--bogus"),
    ("export", "bogus"),
    ("export", "sbml", "--network"),
    ("export", "diagram"),
    ("protocols", "--bogus"),
    ("bogus",),
    ("--bogus",),
    ("-x",),
    ("RUN", "tiny.toml"),
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a) or "<none>")
def test_parse_error_is_one_line_exit_2(sandbox, args):
    outcome = invoke(*args)
    line = assert_one_error_line(outcome, 2)
    assert "--help" in line
    sandbox.assert_untouched()


def test_analyze_without_files_names_the_argument(sandbox):
    line = assert_one_error_line(invoke("analyze"), 2)
    assert "FILES" in line and "--sheet" in line
    sandbox.assert_untouched()


def test_help_still_works(sandbox):
    for args in (("--help",), ("run", "--help"), ("compounds",), ()):
        outcome = invoke(*args)
        assert outcome.exit_code == 0 and "Usage" in outcome.stdout
    sandbox.assert_untouched()

"""Progress lines on a pipe, --quiet, --version and the one-line error of a missing extra."""

from __future__ import annotations

import io

import pytest
from typer.testing import CliRunner

from synpharm.cli.main import app
from synpharm.errors import InputError
from synpharm.extras import EXTRAS, require
from synpharm.progress import LineProgress


def test_line_progress_writes_at_most_one_line_per_interval_and_a_final_line():
    now = [0.0]
    stream = io.StringIO()
    lines = LineProgress(100, "simulating", "s of protocol", stream, interval=5.0,
                         clock=lambda: now[0])
    for step in range(1, 101):
        now[0] = step * 0.5  # 50 s in all -> a line every 5 s
        lines.update(step)
    lines.stop()
    written = stream.getvalue().splitlines()
    assert 9 <= len(written) <= 11
    assert written[0].startswith("simulating: 10 % (10/100 s of protocol)")
    assert "s left" in written[0] and written[-1].startswith("simulating: 100 %")


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("synpharm ")


def test_missing_extra_is_one_error_line_naming_the_extra(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name)
    )
    with pytest.raises(InputError, match=r"pip install 'synpharm\[parquet\]'"):
        require("parquet", "synpharm sweep")
    require("nwb", "NWB files")  # installed with .[dev]
    assert set(EXTRAS) == {"nwb", "sbml", "dask", "parquet", "xarray"}


def test_line_progress_of_a_short_run_writes_nothing():
    now = [0.0]
    stream = io.StringIO()
    lines = LineProgress(100, "simulating", "s", stream, interval=5.0, clock=lambda: now[0])
    now[0] = 1.0
    lines.update(100)
    lines.stop()
    assert stream.getvalue() == ""

"""synpharm.analyze: the command's measurements as DataFrames, with the command's options."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import synpharm as sp
from synpharm.analysis.workflow import DEFAULT_SETTINGS, settings_for
from synpharm.cli.main import app
from synpharm.errors import InputError

INVIVO = Path(__file__).resolve().parents[1] / "data" / "fepsp_invivo_io" / \
    "ExampleData_fepsp_traces.mat"
OPTIONS = {"variable": "traces", "sampling_rate": "20 kHz", "units": "mV", "preset": "invivo",
           "intensities": "20,40,60,80,100 uA"}


def test_defaults_are_the_command_line_defaults():
    from synpharm.cli.analyze import analyze

    skip = {"files", "json_output", "out", "overwrite"}
    signature = inspect.signature(analyze).parameters
    assert {k: p.default for k, p in signature.items() if k not in skip} == DEFAULT_SETTINGS


def test_unknown_option_and_protocol_are_named():
    with pytest.raises(InputError) as error:
        settings_for("io", slope_methd="max")
    assert error.value.field == "slope_methd"
    with pytest.raises(InputError, match="unknown protocol"):
        settings_for("ltpp")


def test_one_text_window_is_a_window_for_every_pathway():
    assert settings_for("fepsp", window="2.5-3.8 ms")["window"] == ["2.5-3.8 ms"]


def test_analyze_gives_the_command_document_as_tables(tmp_path):
    analysis = sp.analyze(INVIVO, protocol="io", **OPTIONS)
    cli = ["analyze", str(INVIVO), "--protocol", "io", "--json", "--out", str(tmp_path / "o")]
    for key, value in OPTIONS.items():
        cli += [f"--{key.replace('_', '-')}", value]
    printed = CliRunner().invoke(app, cli)
    assert printed.exit_code == 0, printed.output
    document = json.loads((tmp_path / "o" / "summary.json").read_text())

    sweeps = analysis.to_dataframe("sweeps")
    assert len(sweeps) == len(document["sweeps"]) == 78
    slope = np.array([s["fepsp_slope"] for s in document["sweeps"]], dtype=float)
    np.testing.assert_array_equal(sweeps["fepsp_slope"].to_numpy(dtype=float), slope)

    summary = analysis.to_dataframe("summary")
    groups = document["summary"]["groups"]
    assert len(summary) == sum(len(g["readouts"]) for g in groups)
    assert not summary.duplicated(["file", "group", "pathway", "readout"]).any()
    assert len(analysis.to_dataframe("placements")) == len(document["summary"]["placements"])
    with pytest.raises(InputError, match="placements"):
        analysis.to_dataframe("spikes")

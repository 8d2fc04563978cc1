"""Output helpers of ``synpharm analyze``: strict JSON and all-or-nothing folders."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synpharm.report.analysis_outputs import json_ready, write_analysis


def test_json_ready_replaces_non_finite_numbers():
    document = {"a": [1.0, float("nan"), np.float64(np.inf)], "b": {"c": np.int64(3)}}
    ready = json_ready(document)
    assert ready == {"a": [1.0, None, None], "b": {"c": 3}}
    json.dumps(ready, allow_nan=False)


def test_failed_figure_leaves_no_folder(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(KeyError):
        write_analysis(out, {"sweeps": [], "summary": {}, "units": {}}, None, {"nope": {"x": 1}})
    assert not out.exists() and not list(tmp_path.iterdir())
    write_analysis(out, {"sweeps": [], "summary": {"x": float("nan")}, "units": {}})
    assert json.loads((out / "summary.json").read_text())["summary"] == {"x": None}

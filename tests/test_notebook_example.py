"""docs/notebook_example.md runs: its cells, executed in order with the public API only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "notebook_example.md"


def _cells(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_cells_use_only_the_public_api():
    code = "\n".join(_cells(PAGE.read_text(encoding="utf-8")))
    assert "import synpharm as sp" in code
    assert not re.search(r"synpharm\.\w|from synpharm", code), "private or submodule import"
    assert not re.search(r"\._\w", code), "private attribute"


@pytest.mark.slow
def test_notebook_example_runs(monkeypatch):
    monkeypatch.chdir(ROOT)  # the page reads tests/data/... from the repository root
    namespace: dict = {}
    for cell in _cells(PAGE.read_text(encoding="utf-8")):
        exec(compile(cell, str(PAGE), "exec"), namespace)

    result, summary = namespace["result"], namespace["summary"]
    n_readouts = {len(c.readouts) for c in result.conditions}
    assert len(n_readouts) == 1
    assert len(summary) == len(result.conditions) * n_readouts.pop()
    assert not summary.duplicated(["condition", "readout"]).any()
    assert list(summary.condition.unique()) == [c.name for c in result.conditions]

    pulses_xr = namespace["pulses_xr"]
    assert pulses_xr["fepsp_slope"].dims == ("condition", "slice", "time")

    checks = namespace["checks"]
    assert set(checks.target) == {"SEED-KET-9.creb"}
    assert checks.seed_pass_fraction.between(0, 1).all()

    assert len(namespace["sweeps"]) > 0 and len(namespace["groups"]) > 0
    assert len(namespace["ltp"]) == len(result.conditions)

"""`synpharm run` end to end: outputs, determinism, bad compounds."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from synpharm.cli.main import app

SHORT = """
[experiment]
name = "short"
cohort = 2
seed = 3

[[conditions]]
name = "control"

[[conditions]]
name = "ketamine 10 uM"
compound = "{compound}"
concentration = "10 uM"

[[steps]]
type = "baseline"
duration = "3 min"
test_rate = "0.05 Hz"

[[steps]]
type = "wash_in"
duration = "3 min"
test_rate = "0.05 Hz"
exchange_time = "1 min"
"""


def _write(tmp_path: Path, compound: str = "ketamine") -> Path:
    path = tmp_path / "short.toml"
    path.write_text(SHORT.format(compound=compound))
    return path


def test_run_writes_outputs_and_is_deterministic(tmp_path):
    runner = CliRunner()
    protocol = _write(tmp_path)
    outputs = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = runner.invoke(app, ["run", str(protocol), "--out", str(out), "--json"])
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert [c["name"] for c in summary["conditions"]] == ["control", "ketamine 10 uM"]
        assert summary["conditions"][1]["concentration_uM"] == 10.0
        for file in ("summary.json", "pulses.csv", "time_course.png", "time_course.svg"):
            assert (out / file).is_file()
        outputs.append((out / "summary.json").read_bytes())
    assert outputs[0] == outputs[1]


def test_different_seed_changes_the_cohort(tmp_path):
    runner = CliRunner()
    protocol = _write(tmp_path)
    a = runner.invoke(app, ["run", str(protocol), "--json", "--out", str(tmp_path / "a")])
    b = runner.invoke(app, ["run", str(protocol), "--json", "--seed", "4", "--out",
                            str(tmp_path / "b")])
    assert a.stdout != b.stdout


def test_unknown_compound_is_exit_2_without_output(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(_write(tmp_path, "ketamne")), "--out", str(out)])
    assert result.exit_code == 2
    assert "unknown compound 'ketamne'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_train_faster_than_the_integration_allows_is_rejected(tmp_path):
    path = tmp_path / "fast.toml"
    path.write_text(SHORT.format(compound="ketamine") + """
[[steps]]
type = "train"
n_trains = 1
frequency = "2000 Hz"
pulses = 10
interval = "20 s"
""")
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "frequency" in result.stderr

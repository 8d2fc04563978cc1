"""`synpharm validate` end to end on a small user targets file (inline protocol, 2 slices)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from synpharm.cli.main import app

USER_TARGETS = """
schema_version = 1

[[targets]]
id = "LAB-1"
role = "validation"
source = "Doe et al. 2024 J Neurosci 44:1, Fig. 2"
claim = "baclofen 10 uM depresses the fEPSP by more than half"

[targets.protocol.experiment]
name = "tiny_baclofen"
cohort = 2
seed = 4

[[targets.protocol.conditions]]
name = "control"

[[targets.protocol.conditions]]
name = "baclofen 10 uM"
compound = "baclofen"
concentration = "10 uM"

[[targets.protocol.steps]]
type = "baseline"
duration = "6 min"
test_rate = "0.05 Hz"

[[targets.protocol.steps]]
type = "wash_in"
duration = "8 min"
test_rate = "0.05 Hz"
exchange_time = "1 min"

[[targets.checks]]
what = "depression > 50 %"
compare = "range"
condition = "baclofen 10 uM"
readout = "baseline_change_percent"
high = -50.0

[[targets]]
id = "LAB-2"
role = "calibration"
source = "an impossible claim, to see a failure"
claim = "baclofen 10 uM potentiates the fEPSP"
protocol = "{protocol_file}"

[[targets.checks]]
compare = "sign"
condition = "baclofen 10 uM"
readout = "baseline_change_percent"
versus = "control"
expected = "positive"

[[targets]]
id = "LAB-3"
role = "validation"
source = "future work"
claim = "something not simulated yet"
status = "pending"
reason = "needs a preparation that does not exist yet"
"""


def _files(tmp_path: Path) -> Path:
    start = USER_TARGETS.index("[targets.protocol.experiment]")
    end = USER_TARGETS.index("[[targets.checks]]")
    protocol = USER_TARGETS[start:end].replace("targets.protocol.", "")
    (tmp_path / "tiny.toml").write_text(protocol, encoding="utf-8")
    path = tmp_path / "lab_targets.toml"
    path.write_text(USER_TARGETS.replace("{protocol_file}", "tiny.toml"), encoding="utf-8")
    return path


def _validate(*args: str):
    return CliRunner().invoke(app, ["validate", *args])


def test_json_scorecard_of_a_user_file(tmp_path):
    path = _files(tmp_path)
    result = _validate("--targets", str(path), "--json")
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    status = {t["id"]: t["status"] for t in card["targets"]}
    assert status == {"LAB-1": "pass", "LAB-2": "fail", "LAB-3": "pending"}
    first = card["targets"][0]
    for key in ("id", "role", "status", "simulated", "observed", "tolerance", "detail"):
        assert key in first
    assert card["summary"]["pass"] == 1 and card["summary"]["fail"] == 1
    calibration = card["summary"]["by_role"]["calibration"]
    assert calibration == {"pass": 0, "fail": 1, "pending": 0, "expected_fail": 0,
                           "unexpected_fail": 1}
    # the inline protocol and the protocol file are the same experiment: it ran once
    assert len(card["provenance"]["experiments"]) == 1
    again = _validate("--targets", str(path), "--json", "--only", "LAB-1", "--only", "LAB-2")
    assert json.loads(again.stdout)["targets"] == card["targets"][:2]


def test_table_and_report(tmp_path):
    path = _files(tmp_path)
    report = tmp_path / "report"
    result = _validate("--targets", str(path), "--report", str(report), "--only", "LAB-1")
    assert result.exit_code == 0, result.output
    assert "LAB-1" in result.stdout and "pass" in result.stdout
    assert {p.name for p in report.iterdir()} == {
        "index.html", "scorecard.json", "LAB-1.svg", "LAB-1.png", "synpharm-manifest.json"
    }
    assert "LAB-1" in (report / "index.html").read_text(encoding="utf-8")


def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path):
    path = _files(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text(path.read_text().replace('compare = "sign"', 'compare = "roughly"'))
    result = _validate("--targets", str(bad))
    assert result.exit_code == 2
    assert str(bad) in result.output and "targets[LAB-2].checks[0].compare" in result.output
    assert "Traceback" not in result.output

    result = _validate("--targets", str(path), "--only", "LAB-9")
    assert result.exit_code == 2 and "--only" in result.output

    wrong = tmp_path / "wrong.toml"
    first_check = 'condition = "baclofen 10 uM"\nreadout = "baseline_change_percent"\nhigh'
    wrong.write_text(path.read_text().replace(first_check, first_check.replace("10", "11")))
    report = tmp_path / "never"
    result = _validate("--targets", str(wrong), "--report", str(report))
    assert result.exit_code == 2
    assert "targets[LAB-1].checks[0].condition" in result.output
    assert not report.exists()

    result = _validate("--targets", str(tmp_path / "missing.toml"))
    assert result.exit_code == 2 and "no such file" in result.output


def test_protocol_library_listing_and_run_by_name(tmp_path):
    listing = CliRunner().invoke(app, ["protocols"])
    assert listing.exit_code == 0
    assert "ketamine_slice_ltp" in listing.stdout

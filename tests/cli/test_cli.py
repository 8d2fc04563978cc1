"""The command line (bad input -> one error line, exit 2, no files) and the output files."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from synpharm.analysis.results import ConditionResult, ExperimentResult, PulseTable, Readout
from synpharm.cli.main import app
from synpharm.errors import InputError
from synpharm.protocols import Protocol
from synpharm.report import slope_percent_of_baseline, write_outputs

GOOD = """
[experiment]
name = "cli_demo"
cohort = 3

[[conditions]]
name = "control"

[[conditions]]
compound = "ketamine"
concentration = "{concentration}"

[[steps]]
type = "baseline"
duration = "20 min"
test_rate = "0.05 Hz"

[[steps]]
type = "{train_type}"
n_trains = 3
frequency = "100 Hz"
pulses = 100
interval = "20 s"

[[steps]]
type = "record"
duration = "60 min"
test_rate = "0.05 Hz"
"""

runner = CliRunner()


def protocol_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "protocol.toml"
    path.write_text(text)
    return path


def fake_result(n_slices: int = 3, name: str = "cli_demo") -> ExperimentResult:
    """Two conditions; control potentiates to 150 %, drug to 110 %, induction at 20 min."""
    time = np.concatenate([np.arange(60) * 20.0, 1241.0 + np.arange(30) * 20.0, [1900.0, 1900.05]])
    kind = np.array(["test"] * 90 + ["pp1", "pp2"])
    conditions = []
    for index, (label, post) in enumerate([("control", 1.5), ("ketamine 10 uM", 1.1)]):
        slice_scale = 1.0 + 0.1 * np.arange(n_slices)[:, None]
        relative = np.where(time < 1200.0, 1.0, post)[None, :]
        slope = -0.5 * slice_scale * relative
        pulses = PulseTable(
            time=time,
            kind=kind,
            intensity=np.full(time.size, 0.5),
            fepsp_slope=slope,
            fepsp_amplitude=slope * 1e-3,
            fiber_volley_amplitude=np.full(slope.shape, -2e-4),
        )
        ltp = Readout(
            "ltp_percent",
            np.full(n_slices, 100 * post) + np.arange(n_slices),
            "%",
            *((np.nan, np.nan) if index == 0 else (-5.0, 0.001)),
        )
        trace_time = np.arange(200) * 1e-4
        traces = {
            "baseline": -1e-3 * np.sin(np.pi * trace_time / 0.02),
            "60 min": -post * 1e-3 * np.sin(np.pi * trace_time / 0.02),
        }
        drugs = () if index == 0 else (("ketamine", 0.01),)
        conditions.append(
            ConditionResult(label, drugs, pulses, {"ltp_percent": ltp}, traces, trace_time)
        )
    return ExperimentResult(
        name,
        conditions,
        induction_time=1200.0,
        drug_time=None,
        provenance={"synpharm": "test", "seed": 0},
    )


@pytest.fixture
def fake_simulate(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Replace ``synpharm.experiments.slice`` by a stub returning :func:`fake_result`."""
    calls: list[dict[str, object]] = []

    def run_protocol(
        protocol: Protocol, *, cohort: int, seed: int, progress: bool
    ) -> ExperimentResult:
        calls.append({"protocol": protocol, "cohort": cohort, "seed": seed})
        return fake_result(name=protocol.name)

    module = types.ModuleType("synpharm.experiments.slice")
    module.run_protocol = run_protocol  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "synpharm.experiments.slice", module)
    return calls


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("text", "field"),
    [
        (GOOD.format(concentration="10 uM", train_type="tetanus"), "steps[1].type"),
        (GOOD.format(concentration="10 mV", train_type="train"), "conditions[1].concentration"),
        (GOOD.format(concentration="-10 uM", train_type="train"), "conditions[1].concentration"),
        (GOOD.format(concentration="nan uM", train_type="train"), "conditions[1].concentration"),
        ("[experiment]\nname = 'x'\ncohort = = 3\n", "is not valid TOML (line 3"),
        (GOOD.format(concentration="10 uM", train_type="train").replace(
            "cohort = 3", "cohort = 3\nrecording_site = 'soma'"), "experiment.recording_site"),
    ],
    ids=["unknown-step", "wrong-unit", "negative", "nan", "malformed-toml", "recording-site"],
)
def test_bad_protocol_exits_2_with_one_error_line(
    tmp_path: Path, fake_simulate: list[object], text: str, field: str
) -> None:
    out = tmp_path / "results" / "run"
    result = runner.invoke(app, ["run", str(protocol_file(tmp_path, text)), "--out", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert field in lines[0]
    assert result.stdout == ""
    assert not (tmp_path / "results").exists()
    assert fake_simulate == []


def test_missing_file_and_bad_overrides_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_simulate: list[object]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "nope.toml"])
    assert result.exit_code == 2 and result.stderr.startswith("error: nope.toml")
    path = protocol_file(tmp_path, GOOD.format(concentration="10 uM", train_type="train"))
    for option in (["--cohort", "0"], ["--seed", "-1"]):
        result = runner.invoke(app, ["run", str(path), *option])
        assert result.exit_code == 2 and option[0] in result.stderr
    assert not (tmp_path / "out").exists()


def test_error_raised_by_simulation_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run_protocol(protocol: Protocol, **_: object) -> ExperimentResult:
        raise InputError(
            "conditions[1].compound", "unknown compound 'ketamin'", "see synpharm compounds list"
        )

    module = types.ModuleType("synpharm.experiments.slice")
    module.run_protocol = run_protocol  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "synpharm.experiments.slice", module)
    path = protocol_file(tmp_path, GOOD.format(concentration="10 uM", train_type="train"))
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: conditions[1].compound: unknown compound 'ketamin'; see synpharm compounds list\n"
    )
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------------------- run
def test_run_json_prints_only_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_simulate: list[dict[str, object]]
) -> None:
    monkeypatch.chdir(tmp_path)
    path = protocol_file(tmp_path, GOOD.format(concentration="10 uM", train_type="train"))
    result = runner.invoke(app, ["run", str(path), "--json", "--seed", "7"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["protocol"] == "cli_demo"
    assert [c["name"] for c in summary["conditions"]] == ["control", "ketamine 10 uM"]
    assert fake_simulate[0]["cohort"] == 3 and fake_simulate[0]["seed"] == 7
    out = tmp_path / "out" / "cli_demo"
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html",
        "pulses.csv",
        "summary.json",
        "synpharm-manifest.json",
        "time_course.png",
        "time_course.svg",
    ]
    assert json.loads((out / "summary.json").read_text()) == summary
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["cli_demo"]


def test_run_prints_a_table(tmp_path: Path, fake_simulate: list[object]) -> None:
    path = protocol_file(tmp_path, GOOD.format(concentration="10 uM", train_type="train"))
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "o"), "--cohort", "5"])
    assert result.exit_code == 0, result.output
    assert "ketamine 10 uM" in result.stdout and "± " in result.stdout
    assert "n=3" in result.stdout


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys, synpharm.cli.main; "
        "heavy = ('numpy', 'matplotlib', 'scipy', 'pint'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
    assert runner.invoke(app, ["--help"]).exit_code == 0


# ---------------------------------------------------------------------------- compounds
def test_compound_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    import synpharm.compounds as compounds

    def load_compound(name: str) -> str:
        if name != "ketamine":
            raise InputError("compound", f"unknown compound {name!r}", "see compounds list")
        return name

    monkeypatch.setattr(
        compounds, "list_compounds", lambda: ["ketamine", "memantine"], raising=False
    )
    monkeypatch.setattr(compounds, "load_compound", load_compound, raising=False)
    monkeypatch.setattr(
        compounds, "describe_compound", lambda c: f"{c}: NMDA receptor blocker", raising=False
    )
    assert runner.invoke(app, ["compounds", "list"]).stdout == "ketamine\nmemantine\n"
    assert "NMDA" in runner.invoke(app, ["compounds", "show", "ketamine"]).stdout
    result = runner.invoke(app, ["compounds", "show", "ketamin"])
    assert result.exit_code == 2 and result.stderr.startswith("error: compound: unknown")


# ---------------------------------------------------------------------------- outputs
def test_outputs_are_byte_identical_for_identical_results(tmp_path: Path) -> None:
    first = write_outputs(fake_result(), tmp_path / "a")
    second = write_outputs(fake_result(), tmp_path / "b")
    for name in ("summary.json", "pulses.csv", "time_course.png", "time_course.svg"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "summary.json").read_text().endswith("}\n")


def test_pulses_csv_rows_and_normalisation(tmp_path: Path) -> None:
    out = write_outputs(fake_result(n_slices=2), tmp_path / "o")
    rows = list(csv.DictReader(io.StringIO((out / "pulses.csv").read_text())))
    assert len(rows) == 2 * 2 * 92
    assert list(rows[0]) == [
        "condition",
        "slice",
        "time_min",
        "kind",
        "intensity",
        "fepsp_slope_mV_per_ms",
        "fepsp_amplitude_mV",
        "fiber_volley_amplitude_mV",
        "slope_percent_of_baseline",
    ]
    late = [
        r
        for r in rows
        if r["condition"] == "control" and r["kind"] == "test" and float(r["time_min"]) > 30
    ]
    assert {float(r["slope_percent_of_baseline"]) for r in late} == {150.0}
    assert float(rows[0]["fepsp_amplitude_mV"]) == pytest.approx(-0.5)
    assert float(rows[0]["fiber_volley_amplitude_mV"]) == pytest.approx(-0.2)


def test_baseline_is_the_ten_minutes_before_induction() -> None:
    pulses = fake_result().conditions[0].pulses
    slope = pulses.fepsp_slope.copy()
    slope[:, :30] *= 3.0  # first 10 min of the 20-min baseline are ignored
    changed = PulseTable(
        pulses.time,
        pulses.kind,
        pulses.intensity,
        slope,
        pulses.fepsp_amplitude,
        pulses.fiber_volley_amplitude,
    )
    percent = slope_percent_of_baseline(changed, induction_time=1200.0)
    np.testing.assert_allclose(percent[:, 30:60], 100.0)
    np.testing.assert_allclose(percent[:, 60:90], 150.0)
    no_induction = slope_percent_of_baseline(changed, induction_time=None, drug_time=600.0)
    np.testing.assert_allclose(no_induction[:, :30], 100.0)


def test_earlier_output_is_replaced_other_folders_never_and_failures_leave_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "o"
    write_outputs(fake_result(), target)
    (target / "summary.json").write_text("edited")
    write_outputs(fake_result(), target)  # an earlier synpharm output is replaced
    assert (target / "summary.json").read_text() != "edited"
    (target / "thesis.txt").write_text("mine")
    with pytest.raises(InputError, match="not a synpharm output"):
        write_outputs(fake_result(), target)
    assert (target / "thesis.txt").read_text() == "mine"
    (target / "thesis.txt").unlink()
    import synpharm.report.outputs as outputs

    def broken(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(outputs, "_write_figures", broken)
    with pytest.raises(RuntimeError):
        write_outputs(fake_result(), tmp_path / "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


def test_figure_with_protocol_drug_bar_and_without_traces(tmp_path: Path) -> None:
    result = fake_result()
    bare = [ConditionResult(c.name, c.drugs, c.pulses, c.readouts) for c in result.conditions]
    plain = ExperimentResult(result.protocol_name, bare, None, 600.0, result.provenance)
    protocol = Protocol.from_dict(
        {
            "experiment": {"name": "x"},
            "conditions": [
                {"name": "control"},
                {"name": "ketamine", "compound": "ketamine", "concentration": "10 uM"},
            ],
            "steps": [
                {"type": "baseline", "duration": "10 min", "test_rate": "0.05 Hz"},
                {
                    "type": "wash_in",
                    "duration": "10 min",
                    "test_rate": "0.05 Hz",
                    "exchange_time": "1 min",
                },
                {
                    "type": "wash_out",
                    "duration": "10 min",
                    "test_rate": "0.05 Hz",
                    "exchange_time": "1 min",
                },
            ],
        }
    )
    out = write_outputs(plain, tmp_path / "o", protocol=protocol)
    assert (out / "time_course.svg").stat().st_size > 0
    from synpharm.report.timeline import drug_bars

    spans = [(bar.start, bar.end) for bar in drug_bars(plain, protocol)]
    assert spans == [(600.0, 1200.0)]  # wash-in to wash-out
    fallback = [(bar.start, bar.end) for bar in drug_bars(plain, None)]
    assert fallback == [(600.0, float(plain.conditions[0].pulses.time.max()))]

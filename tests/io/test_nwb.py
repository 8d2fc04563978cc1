"""NWB: write/read round trip, simulated sweeps rebuilt bit for bit, and the simulator -> NWB ->
``synpharm analyze`` round trip of ``ltp_percent`` and ``baseline_fepsp_slope`` (within 1 %)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from synpharm.cli.main import app
from synpharm.errors import InputError
from synpharm.io import Tag, read_recording
from synpharm.io.nwb import FieldSweeps, write_field_nwb

PROTOCOL = """
[experiment]
name = "nwb_round_trip"
cohort = 2
seed = 3

[[conditions]]
name = "control"

[[conditions]]
name = "ketamine 10 uM"
compound = "ketamine"
concentration = "10 uM"

[[steps]]
type = "baseline"
duration = "6 min"
test_rate = "0.02 Hz"

[[steps]]
type = "wash_in"
duration = "10 min"
test_rate = "0.02 Hz"
exchange_time = "2 min"

[[steps]]
type = "train"
n_trains = 1
frequency = "100 Hz"
duration = "1 s"
interval = "20 s"

[[steps]]
type = "record"
duration = "61 min"
test_rate = "0.02 Hz"
"""


@pytest.fixture(scope="module")
def protocol_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("protocol") / "nwb_round_trip.toml"
    path.write_text(PROTOCOL, encoding="utf-8")
    return path


def test_write_read_round_trip_is_exact(tmp_path):
    rng = np.random.default_rng(0)
    groups = [
        FieldSweeps("a", rng.normal(size=(2, 3, 40))),
        FieldSweeps("b 1 uM", rng.normal(size=(2, 3, 40))),
    ]
    pulse_time = np.array([10.0, 30.0, 50.0])
    path = write_field_nwb(
        tmp_path / "x.nwb",
        groups,
        sampling_rate=10e3,
        stimulus_time=1e-3,
        pulse_time=pulse_time,
        kind=np.array(["test", "pp1", "pp2"]),
        intensity=np.array([0.5, 0.5, 0.5]),
        tags=[Tag(20.0, "induction"), Tag(5.0, "+drug")],
    )
    rec = read_recording(path)
    assert rec.sampling_rate == pytest.approx(10e3)
    assert rec.stimulus_time == pytest.approx(1e-3)
    assert rec.group_names == ("a", "b 1 uM")
    assert rec.channel_units == ("V", "V")
    for g, group in enumerate(groups):
        for c in range(2):
            rows = (rec.group == g) & (rec.channel == c)
            assert np.array_equal(rec.sweeps[rows], group.sweeps[c])
    assert rec.kind[:3].tolist() == ["test", "pp1", "pp2"]
    assert np.allclose(rec.sweep_time[:3] + rec.stimulus_time, pulse_time)
    assert rec.induction_times() == [20.0] and rec.drug_times() == [5.0]
    with pytest.raises(InputError, match="does not match"):
        read_recording(path, units="pA")


def test_corrupt_nwb_is_an_error(tmp_path):
    path = tmp_path / "bad.nwb"
    path.write_bytes(b"not an hdf5 file" * 10)
    with pytest.raises(InputError, match="not a readable NWB file"):
        read_recording(path)


@pytest.fixture(scope="module")
def exported(protocol_file, tmp_path_factory):
    """``synpharm run --export-nwb`` once: the run's output folder."""
    out = tmp_path_factory.mktemp("run") / "run"
    ran = CliRunner().invoke(app, ["run", str(protocol_file), "--out", str(out), "--export-nwb"])
    assert ran.exit_code == 0, ran.output
    return out


def test_exported_sweeps_are_the_ones_the_simulator_measured(exported):
    """Measured the simulator's way, the NWB sweeps give the simulator's pulses.csv slopes
    (to its 10 printed digits): the re-synthesised sweeps use the same random streams."""
    import csv

    from synpharm.analysis.fepsp import measure_fepsp
    from synpharm.experiments.slice import _field_parameters
    from synpharm.model.field_potential import (
        fepsp_rise_window,
        field_waveform_from_parameters,
    )

    rec = read_recording(exported / "recording.nwb")
    window = fepsp_rise_window(field_waveform_from_parameters(_field_parameters()))
    with (exported / "pulses.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == rec.n_sweeps
    for g, name in enumerate(rec.group_names):
        for c in range(len(rec.channel_names)):
            pick = (rec.group == g) & (rec.channel == c)
            m = measure_fepsp(
                rec.sweeps[pick],
                rec.sampling_rate,
                rec.stimulus_time,
                slope_method="window",
                window=window,
                min_snr=0.0,
            )
            expected = [
                float(r["fepsp_slope_mV_per_ms"])
                for r in rows
                if r["condition"] == name and int(r["slice"]) == c
            ]
            assert m.fepsp_slope == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_run_export_nwb_then_analyze_reproduces_the_simulator(exported, tmp_path):
    runner = CliRunner()
    run_out, analysis_out = exported, tmp_path / "analysis"
    simulated = json.loads((run_out / "summary.json").read_text())
    analysed = runner.invoke(
        app,
        [
            "analyze",
            str(run_out / "recording.nwb"),
            "--protocol",
            "ltp",
            "--slope-method",
            "window",
            "--slope-sign",
            "signed",  # the simulator reports signed slopes
            "--out",
            str(analysis_out),
            "--json",
        ],
    )
    assert analysed.exit_code == 0, analysed.output
    document = json.loads((analysis_out / "summary.json").read_text())
    assert set(document) == {"sweeps", "summary", "units"}
    groups = {g["group_name"]: g["readouts"] for g in document["summary"]["groups"]}
    compared = 0
    for condition in simulated["conditions"]:
        for name in ("ltp_percent", "baseline_fepsp_slope"):
            expected = condition["readouts"][name]["mean"]
            got = groups[condition["name"]][name]["mean"]
            assert got == pytest.approx(expected, rel=0.01), (condition["name"], name)
            compared += 1
    assert compared == 4
    assert (analysis_out / "time_course.png").exists()
    assert (analysis_out / "sweeps.parquet").exists()


def test_export_nwb_refuses_single_cell_preparations(tmp_path):
    runner = CliRunner()
    out = tmp_path / "q"
    ran = runner.invoke(app, ["run", "baclofen_cultured_ipsc", "--out", str(out), "--export-nwb"])
    assert ran.exit_code == 2
    assert "--export-nwb" in ran.output
    assert not out.exists()


def test_icephys_sweeps_without_trials(tmp_path):
    import warnings
    from datetime import UTC, datetime

    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.icephys import CurrentClampSeries

    nwb = NWBFile("cell", "id", datetime(2020, 1, 1, tzinfo=UTC))
    device = nwb.create_device(name="amp")
    electrode = nwb.create_icephys_electrode(name="e", description="patch", device=device)
    sweeps = np.random.default_rng(1).normal(-0.065, 1e-3, (3, 50))
    for k, sweep in enumerate(sweeps):
        nwb.add_acquisition(
            CurrentClampSeries(
                name=f"sweep_{k}",
                data=sweep,
                electrode=electrode,
                rate=10e3,
                gain=1.0,
                starting_time=float(k),
                sweep_number=k,
            )
        )
    path = tmp_path / "cell.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with NWBHDF5IO(str(path), "w") as io:
            io.write(nwb)
    rec = read_recording(path)
    assert rec.sampling_rate == 10e3 and rec.channel_units == ("V",)
    assert np.allclose(rec.sweeps, sweeps)

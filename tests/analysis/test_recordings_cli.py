"""``synpharm analyze``: the JSON document, output files, bad input (exit 2, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from synpharm.cli.main import app

DATA = Path(__file__).resolve().parents[1] / "data"
INVIVO = DATA / "fepsp_invivo_io" / "ExampleData_fepsp_traces.mat"
ABF = DATA / "abf_samples" / "2018_11_16_sh_0006.abf"
SWEEP_KEYS = {
    "file",
    "channel",
    "group",
    "pathway",
    "sweep",
    "time",
    "fepsp_slope",
    "percent_of_baseline",
    "fepsp_amplitude",
    "fiber_volley_amplitude",
    "slope_window_ms",
    "flag",
}



def _analyze(*args: str):
    return CliRunner().invoke(app, ["analyze", *args])


def test_mat_io_document_and_files(tmp_path):
    out = tmp_path / "io"
    result = _analyze(
        str(INVIVO),
        "--variable",
        "traces",
        "--sampling-rate",
        "20 kHz",
        "--units",
        "mV",
        "--protocol",
        "io",
        "--rise",
        "20-90",
        "--amplitude-from",
        "onset",
        "--max-baseline-noise",
        "1 mV",
        "--intensities",
        "20,40,60,80,100 uA",
        "--out",
        str(out),
        "--json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads((out / "summary.json").read_text())
    assert set(document) == {"sweeps", "summary", "units"}
    sweeps = document["sweeps"]
    assert len(sweeps) == 78 and all(set(s) == SWEEP_KEYS for s in sweeps)
    first = [s["sweep"] for s in sweeps if s["channel"] == 0 and s["group"] == 0]
    assert first == list(range(6))  # cell {1,1}: 6 repetitions, 0-based
    assert {s["channel"] for s in sweeps} == {0, 1, 2}
    assert {s["group"] for s in sweeps} == set(range(5))
    good = [s for s in sweeps if s["flag"] == ""]
    assert len(good) >= 55  # the weakest (20 uA) responses fall below 5 baseline sds
    flagged = [s for s in sweeps if s["flag"]]
    assert all(s["fepsp_slope"] is None or s["flag"] == "population_spike" for s in flagged)
    assert {s["flag"] for s in flagged} <= {
        "average_no_response",  # a block whose averaged sweep has no response (20 uA)
        "no_response",
        "noisy_baseline",
        "population_spike",
        "slope_window_invalid",
    }
    assert all(s["fepsp_slope"] is not None and len(s["slope_window_ms"]) == 2 for s in good)
    assert document["units"]["fepsp_slope"].startswith("mV/ms (magnitude")
    # stronger stimulation gives larger responses (radiatum channels, 40 vs 100 uA)
    curves = {
        (r["channel"], r["group"]): r["readouts"]["fepsp_amplitude"]["value"]
        for r in document["summary"]["series"]
    }
    assert curves[(0, 4)] > 2 * curves[(0, 1)] and curves[(1, 4)] > 2 * curves[(1, 1)]
    curve = document["summary"]["series"][0]["input_output"]
    assert [p["intensity"] for p in curve] == [20.0]  # one group per series
    assert document["summary"]["settings"]["intensities"] == "20,40,60,80,100 uA"
    for name in ("sweeps.csv", "sweeps.parquet", "input_output.png", "input_output.svg"):
        assert (out / name).exists(), name
    import pyarrow.parquet as pq

    assert pq.read_table(out / "sweeps.parquet").num_rows == 78


def test_abf_current_channel_flagged_with_drug_time(tmp_path):
    out = tmp_path / "abf"
    result = _analyze(str(ABF), "--out", str(out))
    assert result.exit_code == 3, result.output  # written, with a warning: nothing measured
    warning = (
        "warning: 2018_11_16_sh_0006.abf channel 0: 0 of 60 sweeps measured "
        "(commonest reason: not_a_voltage_channel)"
    )
    assert warning in result.output.splitlines()
    summary = json.loads((out / "summary.json").read_text())["summary"]
    assert summary["flags"] == {"not_a_voltage_channel": 60}
    assert summary["drug_time_s"] == pytest.approx(180.0, abs=6.0)


def test_paired_pulse_protocol_on_two_stimulus_sweeps(tmp_path):
    from synpharm.model.field_potential import (
        field_waveform_from_parameters,
        synthesize_field_sweeps,
    )
    from synpharm.parameters import load_parameter_set, package_parameter_file

    wave = field_waveform_from_parameters(
        load_parameter_set(package_parameter_file("field_potential"))
    )

    def sweeps(scale, seed):
        return synthesize_field_sweeps(
            np.full(5, scale),
            np.full(5, 0.2 * scale),
            waveform=wave,
            sampling_rate=20e3,
            sweep_duration=0.1,
            stimulus_time=0.005,
            rng=np.random.default_rng(seed),
        )

    both = sweeps(1e-3, 1)
    second = sweeps(1.3e-3, 2)
    both[:, 1000:] += second[:, :-1000]
    path = tmp_path / "ppr.npz"
    np.savez(path, sweeps=both * 1e3, sampling_rate=20e3, units="mV")
    out = tmp_path / "ppr"
    result = _analyze(str(path), "--protocol", "ppr", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())["summary"]
    ppr = summary["groups"][0]["readouts"]["ppr"]["mean"]
    assert ppr == pytest.approx(1.3, rel=0.1)


def _bad_csv(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text("time (ms),a (mV)\n0,1\n0.05,one\n0.1,2\n", encoding="utf-8")
    return path


def _truncated_abf(tmp_path: Path) -> Path:
    path = tmp_path / "cut.abf"
    path.write_bytes(ABF.read_bytes()[:5000])
    return path


def _mismatched_csv(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.csv"
    path.write_text("time (ms),a (mV),b (pA)\n0,1,1\n0.05,2,2\n0.1,2,2\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "extra", "message"),
    [
        (_bad_csv, [], "'one' is not a number"),
        (_truncated_abf, [], "not a readable ABF file"),
        (_mismatched_csv, [], "mismatched units"),
        (
            lambda _: INVIVO,
            ["--variable", "trace", "--sampling-rate", "20000", "--units", "mV"],
            "no variable 'trace'",
        ),
        (lambda _: ABF, ["--units", "mV"], "does not match"),
        (lambda _: INVIVO, ["--variable", "traces", "--sampling-rate", "20000"], "no unit"),
        (lambda _: ABF, ["--protocol", "ltpp"], "unknown protocol"),
        (lambda _: ABF, ["--rise", "90-20"], "--rise"),
        (lambda _: ABF, ["--protocol", "ltp"], "--induction"),
    ],
)
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, make, extra, message):
    path = make(tmp_path)
    out = tmp_path / "out"
    # a good recording first (unless --units is stated, which fits only one of them): a
    # failure in any file must not leave a partial output
    lead = [] if "--units" in extra else [str(ABF)]
    result = _analyze(*lead, str(path), *extra, "--out", str(out))
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]
    assert not out.exists()
    assert not list(tmp_path.glob(".out.*"))  # no staging leftovers


def test_spines_protocol_measures_the_mapmanager_tracings(tmp_path):
    out = tmp_path / "sp"
    folder = DATA / "spines_mapmanager_rr30a"
    result = _analyze(str(folder), "--protocol", "spines", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads((out / "summary.json").read_text())
    assert document["sweeps"] == []
    assert set(document) >= {"segments", "summary", "units"}
    n_spines = sum(segment["n_spines"] for segment in document["segments"])
    length = sum(segment["length_um"] for segment in document["segments"])
    assert 0.5 <= n_spines / length <= 5.0  # spines per um, the plausible range


def _noise_npz(tmp_path: Path) -> Path:
    """Three 100 ms sweeps of noise at 20 kHz (analysis options are checked before use)."""
    path = tmp_path / "noise.npz"
    sweeps = np.random.default_rng(0).normal(0.0, 0.01, (3, 2000))
    np.savez(path, sweeps=sweeps, sampling_rate=20e3, units="mV")
    return path


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (["--min-snr", "-1"], "--min-snr"),
        (["--min-snr", "nan"], "--min-snr"),
        (["--max-baseline-noise", "-0.1 mV"], "--max-baseline-noise"),
        (["--max-baseline-noise", "0 mV"], "--max-baseline-noise"),
        (["--max-baseline-noise", "nan mV"], "--max-baseline-noise"),
        (["--stimulus-time", "5 s"], "--stimulus-time"),
        (
            ["--stimulus-time", "5 ms", "--slope-method", "window", "--window", "50-200 ms"],
            "--window",
        ),
        (["--slope-method", "window", "--window", "150-200 ms"], "--window"),
    ],
)
def test_bad_measure_options_are_exit_2_naming_the_option(tmp_path, extra, field):
    out = tmp_path / "out"
    result = _analyze(str(_noise_npz(tmp_path)), *extra, "--out", str(out))
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {field}"), lines
    assert not out.exists()


def test_stimulus_time_and_window_inside_the_sweep_are_accepted(tmp_path):
    out = tmp_path / "out"
    args = ["--stimulus-time", "5 ms", "--slope-method", "window", "--window", "2-4 ms"]
    result = _analyze(str(_noise_npz(tmp_path)), *args, "--out", str(out))
    assert result.exit_code == 3, result.output  # accepted and written; noise: nothing measured
    assert (out / "summary.json").exists()

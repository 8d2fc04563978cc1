"""``synpharm analyze`` as a slice lab uses it: placement on the average, QC figures, pathways,
exact re-runs, polarity, per-sweep tables and experiments across slices (synthetic recordings
whose truth is known, :mod:`synthetic_slices`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from synthetic_slices import two_pathway_ltp
from typer.testing import CliRunner

from synpharm.cli.main import app


def _analyze(*args: str):
    return CliRunner().invoke(app, ["analyze", *args])


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def slice_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("slice")
    truth = two_pathway_ltp(folder / "slice.npz", seed=0, follow_up=55 * 60.0)
    out = folder / "out"
    result = _analyze(str(folder / "slice.npz"), "--protocol", "ltp", "--pathways", "2",
                      "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    return folder, truth, out, json.loads((out / "summary.json").read_text())


def test_places_found_on_each_pathway_average_are_used_for_every_sweep(slice_run):
    _, _, out, document = slice_run
    summary = document["summary"]
    placements = {p["pathway"]: p for p in summary["placements"]}
    assert set(placements) == {0, 1}
    assert all(p["placement"] == "average" for p in placements.values())
    sweeps = _rows(out / "sweeps.csv")
    for row in sweeps:
        window = placements[int(row["pathway"])]["slope_window_ms"]
        assert [float(row["slope_window_start_ms"]), float(row["slope_window_end_ms"])] == window
    assert {r["pathway"] for r in sweeps} == {"0", "1"}
    assert {r["slope_sign"] for r in sweeps} == {"magnitude"}
    assert all(float(r["fepsp_slope_mV_per_ms"]) > 0 for r in sweeps)  # magnitude
    for name in ("qc_slice_ch0_pathway1.png", "qc_slice_ch0_pathway2.png", "time_course.png",
                 "timecourse.csv", "placements.csv"):  # fmt: skip
        assert (out / name).exists(), name


def test_induction_found_as_the_gap_and_ltp_reported_per_pathway(slice_run):
    _, truth, out, document = slice_run
    summary = document["summary"]
    assert summary["induction_source"] == "gap in sweep times"
    assert summary["induction_time_s"] == pytest.approx(truth["induction"])
    ltp = summary["ltp_by_pathway"]
    assert ltp["0"]["ltp_percent"] > 125 and 80 < ltp["1"]["ltp_percent"] < 120
    course = _rows(out / "timecourse.csv")
    assert {r["pathway"] for r in course} == {"0", "1"}
    baseline = [float(r["percent_of_baseline"]) for r in course
                if r["pathway"] == "0" and -10 < float(r["time_min"]) < 0]  # fmt: skip
    assert np.mean(baseline) == pytest.approx(100.0, abs=1e-9)  # binned % of its own baseline


def test_stored_places_repeat_the_run_exactly(slice_run):
    folder, _, out, document = slice_run
    placements = sorted(document["summary"]["placements"], key=lambda p: p["pathway"])
    args = ["--stimulus-time", f"{placements[0]['stimulus_time_ms']!r} ms",
            "--blank", f"{placements[0]['blank_ms']!r} ms"]  # fmt: skip
    for p in placements:
        start, end = p["slope_window_ms"]
        args += ["--window", f"{start!r}-{end!r} ms", "--peak", f"{p['peak_ms']!r} ms",
                 "--volley", f"{p['volley_ms']!r} ms"]  # fmt: skip
    again = folder / "again"
    result = _analyze(str(folder / "slice.npz"), "--protocol", "ltp", "--pathways", "2",
                      *args, "--out", str(again))  # fmt: skip
    assert result.exit_code == 0, result.output
    first, second = _rows(out / "sweeps.csv"), _rows(again / "sweeps.csv")
    for name in ("fepsp_slope_mV_per_ms", "fepsp_amplitude_mV", "fiber_volley_amplitude_mV"):
        assert [r[name] for r in first] == [r[name] for r in second], name
    manual = json.loads((again / "summary.json").read_text())["summary"]["placements"]
    assert all(m["manual"] == ["peak", "volley", "window"] for m in manual)


def test_positive_field_measured_with_polarity_positive_or_auto(tmp_path):
    two_pathway_ltp(tmp_path / "neg.npz", seed=2, baseline=300.0, follow_up=300.0)
    with np.load(tmp_path / "neg.npz") as data:
        np.savez(tmp_path / "pos.npz", **{**data, "sweeps": -data["sweeps"]})
    slopes = {}
    for name, extra in [("neg", []), ("pos", ["--polarity", "positive"]),
                        ("pos", ["--polarity", "auto"]),
                        ("pos", ["--polarity", "auto", "--slope-sign", "signed"])]:  # fmt: skip
        out = tmp_path / f"{name}{len(extra)}{extra[-1] if extra else ''}"
        result = _analyze(str(tmp_path / f"{name}.npz"), "--pathways", "2", *extra,
                          "--out", str(out))  # fmt: skip
        assert result.exit_code == 0, result.output
        rows = _rows(out / "sweeps.csv")
        slopes[(name, *extra)] = np.array([float(r["fepsp_slope_mV_per_ms"]) for r in rows])
    reference = slopes[("neg",)]
    assert np.array_equal(slopes[("pos", "--polarity", "positive")], reference)
    assert np.array_equal(slopes[("pos", "--polarity", "auto")], reference)
    signed = slopes[("pos", "--polarity", "auto", "--slope-sign", "signed")]
    assert np.array_equal(signed, reference)  # a positive field rises: signed slope > 0


def test_wrong_polarity_leaves_most_sweeps_unmeasured_with_exit_code_3(tmp_path):
    two_pathway_ltp(tmp_path / "neg.npz", seed=3, baseline=300.0, follow_up=300.0)
    with np.load(tmp_path / "neg.npz") as data:
        np.savez(tmp_path / "pos.npz", **{**data, "sweeps": -data["sweeps"]})
    result = _analyze(str(tmp_path / "pos.npz"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 3
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "pos.npz channel 0" in warnings[0]


def test_per_sweep_table_from_another_tool_is_resummarised(tmp_path):
    time = np.arange(0.0, 85 * 60.0, 30.0)
    slope = np.where(time >= 20 * 60.0, 0.3, 0.2) * (1 + 0.01 * np.sin(time))
    path = tmp_path / "other_tool.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["time_s", "slope"])
        writer.writerows(zip(time.tolist(), slope.tolist(), strict=True))
    out = tmp_path / "out"
    result = _analyze(str(path), "--protocol", "ltp", "--induction", "20 min", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())["summary"]
    pre = slope[(time >= 10 * 60.0) & (time < 20 * 60.0)].mean()
    late = slope[(time >= 70 * 60.0) & (time < 80 * 60.0)].mean()
    got = summary["ltp_by_pathway"]["0"]["ltp_percent"]
    assert got == pytest.approx(100.0 * late / pre, rel=1e-12)
    assert (out / "timecourse.csv").exists() and (out / "time_course.png").exists()


def _direct_ltp(path: Path, induction: float) -> dict[int, float]:
    """LTP per pathway computed directly: slopes of the 20-80 % window of each pathway's
    averaged baseline sweep (sweeps before the induction), 50-60 min after induction over the
    10 min before, x 100."""
    from synpharm.analysis.fepsp import measure_fepsp
    from synpharm.analysis.fepsp_events import detect_stimulus_artifact

    with np.load(path) as data:
        sweeps, time = data["sweeps"] * 1e-3, data["sweep_time"]
    artifact = detect_stimulus_artifact(sweeps, 10e3)
    out = {}
    for pathway in (0, 1):
        rows = np.arange(sweeps.shape[0]) % 2 == pathway
        baseline = rows & (time < induction)
        average = measure_fepsp(sweeps[baseline].mean(axis=0), 10e3, artifact.stimulus_time,
                                blank_duration=artifact.blank_duration)  # fmt: skip
        window = tuple(average.slope_window[0])
        slope = -measure_fepsp(sweeps[rows], 10e3, artifact.stimulus_time, slope_method="window",
                               window=window, blank_duration=artifact.blank_duration,
                               min_snr=0.0).fepsp_slope  # fmt: skip
        t = time[rows] + artifact.stimulus_time - induction
        pre = slope[(t >= -600.0) & (t < 0.0)].mean()
        out[pathway] = 100.0 * slope[(t >= 3000.0) & (t < 3600.0)].mean() / pre
    return out


def test_sheet_of_six_slices_in_two_conditions_matches_a_direct_computation(tmp_path):
    rows = []
    for k in range(6):
        condition = "control" if k < 3 else "drug"
        path = tmp_path / f"slice{k}.npz"
        truth = two_pathway_ltp(path, ltp=1.5 if k < 3 else 1.1, seed=10 + k, baseline=600.0,
                                follow_up=3660.0, interval=30.0)  # fmt: skip
        rows.append([path.name, f"s{k}", condition, "test;control",
                     f"{truth['induction']!r} s"])  # fmt: skip
    sheet = tmp_path / "experiment.csv"
    with sheet.open("w", newline="") as handle:
        header = ["file", "slice", "condition", "pathways", "induction"]
        csv.writer(handle).writerows([header, *rows])
    out = tmp_path / "out"
    result = _analyze("--sheet", str(sheet), "--slope-method", "rise", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())["summary"]
    direct = {r[1]: _direct_ltp(tmp_path / r[0], float(r[4].split()[0])) for r in rows}
    groups = {(g["condition"], g["role"]): g for g in summary["slice_groups"]}
    for condition, members in (("control", ["s0", "s1", "s2"]), ("drug", ["s3", "s4", "s5"])):
        for role, pathway in (("test", 0), ("control", 1)):
            values = np.array([direct[s][pathway] for s in members])
            group = groups[(condition, role)]
            assert group["n"] == 3
            assert group["ltp_percent"] == pytest.approx(values.mean(), rel=1e-9)
            assert group["sem"] == pytest.approx(values.std(ddof=1) / np.sqrt(3), rel=1e-9)
    welch = next(t for t in summary["tests"] if t["test"] == "Welch t test")
    control = [direct[s][0] for s in ("s0", "s1", "s2")]
    drug = [direct[s][0] for s in ("s3", "s4", "s5")]
    expected = stats.ttest_ind(drug, control, equal_var=False)
    assert welch["t"] == pytest.approx(expected.statistic, rel=1e-9)
    assert welch["p"] == pytest.approx(expected.pvalue, rel=1e-9)
    paired = [t for t in summary["tests"] if t["test"] == "paired t test"]
    assert len(paired) == 2 and all(t["n"] == [3] for t in paired)
    for name in ("slices.csv", "group_timecourse.csv", "group_time_course.png"):
        assert (out / name).exists(), name


def test_bad_sheet_is_one_error_line_and_nothing_written(tmp_path):
    sheet = tmp_path / "experiment.csv"
    sheet.write_text("file,slice\nx.npz,s1\n")
    out = tmp_path / "out"
    result = _analyze("--sheet", str(sheet), "--out", str(out))
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: --sheet"), lines
    assert not out.exists()

"""Files of one slice joined into one time course; induction found where the protocol changes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from synthetic_slices import two_pathway_ltp
from typer.testing import CliRunner

from synpharm.cli.main import app
from synpharm.io import read_recording
from synpharm.io.join import file_boundaries, join_recordings

INTERVAL = 15.0


def _split(tmp_path: Path, *, protocols=("baseline", "follow-up"), start_times=None,
           post_interval_factor: int = 1) -> tuple[list[Path], dict]:  # fmt: skip
    """A two-pathway LTP recording saved as a baseline file and a follow-up file.

    Each file's sweep times start at 0 (as acquisition software writes them). The follow-up
    file's sweep times are stretched by ``post_interval_factor`` (a slower protocol).
    """
    whole = tmp_path / "whole.npz"
    truth = two_pathway_ltp(whole, baseline=600.0, follow_up=3660.0, interval=INTERVAL)
    with np.load(whole) as data:
        sweeps, time = data["sweeps"], data["sweep_time"]
    before = time < truth["induction"]
    after = np.flatnonzero(~before)
    paths = []
    for k, rows in enumerate((np.flatnonzero(before), after)):
        factor = post_interval_factor if k else 1
        path = tmp_path / f"part{k}.npz"
        extra = {} if start_times is None else {"start_time": start_times[k]}
        sweep_time = (time[rows] - time[rows][0]) * factor
        np.savez(path, sweeps=sweeps[rows], sampling_rate=10e3, units="mV",
                 sweep_time=sweep_time, protocol=protocols[k], **extra)  # fmt: skip
        paths.append(path)
    return paths, truth


def test_a_protocol_name_change_between_files_is_the_induction(tmp_path):
    paths, truth = _split(tmp_path)
    recordings = [read_recording(p) for p in paths]
    (boundary,) = file_boundaries(recordings)
    n_before = int(np.sum(truth["time"] < truth["induction"]))
    # baseline file: sweeps at 0 .. (n-1) x 15 s; the induction one interval after the last
    assert boundary.time == pytest.approx(n_before * INTERVAL)
    assert boundary.reasons == ("protocol 'baseline' -> 'follow-up'",)
    joined = join_recordings(recordings)
    assert joined.sweeps.shape[0] == sum(r.sweeps.shape[0] for r in recordings)
    assert np.all(np.diff(joined.sweep_time) > 0)
    assert np.array_equal(joined.sweep[:4] % 2, [0, 1, 0, 1])


def test_a_sweep_interval_change_is_found_without_protocol_names(tmp_path):
    paths, _ = _split(tmp_path, protocols=("", ""), post_interval_factor=2)
    (boundary,) = file_boundaries([read_recording(p) for p in paths])
    assert boundary.reasons == ("sweep interval 15 s -> 30 s",)


def test_same_protocol_no_pause_is_no_boundary(tmp_path):
    paths, _ = _split(tmp_path, protocols=("same", "same"))
    (boundary,) = file_boundaries([read_recording(p) for p in paths])
    assert boundary.reasons == ()


def test_start_times_order_the_files_and_reveal_a_pause(tmp_path):
    paths, truth = _split(tmp_path, protocols=("same", "same"), start_times=(1e9, 1e9 + 720.0))
    recordings = [read_recording(p) for p in reversed(paths)]  # given in the wrong order
    (boundary,) = file_boundaries(recordings)
    assert boundary.file == "part1.npz"
    assert boundary.time == pytest.approx(truth["induction"])  # 40 sweeps x 15 s = 600 s
    assert boundary.reasons and boundary.reasons[0].startswith("pause of 135 s")
    joined = join_recordings(recordings)
    assert joined.sweep_time[-1] == pytest.approx(720.0 + (truth["time"][-1] - 720.0))


def _summary(*args: str) -> dict:
    result = CliRunner().invoke(app, ["analyze", "--protocol", "ltp", "--pathways", "2", *args])
    assert result.exit_code == 0, result.output
    return json.loads(Path(args[args.index("--out") + 1], "summary.json").read_text())["summary"]


def test_join_puts_the_induction_at_the_protocol_change_and_the_option_wins(tmp_path):
    paths, _ = _split(tmp_path)
    files = [str(p) for p in paths]
    summary = _summary(*files, "--join", "--out", str(tmp_path / "a"))
    assert summary["induction_time_s"] == pytest.approx(40 * INTERVAL)
    assert summary["induction_source"] == "between files: protocol 'baseline' -> 'follow-up'"
    assert summary["joined_files"][0]["file"] == "part1.npz"
    assert summary["files"] == files
    assert summary["ltp_by_pathway"]["0"]["ltp_percent"] > 130.0
    stated = _summary(*files, "--join", "--induction", "9 min", "--out", str(tmp_path / "b"))
    assert (stated["induction_time_s"], stated["induction_source"]) == (540.0, "option")


def test_join_refuses_files_of_different_settings(tmp_path):
    paths, _ = _split(tmp_path)
    other = tmp_path / "other.npz"
    np.savez(other, sweeps=np.zeros((4, 300)), sampling_rate=20e3, units="mV",
             sweep_time=np.arange(4.0))  # fmt: skip
    result = CliRunner().invoke(
        app, ["analyze", str(paths[0]), str(other), "--join", "--out", str(tmp_path / "c")]
    )
    assert result.exit_code == 2
    assert "error: --join" in result.output


def test_precedence_option_then_tag_then_boundary_then_gap(tmp_path):
    from dataclasses import replace

    from synpharm.analysis.workflow.summary import event_time
    from synpharm.io._recording import Tag

    paths, _ = _split(tmp_path)
    recordings = [read_recording(p) for p in paths]
    boundaries = file_boundaries(recordings)
    joined = join_recordings(recordings)
    tagged = replace(joined, tags=(Tag(300.0, "TBS"),))
    settings = {"induction": None}
    assert event_time([joined], settings, "induction", boundaries)[0] == 600.0
    assert event_time([tagged], settings, "induction", boundaries) == (300.0, "file tag")
    stated = {"induction": "2 min"}
    assert event_time([tagged], stated, "induction", boundaries) == (120.0, "option")
    # no boundary change: the pause inside the sweep times (none here, the files abut)
    assert event_time([joined], settings, "induction", ())[1] == "none"


def test_a_sheet_row_of_several_files_is_one_joined_slice(tmp_path):
    import csv

    rows = []
    for k in range(2):
        folder = tmp_path / f"s{k}"
        folder.mkdir()
        paths, _ = _split(folder)
        rows.append([f"s{k}/part0.npz;s{k}/part1.npz", f"s{k}", "control", "test;control"])
    sheet = tmp_path / "experiment.csv"
    with sheet.open("w", newline="") as handle:
        csv.writer(handle).writerows([["file", "slice", "condition", "pathways"], *rows])
    result = CliRunner().invoke(app, ["analyze", "--sheet", str(sheet), "--out",
                                      str(tmp_path / "out")])  # fmt: skip
    assert result.exit_code == 0, result.output
    slices = json.loads((tmp_path / "out" / "summary.json").read_text())["summary"]["slices"]
    direct = _summary(str(paths[0]), str(paths[1]), "--join", "--out", str(tmp_path / "d"))
    test = next(s for s in slices if s["slice"] == "s1" and s["pathway_role"] == "test")
    assert test["ltp_percent"] == pytest.approx(direct["ltp_by_pathway"]["0"]["ltp_percent"])

"""Spine density from MapManager annotations: real data, a hand count, and bad input."""

from __future__ import annotations

import csv
import itertools
import json
import math
import shutil
from pathlib import Path

import pytest

from synpharm.analysis.spines import analyze_spine_files, polyline_length_um
from synpharm.errors import InputError
from synpharm.io.mapmanager import read_mapmanager

DATA = Path(__file__).resolve().parents[1] / "data" / "spines_mapmanager_rr30a"


@pytest.fixture(scope="module")
def folder() -> Path:
    return DATA


@pytest.fixture()
def copy(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "rr30a"
    shutil.copytree(folder, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


def _hand_count(folder: Path, segment_id: str) -> tuple[int, float]:
    """Spines of one segment counted row by row, and its length by a plain loop."""
    with (folder / "points.csv").open() as handle:
        n_spines = sum(1 for row in csv.DictReader(handle) if row["segmentID"] == segment_id)
    voxel = json.loads((folder / "metadata.json").read_text())["voxel"]
    with (folder / "line_segments.csv").open() as handle:
        row = next(r for r in csv.DictReader(handle) if r["segmentID"] == segment_id)
    inside = row["segment"].split("(", 1)[1].rstrip(")")
    vertices = [[float(v) for v in vertex.split()] for vertex in inside.split(",")]
    length = 0.0
    for (x0, y0, z0), (x1, y1, z1) in itertools.pairwise(vertices):
        dx, dy, dz = (x1 - x0) * voxel["x"], (y1 - y0) * voxel["y"], (z1 - z0) * voxel["z"]
        length += math.sqrt(dx * dx + dy * dy + dz * dz)
    return n_spines, length


@pytest.mark.parametrize("segment_id", ["0", "2", "4"])
def test_density_matches_a_hand_count(folder, segment_id):
    n_spines, length = _hand_count(folder, segment_id)
    result = analyze_spine_files([folder])
    row = next(r for r in result["segments"] if r["segment"] == int(segment_id))
    assert row["n_spines"] == n_spines
    assert row["length_um"] == pytest.approx(length, rel=1e-12)
    assert row["density_per_10um"] == pytest.approx(10 * n_spines / length, rel=1e-12)


def test_density_is_plausible_and_all_spines_are_counted(folder):
    result = analyze_spine_files([folder])
    summary = result["summary"]
    with (folder / "points.csv").open() as handle:
        assert summary["n_spines"] == sum(1 for _ in csv.DictReader(handle))
    assert 0.5 <= summary["density_per_um"] <= 5.0
    assert all(0.2 <= row["density_per_um"] <= 5.0 for row in result["segments"])
    assert summary["n_segments"] == len(result["segments"]) == 5


def test_pixel_to_um_conversion_uses_every_axis():
    points = [[0, 0, 0], [10, 0, 0], [10, 10, 0], [10, 10, 3]]
    assert polyline_length_um(points, (0.5, 0.2, 2.0)) == pytest.approx(5.0 + 2.0 + 6.0)


def test_morphology_is_reported_unavailable_not_invented(folder):
    result = analyze_spine_files([folder])
    assert result["summary"]["morphology"]["classified"] is False
    assert "head" in result["summary"]["morphology"]["reason"]
    for row in result["segments"]:
        assert row["thin"] is None and row["stubby"] is None and row["mushroom"] is None
        assert 0.1 < row["spine_length_um_median"] < 10.0


def test_output_is_json_and_files_equal_folder(folder):
    from_folder = analyze_spine_files([folder])
    from_files = analyze_spine_files(
        [folder / "points.csv", folder / "line_segments.csv", folder / "metadata.json"]
    )
    from_one_file = analyze_spine_files([str(folder / "points.csv")])
    assert json.loads(json.dumps(from_folder)) == from_folder
    assert from_files == from_folder == from_one_file
    assert from_folder["units"]["density_per_10um"] == "spines/10 um"


def test_reader_reads_voxel_size_with_its_unit(folder):
    data = read_mapmanager(folder)
    assert data.voxel_size_um == pytest.approx((0.12, 0.12, 1.0))
    assert len(data.spines) == 139


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, count))


def test_voxel_unit_in_nanometres_is_converted(copy):
    metadata = json.loads((copy / "metadata.json").read_text())
    metadata["voxel"] = {"x": 120, "y": 120, "z": 1000}
    metadata["physicalSize"] = {"x": 122880, "y": 122880, "unit": "nm"}
    (copy / "metadata.json").write_text(json.dumps(metadata))
    assert read_mapmanager(copy).voxel_size_um == pytest.approx((0.12, 0.12, 1.0))


def test_missing_unit_is_an_error_unless_stated(copy):
    metadata = json.loads((copy / "metadata.json").read_text())
    del metadata["physicalSize"]["unit"]
    (copy / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(InputError, match="no unit"):
        analyze_spine_files([copy])
    stated = analyze_spine_files([copy], voxel_size_um=(0.12, 0.12, 1.0))
    assert stated["summary"]["n_spines"] == 139


@pytest.mark.parametrize(
    ("target", "old", "new", "message"),
    [
        ("metadata.json", '"x": 0.12', '"x": 0.24', "disagree"),
        ("metadata.json", '"voxel"', '"voxels"', "voxel"),
        ("points.csv", '"POINT (431 239)"', '"POINT (431 abc)"', "WKT point"),
        ("points.csv", ",31,31,4,0,0", ",thirty,31,4,0,0", "not a number"),
        ("points.csv", '"spineID","segmentID"', '"spineID","segment_id"', "missing column"),
        ("points.csv", "\n0,0,", "\n0,9,", "not traced"),
        ("line_segments.csv", "LINESTRING Z (354 240 31,", "LINESTRING Z (354 240,", "coordinates"),
        ("line_segments.csv", '"LINESTRING Z (354', '"POLYGON Z (354', "LINESTRING"),
    ],
)
def test_corrupt_input_raises_input_error(copy, target, old, new, message):
    _edit(copy / target, old, new, count=2)  # line_segments.csv: rough and final tracing
    with pytest.raises(InputError, match=message):
        analyze_spine_files([copy])


@pytest.mark.parametrize(
    ("section", "value"),
    [("size", "wide"), ("size", None), ("physicalSize", "big"), ("physicalSize", None)],
)
def test_non_numeric_stack_size_names_the_metadata_field(copy, section, value):
    metadata = json.loads((copy / "metadata.json").read_text())
    metadata[section]["x"] = value
    (copy / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(InputError, match=rf"metadata\.json\.{section}\.x: .*not a positive"):
        analyze_spine_files([copy])


def test_missing_files_and_foreign_files_are_errors(copy, tmp_path):
    (copy / "line_segments.csv").unlink()
    with pytest.raises(InputError, match=r"line_segments\.csv"):
        analyze_spine_files([copy])
    other = tmp_path / "notes.txt"
    other.write_text("x")
    with pytest.raises(InputError, match="not a MapManager file"):
        analyze_spine_files([other])
    with pytest.raises(InputError, match="does not exist"):
        analyze_spine_files([tmp_path / "nowhere"])
    with pytest.raises(InputError, match="no MapManager"):
        analyze_spine_files([])


def test_truncated_points_file_is_an_error(copy):
    text = (copy / "points.csv").read_text()
    (copy / "points.csv").write_text(text[: len(text) // 2])
    with pytest.raises(InputError):
        analyze_spine_files([copy])


def _with_second_session(path: Path) -> None:
    """Append a copy of every row as session t = 1 (MapManager time series)."""
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    with path.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, quoting=csv.QUOTE_NONNUMERIC)
        for row in rows:
            writer.writerow({**row, "t": "1"})


def test_sessions_are_kept_apart(copy):
    single = analyze_spine_files([copy])
    _with_second_session(copy / "points.csv")
    _with_second_session(copy / "line_segments.csv")
    double = analyze_spine_files([copy])
    assert double["summary"]["n_segments"] == 2 * single["summary"]["n_segments"]
    later = [row for row in double["segments"] if row["timepoint"] == 1]
    assert [r["n_spines"] for r in later] == [r["n_spines"] for r in single["segments"]]


def test_planar_tracing_gives_planar_length(copy):
    path = copy / "line_segments.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for key in ("roughTracing", "segment"):
            inside = row[key].split("(", 1)[1].rstrip(")")
            planar = ", ".join(" ".join(v.split()[:2]) for v in inside.split(","))
            row[key] = f"LINESTRING ({planar})"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), quoting=csv.QUOTE_NONNUMERIC)
        writer.writeheader()
        writer.writerows(rows)
    flat = analyze_spine_files([copy], voxel_size_um=(0.12, 0.12, 1.0))
    data = read_mapmanager(copy)
    for row, segment in zip(flat["segments"], data.segments, strict=True):
        assert row["length_in_3d"] is False
        planar_um = polyline_length_um(segment.points_px, (0.12, 0.12, 0.0))
        assert row["length_um"] == pytest.approx(planar_um)

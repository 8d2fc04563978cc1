"""Reader for MapManager spine annotations: traced dendrites and the spines attached to them.

A MapManager export (e.g. ``MapManagerCore`` ``data/rr30a_s0u/``) is a folder with three files:

``points.csv``
    One row per spine: ``spineID``, ``segmentID``, ``point`` (spine head, WKT ``POINT (x y)``
    in pixels), ``anchor`` (attachment point on the dendrite, WKT, pixels), ``z`` and ``anchorZ``
    (image plane of head and anchor), ``t`` (session / time point, optional).
``line_segments.csv``
    One row per traced dendrite: ``segmentID``, ``segment`` (WKT ``LINESTRING Z (x y z, ...)``,
    pixels and image planes), optionally ``roughTracing``, ``radius`` and ``t``.
``metadata.json``
    ``voxel`` sizes ``{"x", "y", "z"}`` and ``physicalSize`` with its ``unit`` (e.g. ``"µm"``).

Coordinates stay in pixels / planes in :class:`MapManagerData`; :attr:`MapManagerData.voxel_size_um`
converts them. The voxel unit is read from ``physicalSize.unit`` and checked against the stack
size (``size.x * voxel.x == physicalSize.x``); a missing or inconsistent unit is an
:class:`~synpharm.errors.InputError` unless the caller states the voxel size.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from synpharm.errors import InputError

__all__ = [
    "MapManagerData",
    "Spine",
    "TracedSegment",
    "read_mapmanager",
    "resolve_mapmanager_folders",
]

FloatArray = NDArray[np.float64]

POINTS_FILE = "points.csv"
SEGMENTS_FILE = "line_segments.csv"
METADATA_FILE = "metadata.json"

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_POINT = re.compile(
    rf"^\s*POINT\s*(Z\s*)?\(\s*({_NUMBER})\s+({_NUMBER})(?:\s+({_NUMBER}))?\s*\)\s*$"
)
_LINESTRING = re.compile(r"^\s*LINESTRING\s*(Z\s*)?\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class TracedSegment:
    """One traced dendrite.

    Attributes
    ----------
    segment_id
        MapManager ``segmentID``.
    timepoint
        MapManager ``t`` (imaging session), 0 when the file has no ``t`` column.
    points_px
        Polyline vertices, shape ``(n_points, 3)``: x and y in pixels, z in image planes.
    has_z
        Whether the tracing carried z (``LINESTRING Z``); otherwise z is 0 and lengths are in x-y.
    """

    segment_id: int
    timepoint: int
    points_px: FloatArray
    has_z: bool


@dataclass(frozen=True)
class Spine:
    """One annotated spine (head and attachment point in pixels / image planes)."""

    spine_id: int
    segment_id: int
    timepoint: int
    head_px: tuple[float, float, float]
    anchor_px: tuple[float, float, float]


@dataclass(frozen=True)
class MapManagerData:
    """The contents of one MapManager folder, coordinates in pixels.

    Attributes
    ----------
    folder
        Where the files were read from.
    voxel_size_um
        ``(x, y, z)`` size of one voxel [um].
    segments
        Traced dendrites, in file order.
    spines
        Annotated spines, in file order.
    """

    folder: Path
    voxel_size_um: tuple[float, float, float]
    segments: tuple[TracedSegment, ...]
    spines: tuple[Spine, ...]


# ----------------------------------------------------------------------------- helpers


def _parse_point(text: str, field: str) -> tuple[float, float]:
    match = _POINT.match(text or "")
    if match is None:
        raise InputError(field, f"{text!r} is not a WKT point", "write 'POINT (x y)' in pixels")
    return float(match.group(2)), float(match.group(3))


def _parse_linestring(text: str, field: str) -> tuple[FloatArray, bool]:
    match = _LINESTRING.match(text or "")
    if match is None:
        raise InputError(
            field, "is not a WKT LINESTRING", "write 'LINESTRING Z (x y z, ...)' in pixels"
        )
    has_z = bool(match.group(1))
    width = 3 if has_z else 2
    vertices = []
    for vertex in match.group(2).split(","):
        parts = vertex.split()
        try:
            values = [float(part) for part in parts]
        except ValueError:
            raise InputError(field, f"vertex {vertex.strip()!r} is not numeric", "") from None
        if len(values) != width:
            raise InputError(
                field, f"vertex {vertex.strip()!r} has {len(values)} coordinates, not {width}", ""
            )
        vertices.append(values if has_z else [*values, 0.0])
    points = np.asarray(vertices, dtype=np.float64)
    if points.shape[0] < 2:
        raise InputError(field, "a traced segment needs at least two vertices", "")
    if not np.all(np.isfinite(points)):
        raise InputError(field, "has non-finite coordinates", "")
    return points, has_z


def _number(row: dict[str, str], key: str, field: str, default: float | None = None) -> float:
    text = row.get(key)
    if text is None or text.strip() == "":
        if default is not None:
            return default
        raise InputError(f"{field}.{key}", "is empty", "give a number")
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{field}.{key}", f"{text!r} is not a number", "give a number") from None
    if not math.isfinite(value):
        raise InputError(f"{field}.{key}", f"{text!r} is not finite", "give a finite number")
    return value


def _integer(row: dict[str, str], key: str, field: str, default: int | None = None) -> int:
    value = _number(row, key, field, None if default is None else float(default))
    if value != int(value):
        raise InputError(f"{field}.{key}", f"{value!r} is not an integer id", "")
    return int(value)


def _read_rows(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = reader.fieldnames or []
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(str(path), f"cannot read the CSV file ({error})", "") from None
    missing = [name for name in required if name not in header]
    if missing:
        raise InputError(
            str(path),
            f"missing column(s) {', '.join(missing)}",
            "export points.csv and line_segments.csv from MapManager",
        )
    return rows


def _voxel_size_from_metadata(path: Path) -> tuple[float, float, float]:
    from synpharm.units import parse_quantity

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        voxel = document["voxel"]
        sizes = [float(voxel[axis]) for axis in ("x", "y", "z")]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(
            str(path), f"no voxel sizes x, y, z ({type(error).__name__}: {error})", ""
        ) from None
    physical = document.get("physicalSize") or {}
    unit = physical.get("unit") if isinstance(physical, dict) else None
    if not unit:
        raise InputError(
            f"{path}.physicalSize.unit",
            "the voxel size has no unit",
            "add the unit to metadata.json or state the voxel size (voxel_size_um)",
        )
    if not all(math.isfinite(s) and s > 0 for s in sizes):
        raise InputError(f"{path}.voxel", f"voxel sizes {sizes} must be positive", "")
    metres = [parse_quantity(f"{s!r} {unit}", "length", f"{path}.voxel") for s in sizes]
    _check_physical_size(path, document, sizes)
    return (metres[0] * 1e6, metres[1] * 1e6, metres[2] * 1e6)


def _check_physical_size(path: Path, document: dict, sizes: list[float]) -> None:
    physical, stack = document.get("physicalSize") or {}, document.get("size") or {}
    if not isinstance(stack, dict):
        raise InputError(f"{path}.size", f"{stack!r} is not an object", 'e.g. {"x": 1024}')
    for index, axis in enumerate(("x", "y")):
        if axis in physical and axis in stack:
            count = _metadata_number(path, stack, "size", axis)
            expected = count * sizes[index]
            stated = _metadata_number(path, physical, "physicalSize", axis)
            if not math.isclose(stated, expected, rel_tol=1e-3):
                raise InputError(
                    f"{path}.physicalSize.{axis}",
                    f"{physical[axis]} is not size.{axis} x voxel.{axis} = {expected:.6g}",
                    "the voxel size and the physical size disagree; fix metadata.json",
                )


def _metadata_number(path: Path, section: dict, name: str, axis: str) -> float:
    """``section[axis]`` of metadata.json as a finite positive number."""
    value = section[axis]
    try:
        number = math.nan if isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise InputError(
            f"{path}.{name}.{axis}",
            f"{value!r} is not a positive number",
            "fix metadata.json or state the voxel size (voxel_size_um)",
        )
    return number


def _read_segments(path: Path) -> tuple[TracedSegment, ...]:
    rows = _read_rows(path, ["segmentID", "segment"])
    segments, seen = [], set()
    for index, row in enumerate(rows):
        field = f"{path.name}[{index}]"
        segment_id = _integer(row, "segmentID", field)
        timepoint = _integer(row, "t", field, default=0)
        if (timepoint, segment_id) in seen:
            raise InputError(f"{field}.segmentID", f"segment {segment_id} appears twice", "")
        seen.add((timepoint, segment_id))
        points, has_z = _parse_linestring(row.get("segment", ""), f"{field}.segment")
        segments.append(TracedSegment(segment_id, timepoint, points, has_z))
    if not segments:
        raise InputError(str(path), "has no traced segments", "")
    return tuple(segments)


def _read_spines(path: Path, known: set[tuple[int, int]]) -> tuple[Spine, ...]:
    rows = _read_rows(path, ["spineID", "segmentID", "point", "anchor", "z"])
    spines = []
    for index, row in enumerate(rows):
        field = f"{path.name}[{index}]"
        segment_id = _integer(row, "segmentID", field)
        timepoint = _integer(row, "t", field, default=0)
        if (timepoint, segment_id) not in known:
            raise InputError(
                f"{field}.segmentID",
                f"spine on segment {segment_id} (t={timepoint}), which is not traced",
                "the spine table and the segment table do not belong together",
            )
        head_z = _number(row, "z", field)
        anchor_z = _number(row, "anchorZ", field, default=head_z)
        head = (*_parse_point(row["point"], f"{field}.point"), head_z)
        anchor = (*_parse_point(row["anchor"], f"{field}.anchor"), anchor_z)
        spines.append(Spine(_integer(row, "spineID", field), segment_id, timepoint, head, anchor))
    return tuple(spines)


# ----------------------------------------------------------------------------- public API


def resolve_mapmanager_folders(paths: Sequence[str | Path]) -> list[dict[str, Path]]:
    """Group paths (folders or the individual files) into MapManager data sets.

    A folder stands for its ``points.csv``, ``line_segments.csv`` and ``metadata.json``; a file is
    recognised by its name (``*points*.csv``, ``*segment*.csv``, ``*.json``) and completed with the
    missing members from its own folder.

    Returns
    -------
    list of dict
        One mapping per data set with keys ``"points"``, ``"segments"``, ``"metadata"``.
    """
    if not paths:
        raise InputError("paths", "no MapManager files or folders given", "name a folder")
    groups: dict[Path, dict[str, Path]] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            groups.setdefault(path.resolve(), {})
            continue
        if not path.is_file():
            raise InputError(str(path), "does not exist", "give a MapManager folder or its files")
        groups.setdefault(path.parent.resolve(), {})[_role(path)] = path
    datasets = []
    for folder, members in groups.items():
        defaults = {"points": POINTS_FILE, "segments": SEGMENTS_FILE, "metadata": METADATA_FILE}
        for role, name in defaults.items():
            if role not in members:
                candidate = folder / name
                if not candidate.is_file():
                    raise InputError(
                        str(folder), f"has no {name}", f"put {name} beside the other files"
                    )
                members[role] = candidate
        datasets.append(members)
    return datasets


def _role(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".json"):
        return "metadata"
    if name.endswith(".csv") and "segment" in name:
        return "segments"
    if name.endswith(".csv") and "point" in name:
        return "points"
    raise InputError(
        str(path),
        "is not a MapManager file",
        "give points.csv, line_segments.csv, metadata.json or their folder",
    )


def read_mapmanager(
    path: str | Path | dict[str, Path],
    voxel_size_um: tuple[float, float, float] | None = None,
) -> MapManagerData:
    """Read one MapManager data set.

    Parameters
    ----------
    path
        The folder, or a mapping ``{"points", "segments", "metadata"}`` of file paths (as
        returned by :func:`resolve_mapmanager_folders`).
    voxel_size_um
        ``(x, y, z)`` voxel size [um], for metadata without a unit; overrides metadata.json.

    Raises
    ------
    InputError
        Missing files or columns, malformed WKT, non-numeric values, spines on untraced
        segments, a voxel size without unit or inconsistent with the physical stack size.

    Examples
    --------
    >>> data = read_mapmanager("tests/data/spines_mapmanager_rr30a")  # doctest: +SKIP
    >>> data.voxel_size_um
    (0.12, 0.12, 1.0)
    """
    files = path if isinstance(path, dict) else resolve_mapmanager_folders([path])[0]
    if voxel_size_um is None:
        voxel = _voxel_size_from_metadata(Path(files["metadata"]))
    else:
        voxel = tuple(float(v) for v in voxel_size_um)
        if len(voxel) != 3 or not all(math.isfinite(v) and v > 0 for v in voxel):
            raise InputError("voxel_size_um", f"{voxel_size_um!r}", "give three positive sizes")
    segments = _read_segments(Path(files["segments"]))
    known = {(s.timepoint, s.segment_id) for s in segments}
    spines = _read_spines(Path(files["points"]), known)
    return MapManagerData(
        folder=Path(files["points"]).parent,
        voxel_size_um=(voxel[0], voxel[1], voxel[2]),
        segments=segments,
        spines=spines,
    )

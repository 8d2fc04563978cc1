"""Spine density and morphology from traced dendrites with annotated spines.

The measurement an anatomist makes (the project's analysis conventions, docs/spine_analysis.md):
density = spines on a traced segment / segment length, usually reported per 10 um. The segment
length is the length of the 3-D polyline of the tracing,

    L = sum_i sqrt((dx_i * vx)^2 + (dy_i * vy)^2 + (dz_i * vz)^2)

with the pixel/plane steps ``dx, dy, dz`` between successive vertices and the voxel size
``(vx, vy, vz)`` [um]. Morphology classes (thin / stubby / mushroom) need head and neck
dimensions (e.g. head diameter > 0.6 um for mushroom, length/head < 1 for stubby; Gabele et al.
2024 criteria, docs/spine_analysis.md); when the data carry only head and
attachment positions (MapManager ``points.csv``), the classes are reported as unavailable with
the reason, and only the spine length (attachment point to head, 3-D, um) is measured.

Works on any MapManager export (:mod:`synpharm.io.mapmanager`); the simulator's spine readouts
(:mod:`synpharm.structure`) report the same quantity, density per 10 um.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from synpharm.errors import InputError
from synpharm.io.mapmanager import MapManagerData, read_mapmanager, resolve_mapmanager_folders

__all__ = [
    "MORPHOLOGY_UNAVAILABLE",
    "analyze_spine_files",
    "polyline_length_um",
    "spine_table",
]

FloatArray = NDArray[np.float64]

#: Why MapManager points cannot be classified into thin / stubby / mushroom.
MORPHOLOGY_UNAVAILABLE = (
    "not classified: the annotations give spine head and attachment positions only; thin/"
    "stubby/mushroom classes need head and neck diameters, which these data do not carry"
)

UNITS = {
    "length_um": "um",
    "density_per_um": "spines/um",
    "density_per_10um": "spines/10 um",
    "spine_length_um_median": "um (attachment point to head, 3-D)",
    "voxel_size_um": "um",
    "thin": "count",
    "stubby": "count",
    "mushroom": "count",
}


def polyline_length_um(points_px: ArrayLikeFloat, voxel_size_um: Sequence[float]) -> float:
    """Length of a traced polyline [um].

    Parameters
    ----------
    points_px
        Vertices, shape ``(n_points, 3)``: x, y in pixels and z in image planes.
    voxel_size_um
        ``(x, y, z)`` voxel size [um].
    """
    points = np.asarray(points_px, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 3 or points.shape[0] < 2:
        raise InputError("points_px", f"shape {points.shape}", "give an (n >= 2, 3) array")
    steps_um = np.diff(points, axis=0) * np.asarray(voxel_size_um, dtype=np.float64)
    return float(np.sqrt((steps_um**2).sum(axis=1)).sum())


ArrayLikeFloat = FloatArray | Sequence[Sequence[float]]


def _spine_lengths_um(data: MapManagerData) -> dict[tuple[int, int], list[float]]:
    voxel = np.asarray(data.voxel_size_um)
    lengths: dict[tuple[int, int], list[float]] = {}
    for spine in data.spines:
        step = (np.asarray(spine.head_px) - np.asarray(spine.anchor_px)) * voxel
        lengths.setdefault((spine.timepoint, spine.segment_id), []).append(
            float(np.sqrt((step**2).sum()))
        )
    return lengths


def spine_table(data: MapManagerData, dataset: str = "") -> list[dict[str, Any]]:
    """One row per traced segment: length, spine count, density, spine length.

    Parameters
    ----------
    data
        A data set read by :func:`synpharm.io.mapmanager.read_mapmanager`.
    dataset
        Label put in each row (the folder name by default).
    """
    lengths = _spine_lengths_um(data)
    rows = []
    for segment in data.segments:
        length_um = polyline_length_um(segment.points_px, data.voxel_size_um)
        if length_um <= 0:
            raise InputError(
                f"{data.folder}/segment {segment.segment_id}", "has zero length", "retrace it"
            )
        spine_lengths = lengths.get((segment.timepoint, segment.segment_id), [])
        n_spines = len(spine_lengths)
        rows.append(
            {
                "dataset": dataset or data.folder.name,
                "segment": segment.segment_id,
                "timepoint": segment.timepoint,
                "length_um": length_um,
                "length_in_3d": segment.has_z,
                "n_spines": n_spines,
                "density_per_um": n_spines / length_um,
                "density_per_10um": 10.0 * n_spines / length_um,
                "thin": None,
                "stubby": None,
                "mushroom": None,
                "spine_length_um_median": float(np.median(spine_lengths))
                if spine_lengths
                else None,
            }
        )
    return rows


def _summary(rows: list[dict[str, Any]], voxels: dict[str, tuple[float, ...]]) -> dict[str, Any]:
    densities = np.array([row["density_per_um"] for row in rows])
    total_length = float(sum(row["length_um"] for row in rows))
    total_spines = int(sum(row["n_spines"] for row in rows))
    return {
        "n_segments": len(rows),
        "n_spines": total_spines,
        "total_length_um": total_length,
        "density_per_um": total_spines / total_length,
        "density_per_10um": 10.0 * total_spines / total_length,
        "segment_density_per_10um_mean": float(10.0 * densities.mean()),
        "segment_density_per_10um_sd": float(10.0 * densities.std(ddof=1))
        if len(rows) > 1
        else None,
        "morphology": {"classified": False, "reason": MORPHOLOGY_UNAVAILABLE},
        "voxel_size_um": {name: list(size) for name, size in voxels.items()},
        "convention": "density = spines on the traced segment / 3-D polyline length",
    }


def analyze_spine_files(
    paths: Sequence[str | Path], voxel_size_um: tuple[float, float, float] | None = None
) -> dict[str, Any]:
    """Spine density per traced segment for MapManager folders or files.

    Parameters
    ----------
    paths
        MapManager folders, or their ``points.csv`` / ``line_segments.csv`` / ``metadata.json``
        files (missing members are taken from the same folder).
    voxel_size_um
        ``(x, y, z)`` voxel size [um] when metadata.json has no unit; overrides it otherwise.

    Returns
    -------
    dict
        JSON-able ``{"segments": [...], "summary": {...}, "units": {...}}``; one segment row has
        ``dataset, segment, timepoint, length_um, n_spines, density_per_um, density_per_10um,
        thin, stubby, mushroom`` (class counts, ``None`` when not classifiable) and
        ``spine_length_um_median``.

    Raises
    ------
    InputError
        Unreadable or inconsistent files (see :func:`synpharm.io.mapmanager.read_mapmanager`).

    Examples
    --------
    >>> result = analyze_spine_files(["tests/data/spines_mapmanager_rr30a"])  # doctest: +SKIP
    >>> round(result["summary"]["density_per_10um"], 1)  # doctest: +SKIP
    """
    rows: list[dict[str, Any]] = []
    voxels: dict[str, tuple[float, ...]] = {}
    for files in resolve_mapmanager_folders(list(paths)):
        data = read_mapmanager(files, voxel_size_um=voxel_size_um)
        label = data.folder.name
        if label in voxels:
            label = str(data.folder)
        voxels[label] = data.voxel_size_um
        rows.extend(spine_table(data, label))
    return {"segments": rows, "summary": _summary(rows, voxels), "units": dict(UNITS)}

"""Readers of real recordings into one in-memory :class:`Recording` (and NWB export).

Heavy libraries (pyabf, pynwb, h5py, scipy.io) are imported only when a file of that format is
read. Units are read from the file and checked, never assumed: a file without units (MATLAB,
NumPy, CSV without units in its header) needs ``units=...`` from the user, and stated units that
differ from the file's are an error.

Examples
--------
>>> from synpharm.io import read_recording
>>> rec = read_recording("traces.mat", variable="traces", sampling_rate=20e3,
...                      units="mV")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from synpharm.errors import InputError
from synpharm.io._recording import Recording, Tag, parse_sampling_rate, si_unit

__all__ = ["FORMATS", "Recording", "Tag", "parse_sampling_rate", "read_recording", "si_unit"]

#: File suffix -> format name.
FORMATS = {
    ".abf": "abf",
    ".nwb": "nwb",
    ".mat": "mat",
    ".csv": "csv",
    ".npy": "numpy",
    ".npz": "numpy",
}


def read_recording(
    path: str | Path,
    *,
    variable: str | None = None,
    sampling_rate: float | None = None,
    units: str | None = None,
    layout: str = "samples_by_sweeps",
) -> Recording:
    """Read a recording file by its suffix (``.abf``, ``.nwb``, ``.mat``, ``.csv``, ``.npy/z``).

    Parameters
    ----------
    path
        The file.
    variable, layout
        MATLAB files: the traces variable and its layout (:func:`synpharm.io.matlab.read_mat`).
    sampling_rate
        Samples per second [Hz], for files that do not state it (MATLAB, NumPy, CSV).
    units
        Units of the values (``"mV"``, ``"pA"``), for files that do not state them; checked
        against the file's units otherwise.

    Raises
    ------
    InputError
        Unknown format, unreadable or corrupt file, missing or mismatched units.
    FileNotFoundError
        No such file.
    """
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            str(path),
            f"unknown recording format {path.suffix or '(no suffix)'!r}",
            f"give one of {', '.join(sorted(FORMATS))}",
        )
    if not path.is_file():
        raise FileNotFoundError(2, "no such file", str(path))
    if kind == "abf":
        from synpharm.io.abf import read_abf

        return read_abf(path, units=units)
    if kind == "nwb":
        from synpharm.io.nwb import read_nwb

        return read_nwb(path, units=units)
    if kind == "mat":
        from synpharm.io.matlab import read_mat

        return read_mat(
            path, variable=variable, sampling_rate=sampling_rate, units=units, layout=layout
        )
    from synpharm.io.text import read_csv, read_numpy

    reader = read_csv if kind == "csv" else read_numpy
    return reader(path, sampling_rate=sampling_rate, units=units)

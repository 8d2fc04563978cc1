"""Optional extras: features whose libraries are not installed with every synpharm.

``pip install synpharm`` brings what a slice experiment, a study, the figures and the report
need. NWB files, SBML export, Dask clusters, Parquet tables (sweeps, ``analyze`` tables) and
``to_xarray()`` need an extra, e.g. ``pip install 'synpharm[nwb]'``; ``[all]`` brings every
one and ``[dev]`` (tests, ``make test``) includes ``[all]``. :func:`require` turns a
missing library into one :class:`~synpharm.errors.InputError` line naming the extra.
"""

from __future__ import annotations

import importlib.util

from synpharm.errors import InputError

__all__ = ["EXTRAS", "require"]

#: extra name -> top-level modules it installs.
EXTRAS: dict[str, tuple[str, ...]] = {
    "nwb": ("pynwb",),
    "sbml": ("libsbml",),
    "dask": ("dask", "distributed"),
    "parquet": ("pyarrow",),
    "xarray": ("xarray",),
}


def require(extra: str, feature: str) -> None:
    """Raise :class:`InputError` unless every module of ``extra`` can be imported.

    Parameters
    ----------
    extra
        A key of :data:`EXTRAS`.
    feature
        What needs it, as the user asked for it (``"--export-nwb"``, ``"synpharm sweep"``).

    Examples
    --------
    >>> require("parquet", "synpharm sweep")  # silent when pyarrow is installed
    """
    missing = [m for m in EXTRAS[extra] if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(
            feature,
            f"needs the optional package {', '.join(missing)}",
            f"install it with: pip install 'synpharm[{extra}]'",
        )

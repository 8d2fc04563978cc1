"""The protocol library: the virtual experiments shipped with synpharm (TOML files here).

``synpharm run NAME`` and the validation targets refer to these by name (file stem), e.g.
``ketamine_slice_ltp``; ``synpharm protocols`` lists them. Copy one to start a new experiment.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["LIBRARY", "library_protocol_path", "library_protocols"]

LIBRARY = Path(__file__).resolve().parent


def library_protocols() -> list[str]:
    """Names of the library protocols, sorted."""
    return sorted(p.stem for p in LIBRARY.glob("*.toml"))


def library_protocol_path(name: str) -> Path | None:
    """Path of library protocol ``name`` (with or without ``.toml``), or ``None``."""
    stem = name.removesuffix(".toml")
    if "/" in stem or "\\" in stem or not stem:
        return None
    path = LIBRARY / f"{stem}.toml"
    return path if path.is_file() else None

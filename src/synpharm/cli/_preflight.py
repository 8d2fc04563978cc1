"""Checks every command makes before any work: output folder, names, memory estimate.

Nothing here writes a file; a failed check is an :class:`~synpharm.errors.InputError`
(exit code 2) that names the option or field and the fix.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from synpharm.safety import check_output_folder, check_printable, inside, safe_file_name

__all__ = [
    "DRY_RUN",
    "OUT_ROOT",
    "OVERWRITE",
    "default_out",
    "prepare_out",
]

OVERWRITE = typer.Option(
    "--overwrite", help="Replace an earlier synpharm output in the folder (never other folders)."
)
DRY_RUN = typer.Option("--dry-run", help="Only print the memory estimate of the run.")

#: folder under the current folder that holds the default outputs
OUT_ROOT = Path("out")


def default_out(name: str, field: str = "name", *parents: str) -> Path:
    """``out/<parents...>/<name>`` with ``name`` through the file-name sanitiser, kept inside."""
    root = OUT_ROOT.joinpath(*parents)
    check_printable(str(name), field)
    return inside(OUT_ROOT, root / safe_file_name(name, field), field)


def prepare_out(out: Path | None, default: Path, *, overwrite: bool, field: str = "--out") -> Path:
    """The output folder (``out`` or ``default``) after :func:`check_output_folder`."""
    return check_output_folder(
        out if out is not None else default, overwrite=overwrite, field=field
    )


#: largest recording file ``synpharm analyze`` reads [bytes]
MAX_RECORDING_BYTES = 1 << 30


def check_recordings(files: list[Path]) -> None:
    """Every recording is a bounded regular file (folders, e.g. of tracings, are allowed)."""
    from synpharm.safety import check_input_file

    for path in files:
        if not os.path.isdir(path):
            check_input_file(path, max_bytes=MAX_RECORDING_BYTES)


def check_store(path: Path) -> Path:
    """A sweep's chunk store: new, empty, or a store (it has ``chunks/`` or ``manifest.json``)."""
    from synpharm.errors import InputError

    if os.path.lexists(path) and (path.is_symlink() or not path.is_dir()):
        raise InputError("--store", f"{str(path)!r} is not a folder", "give a folder path")
    is_store = (path / "chunks").is_dir() or (path / "manifest.json").is_file()
    if path.is_dir() and any(path.iterdir()) and not is_store:
        raise InputError(
            "--store",
            f"{str(path)!r} is not empty and is not a chunk store (no chunks/ folder)",
            "give a new folder or an earlier store",
        )
    return path

"""Write an output folder all at once: into a hidden staging folder, then moved into place.

An interrupted or failed run never leaves a half-written folder; an existing folder of the
same name is replaced only after everything new has been written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from synpharm.errors import InputError

__all__ = ["staged_folder"]


@contextmanager
def staged_folder(out_dir: str | Path, field: str = "--out") -> Iterator[Path]:
    """Yield a staging folder that replaces ``out_dir`` when the block ends without error.

    Raises
    ------
    InputError
        ``out_dir`` exists and is not a folder (``field`` names the option in the message).
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        problem = f"{str(out_dir)!r} exists and is not a folder"
        raise InputError(field, problem, "give a folder path")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial", dir=out_dir.parent)
    )
    try:
        os.chmod(staging, 0o755)
        yield staging
        _move_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _move_into_place(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
    retired.rmdir()
    out_dir.rename(retired)
    staging.rename(out_dir)
    shutil.rmtree(retired, ignore_errors=True)

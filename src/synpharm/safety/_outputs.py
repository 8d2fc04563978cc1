"""Output folders that never destroy anything synpharm did not write.

Outputs are written into a hidden staging folder next to the destination and renamed into place
when complete, with a manifest (:data:`MANIFEST`) that lists every file written. An existing
destination is replaced only if it is empty or holds nothing but the files of an earlier
synpharm output (its manifest); any other folder is refused. The command line additionally asks
for ``--overwrite`` before it replaces an earlier output (:func:`check_output_folder`, called
before any work). Staging folders left by a killed run (``.<name>.<pid>.<random>.partial``) are
removed by the next run that writes into the same parent folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from synpharm.errors import InputError

__all__ = [
    "MANIFEST",
    "add_to_manifest",
    "check_output_file",
    "check_output_folder",
    "clean_leftovers",
    "folder_state",
    "staged_folder",
]

#: file that marks a folder as a synpharm output and lists its files
MANIFEST = "synpharm-manifest.json"
_MAX_ENTRIES = 10_000  # a folder with more entries is not inspected (treated as foreign)
_MAX_MANIFEST_BYTES = 1 << 20
_LEFTOVER = re.compile(r"^\..+\.(\d+)\.[A-Za-z0-9_]+\.(partial|old)$")


def check_output_folder(out_dir: str | Path, *, overwrite: bool, field: str = "--out") -> Path:
    """Check, before any work, that ``out_dir`` can receive the outputs; nothing is written.

    ``out_dir`` may be new, an empty folder or (with ``overwrite``) an earlier synpharm output.

    Raises
    ------
    InputError
        With ``field`` and the fix: a path under a file, the current folder or one of its parents,
        a symbolic link, an existing file, a folder that is not writable, a non-empty folder that
        synpharm did not write, or an earlier synpharm output without ``overwrite``.
    """
    path = _checked_path(out_dir, field)
    if path.exists():
        state = folder_state(path)
        if state == "foreign":
            raise _foreign(path, field)
        if state == "synpharm" and not overwrite:
            raise InputError(
                field,
                f"{str(path)!r} holds an earlier synpharm output",
                "add --overwrite to replace it, or give a new folder",
            )
    return path


def check_output_file(path: str | Path, *, overwrite: bool, field: str = "--out") -> Path:
    """Check, before any work, that the single output file ``path`` may be written.

    Raises
    ------
    InputError
        ``path`` is a folder, a symbolic link or not a regular file, lies under a file or an
        unwritable folder, or exists and ``overwrite`` is false.
    """
    text = os.fspath(path)
    if not text or "\x00" in text or len(text) > 4000:
        raise InputError(field, f"{text[:40]!r} is not a usable path", "give a file path")
    path = Path(text)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise InputError(field, f"{text!r} is not a regular file", "give a new file name")
    if path.exists() and not overwrite:
        raise InputError(field, f"{text!r} exists", "add --overwrite to replace it")
    _check_parent(Path(os.path.abspath(path)).parent, text, field)
    return path


def folder_state(path: Path) -> str:
    """``"empty"``, ``"synpharm"`` (only files listed in its manifest) or ``"foreign"``."""
    try:
        found = _relative_files(path)
    except _TooMany:
        return "foreign"
    if not found:
        return "empty"
    listed = _manifest_files(path / MANIFEST)
    if listed is None or not found <= listed | {MANIFEST}:
        return "foreign"
    return "synpharm"


@contextmanager
def staged_folder(out_dir: str | Path, field: str = "--out") -> Iterator[Path]:
    """Yield a staging folder that replaces ``out_dir`` when the block ends without error.

    On success a manifest listing the files is added and the folder is renamed into place; an
    existing ``out_dir`` is replaced only if it is empty or an earlier synpharm output. On any
    error (or interrupt) the staging folder is removed and ``out_dir`` is left as it was.

    Raises
    ------
    InputError
        ``out_dir`` cannot be used (see :func:`check_output_folder`) or holds files that synpharm
        did not write.
    """
    out_dir = _checked_path(out_dir, field)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out_dir.parent)
    staging = _new_sibling(out_dir, "partial")
    try:
        os.chmod(staging, 0o755)
        yield staging
        _write_manifest(staging)
        _move_into_place(staging, out_dir, field)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def clean_leftovers(parent: Path) -> list[Path]:
    """Remove staging (``.partial``) and retired (``.old``) folders of dead earlier runs.

    Only folders named by :func:`staged_folder` (``.<name>.<pid>.<random>.partial`` or
    ``.old``) whose process is no longer alive and which are older than this call are removed.
    """
    removed = []
    started = time.time()
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False):
            continue
        pid = int(match.group(1))
        if pid == os.getpid() or _alive(pid):
            continue
        if entry.stat(follow_symlinks=False).st_mtime <= started:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def _checked_path(out_dir: str | Path, field: str) -> Path:
    """``out_dir`` as a Path after the checks that need no listing of its content."""
    text = os.fspath(out_dir)
    if not text or "\x00" in text or len(text) > 4000:
        raise InputError(field, f"{text[:40]!r} is not a usable path", "give a folder path")
    if any(len(part.encode()) > 255 for part in Path(text).parts):
        raise InputError(field, "a path component is longer than 255 bytes", "use shorter names")
    path = Path(text)
    absolute = Path(os.path.abspath(path))
    cwd = Path.cwd()
    if absolute == cwd or absolute in cwd.parents:
        raise InputError(
            field,
            f"{text!r} is the current folder or contains it",
            "give a new folder such as out/run1",
        )
    if path.is_symlink():
        raise InputError(field, f"{text!r} is a symbolic link", "give the folder itself")
    if path.exists() and not path.is_dir():
        raise InputError(field, f"{text!r} exists and is not a folder", "give a folder path")
    _check_parent(absolute.parent, text, field)
    return path


def _check_parent(parent: Path, text: str, field: str) -> None:
    """The nearest existing ancestor of the output must be a writable folder."""
    existing = next(p for p in (parent, *parent.parents) if os.path.lexists(p))
    if not existing.is_dir():
        raise InputError(
            field,
            f"{text!r} lies under {str(existing)!r}, which is not a folder",
            "give a folder path",
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(
            field, f"folder {str(existing)!r} is not writable", "give a folder you can write to"
        )


def _foreign(path: Path, field: str) -> InputError:
    return InputError(
        field,
        f"{str(path)!r} is not empty and is not a synpharm output (no {MANIFEST})",
        "give a new or empty folder; synpharm never replaces other folders",
    )


class _TooMany(Exception):
    """A folder with more entries than :data:`_MAX_ENTRIES`."""


def _relative_files(root: Path) -> set[str]:
    """Relative paths of every non-folder entry under ``root`` (links not followed)."""
    found: set[str] = set()
    count = 0
    for folder, dirs, files in os.walk(root, followlinks=False):
        count += len(dirs) + len(files)
        if count > _MAX_ENTRIES:
            raise _TooMany
        base = Path(folder).relative_to(root)
        found.update((base / name).as_posix() for name in files)
        found.update((base / d).as_posix() for d in dirs if os.path.islink(os.path.join(folder, d)))
    return found


def _manifest_files(path: Path) -> set[str] | None:
    """The files listed in a manifest, or None if it is missing or not one of ours."""
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size > _MAX_MANIFEST_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"]
        if data.get("written_by") != "synpharm" or not isinstance(files, dict):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {str(name) for name in files}


def add_to_manifest(folder: str | Path) -> None:
    """List the files written into an output folder after it was moved into place."""
    _write_manifest(Path(folder))


def _write_manifest(folder: Path) -> None:
    """List every file in ``folder`` (relative path -> size in bytes) in its manifest."""
    files = {
        name: (folder / name).stat().st_size
        for name in sorted(_relative_files(folder))
        if name != MANIFEST
    }
    document = {"written_by": "synpharm", "format": 1, "files": files}
    (folder / MANIFEST).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def _new_sibling(out_dir: Path, suffix: str) -> Path:
    prefix = f".{out_dir.name[:100]}.{os.getpid()}."
    return Path(tempfile.mkdtemp(prefix=prefix, suffix=f".{suffix}", dir=out_dir.parent))


def _move_into_place(staging: Path, out_dir: Path, field: str) -> None:
    if not os.path.lexists(out_dir):
        staging.rename(out_dir)
        return
    if out_dir.is_symlink() or not out_dir.is_dir() or folder_state(out_dir) == "foreign":
        raise _foreign(out_dir, field)
    retired = _new_sibling(out_dir, "old")
    retired.rmdir()
    out_dir.rename(retired)
    staging.rename(out_dir)
    shutil.rmtree(retired, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

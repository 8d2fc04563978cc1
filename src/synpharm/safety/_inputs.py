"""Input files checked before they are read: regular, readable, size-capped, bounded nesting.

A FIFO, a device (``/dev/zero``), a folder, a symbolic-link loop or a sparse 2 GB file is
refused with one :class:`~synpharm.errors.InputError` before a byte is read, so a bad path can
neither hang the program nor fill its memory.
"""

from __future__ import annotations

import errno
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from synpharm.errors import InputError

__all__ = [
    "MAX_NESTING",
    "MAX_TEXT_BYTES",
    "check_input_file",
    "check_nesting",
    "loads_toml",
    "read_input_bytes",
]

#: largest text input (TOML, JSON, CSV tracing) read whole [bytes]
MAX_TEXT_BYTES = 16 * 1024 * 1024
#: deepest nesting of tables and arrays accepted in a TOML document
MAX_NESTING = 32

_KINDS = (
    (stat.S_ISDIR, "is a folder, not a file", "give a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file", "give a regular file"),
    (stat.S_ISCHR, "is a device, not a regular file", "give a regular file"),
    (stat.S_ISBLK, "is a device, not a regular file", "give a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file", "give a regular file"),
)
_OS_PROBLEMS = {
    errno.ELOOP: ("is a symbolic link loop", "give the real file"),
    errno.ENAMETOOLONG: ("is too long a path", "give a shorter path"),
    errno.EACCES: ("cannot be read (permission denied)", "check the file's permissions"),
    errno.ENOTDIR: ("does not exist (a parent is a file)", "check the path"),
}


def check_input_file(
    path: str | Path, field: str | None = None, *, max_bytes: int = MAX_TEXT_BYTES
) -> Path:
    """``path`` after checking it is a readable regular file of at most ``max_bytes``.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    InputError
        Named by ``field`` (default: the path): a folder, FIFO, device or socket, a
        symbolic-link loop, unreadable, or larger than ``max_bytes``.
    """
    text = os.fspath(path)
    field = field or text
    if not text or "\x00" in text:
        raise InputError(field, f"{text[:40]!r} is not a usable path", "give a file path")
    try:
        info = os.stat(text)
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, "no such file", text) from None
    except OSError as error:
        problem, fix = _OS_PROBLEMS.get(error.errno, (error.strerror or "cannot be read", ""))
        raise InputError(
            field, f"{_shown(text)}: {problem}" if field != text else problem, fix
        ) from None
    for test, problem, fix in _KINDS:
        if test(info.st_mode):
            raise InputError(field, problem if field == text else f"{_shown(text)} {problem}", fix)
    if not stat.S_ISREG(info.st_mode):
        raise InputError(field, "is not a regular file", "give a regular file")
    if info.st_size > max_bytes:
        raise InputError(
            field,
            f"is {_size(info.st_size)}, more than the limit of {_size(max_bytes)}",
            "give a smaller file",
        )
    if not os.access(text, os.R_OK):
        raise InputError(
            field, "cannot be read (permission denied)", "check the file's permissions"
        )
    return Path(text)


def read_input_bytes(
    path: str | Path, field: str | None = None, *, max_bytes: int = MAX_TEXT_BYTES
) -> bytes:
    """The bytes of a checked input file (:func:`check_input_file`), never more than the cap."""
    checked = check_input_file(path, field, max_bytes=max_bytes)
    with open(checked, "rb") as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:  # grew between the check and the read
        raise InputError(
            field or str(path), f"is larger than {_size(max_bytes)}", "give a smaller file"
        )
    return raw


def loads_toml(text: str, field: str) -> dict[str, Any]:
    """Parse TOML ``text``; nesting deeper than :data:`MAX_NESTING` is an :class:`InputError`.

    Raises
    ------
    tomllib.TOMLDecodeError
        Bad syntax (callers word it for their file).
    InputError
        Nesting too deep for the parser or beyond :data:`MAX_NESTING`.
    """
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise _too_deep(field) from None
    check_nesting(data, field)
    return data


def check_nesting(data: object, field: str, limit: int = MAX_NESTING) -> None:
    """Raise :class:`InputError` if tables/arrays in ``data`` nest deeper than ``limit``."""
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise _too_deep(field, limit)
        if isinstance(item, dict):
            stack.extend((value, depth + 1) for value in item.values())
        elif isinstance(item, list):
            stack.extend((value, depth + 1) for value in item)


def _too_deep(field: str, limit: int = MAX_NESTING) -> InputError:
    return InputError(
        field, f"tables or arrays are nested more than {limit} deep", "flatten the document"
    )


def _size(n_bytes: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n_bytes < 1024 or unit == "TB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.1f} TB"


def _shown(text: str, limit: int = 60) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."

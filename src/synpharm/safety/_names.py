"""User-given names (experiment, study, sweep, file stems) as file names, and path checks.

Every name that becomes part of an output path goes through :func:`safe_file_name`, and every
path built from one is checked with :func:`inside` to lie within its output root, so a name such
as ``"../../x"``, ``"/tmp/victim"`` or ``"."`` can never reach a folder the user did not name.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from synpharm.errors import InputError

__all__ = ["MAX_NAME_LENGTH", "check_printable", "inside", "safe_file_name"]

#: longest file name made from a user-given name [characters]
MAX_NAME_LENGTH = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_file_name(name: str, field: str = "name") -> str:
    """``name`` reduced to letters, digits, ``-``, ``_`` and ``.``, usable as one file name.

    Runs of other characters (spaces, ``/``, ``\\``, NUL, non-ASCII) become one ``_``; leading
    dots are dropped (no hidden files, no ``.`` or ``..``); the result is cut to
    :data:`MAX_NAME_LENGTH` characters.

    Raises
    ------
    InputError
        Nothing usable is left (``field`` names the field in the message).

    Examples
    --------
    >>> safe_file_name("ketamine 10 uM")
    'ketamine_10_uM'
    >>> safe_file_name("../../x")
    '_.._x'
    """
    text = _UNSAFE.sub("_", str(name)).lstrip(".")[:MAX_NAME_LENGTH]
    if not text.strip("_"):
        raise InputError(
            field,
            f"{_shown(name)} gives no usable file name",
            "use letters, digits, '-', '_' or '.' (not starting with '.')",
        )
    return text


def check_printable(text: str, field: str) -> str:
    """``text`` after checking it holds no control characters (NUL, escapes, line breaks).

    Names are shown in tables, figure titles and file names, where control characters either
    break the output or hide what is written.
    """
    bad = next((c for c in text if ord(c) < 32 or 127 <= ord(c) < 160), None)
    if bad is not None:
        raise InputError(
            field, f"{_shown(text)} contains the control character {bad!r}", "use printable text"
        )
    return text


def inside(root: str | Path, path: str | Path, field: str = "name") -> Path:
    """``path``, after checking that it lies inside ``root`` (both resolved lexically).

    Raises
    ------
    InputError
        ``path`` points outside ``root``.
    """
    base = Path(os.path.abspath(root))
    target = Path(os.path.abspath(path))
    if target != base and base not in target.parents:
        raise InputError(
            field, f"{_shown(str(path))} lies outside {str(root)!r}", "give a plain name"
        )
    return Path(path)


def _shown(text: object, limit: int = 60) -> str:
    """``repr`` of ``text`` cut to ``limit`` characters, for one-line messages."""
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."

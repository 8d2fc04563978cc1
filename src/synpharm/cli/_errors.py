"""Every failure of a command as one ``error:`` line on stderr with a documented exit code.

:class:`OneLineErrorGroup` is the click group class of the ``synpharm`` app, so that this is
the single place where parse errors (``--cohort abc``, unknown options), bad input, operating
system errors and interrupts become exit codes (``docs/exit_codes.md``):

====  ==========================================================================
0     success
2     bad input: a protocol field, unit, file, option or output folder, or a path the
      system cannot use (too long, symbolic-link loop, under a file); nothing written
70    internal error (a bug; set ``SYNPHARM_DEBUG=1`` for the traceback)
71    out of memory
74    input/output error while working: disk full, permission lost, device error
130   interrupted (Ctrl-C, SIGTERM); nothing written (SIGKILL leaves a hidden staging
      folder, removed by the next run that writes next to it)
====  ==========================================================================
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

import typer
from typer.core import TyperGroup

try:  # typer >= 0.20 carries its own copy of click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as click_errors

from synpharm.errors import InputError

__all__ = [
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_IOERR",
    "EXIT_OSERR",
    "EXIT_SOFTWARE",
    "OneLineErrorGroup",
    "describe_failure",
]

EXIT_INPUT = 2
EXIT_SOFTWARE = 70
EXIT_OSERR = 71
EXIT_IOERR = 74
EXIT_INTERRUPTED = 130

#: errors that come from a path the user gave, not from the disk: bad input (exit 2)
_BAD_PATHS = {errno.ENAMETOOLONG, errno.ELOOP, errno.ENOTDIR, errno.ENOENT, errno.EISDIR}
_OS_FIXES = {
    errno.ENOSPC: "free disk space or give --out on another disk",
    errno.EDQUOT: "free disk space or give --out on another disk",
    errno.EACCES: "check the permissions or give another --out",
    errno.EPERM: "check the permissions or give another --out",
    errno.EROFS: "give --out on a writable disk",
    errno.ENAMETOOLONG: "use a shorter path",
    errno.ELOOP: "give a path without a symbolic-link loop",
    errno.ENOTDIR: "check the path",
    errno.ENOENT: "check the path",
    errno.EISDIR: "give a file, not a folder",
}


class OneLineErrorGroup(TyperGroup):
    """A typer group whose standalone ``main`` turns every failure into one ``error:`` line."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; exit with the code of :func:`describe_failure` on failure."""
        parent_main = super().main
        if not standalone_mode:
            return parent_main(args, prog_name, complete_var, standalone_mode=False, **extra)

        def invoke() -> Any:
            return parent_main(args, prog_name, complete_var, standalone_mode=False, **extra)

        sys.exit(_guarded(invoke))


def _guarded(invoke: Callable[[], Any]) -> int:
    """Exit code of ``invoke()``, printing one ``error:`` line for a failure."""
    previous = _terminate_as_interrupt()
    try:
        returned = invoke()
    except click_errors.NoArgsIsHelpError as error:
        typer.echo(error.ctx.get_help())
        return 0
    except BaseException as error:  # every failure ends here, by design
        if isinstance(error, SystemExit):
            return error.code if isinstance(error.code, int) else int(error.code is not None)
        if os.environ.get("SYNPHARM_DEBUG") and not isinstance(error, click_errors.ClickException):
            raise
        code, message = describe_failure(error)
        if code == 0:
            return 0
        line = " ".join(message.split())
        typer.echo(f"error: {line if len(line) <= 600 else line[:597] + '...'}", err=True)
        return code
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if returned == EXIT_INTERRUPTED:  # typer turns KeyboardInterrupt into Exit(130)
        typer.echo(f"error: {describe_failure(KeyboardInterrupt())[1]}", err=True)
    return returned if isinstance(returned, int) else 0


def _terminate_as_interrupt() -> Any:
    """Make SIGTERM raise KeyboardInterrupt (so staged outputs are removed); the old handler."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def describe_failure(error: BaseException) -> tuple[int, str]:
    """Exit code and one-line message (without ``error:``) for an exception of a command."""
    if isinstance(error, click_errors.UsageError):
        where = f"{error.ctx.command_path} --help" if error.ctx else "synpharm --help"
        return EXIT_INPUT, f"{error.format_message().rstrip('.')}; see '{where}'"
    if isinstance(error, click_errors.ClickException):
        return EXIT_INPUT, error.format_message()
    if isinstance(error, typer.Exit):
        return error.exit_code, ""
    if isinstance(error, typer.Abort | KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted; no output was written"
    if isinstance(error, InputError):
        return EXIT_INPUT, str(error)
    if isinstance(error, RecursionError):
        return EXIT_INPUT, "input: nested too deeply; flatten the document"
    if isinstance(error, MemoryError):
        return EXIT_OSERR, "out of memory; lower the cohort, the duration or the rates (--dry-run)"
    if isinstance(error, OSError):
        return _os_failure(error)
    return EXIT_SOFTWARE, (
        f"internal error ({type(error).__name__}: {error}); please report it with the command"
        " you ran (SYNPHARM_DEBUG=1 shows the traceback)"
    )


def _os_failure(error: OSError) -> tuple[int, str]:
    if error.errno == errno.EPIPE:  # stdout closed early (synpharm ... | head)
        return 0, ""
    name = str(error.filename) if error.filename else ""
    where = f"{name if len(name) <= 80 else name[:77] + '...'}: " if name else ""
    problem = error.strerror or type(error).__name__
    fix = _OS_FIXES.get(error.errno or 0, "check the file and the disk")
    code = EXIT_INPUT if error.errno in _BAD_PATHS else EXIT_IOERR
    return code, f"{where}{problem.lower()}; {fix}"

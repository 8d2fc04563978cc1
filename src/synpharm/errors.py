"""Errors raised on bad user input.

Every user-facing error names the field that is wrong and how to fix it, on one line,
so that the command line can print it verbatim and exit with code 2.
"""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """Bad input from a user: a file, a protocol field, a unit or a value.

    Parameters
    ----------
    field
        Dotted name of the offending field, e.g. ``"conditions[2].concentration"``.
    problem
        What is wrong, e.g. ``"'10 mV' is a voltage, not a concentration"``.
    fix
        How to fix it, e.g. ``"give a concentration such as '10 uM'"``.
    """

    def __init__(self, field: str, problem: str, fix: str = "") -> None:
        self.field = field
        self.problem = problem
        self.fix = fix
        text = f"{field}: {problem}"
        if fix:
            text += f"; {fix}"
        super().__init__(" ".join(text.split()))

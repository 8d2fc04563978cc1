"""Text cells of CSV files made safe for spreadsheets (no formula injection).

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is run as a
formula by spreadsheet programs; such text gets a leading apostrophe, which spreadsheets show
as plain text (OWASP "CSV injection"). Numbers, including negative ones such as ``-0.5`` or
``-1e-3``, stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

__all__ = ["spreadsheet_cell", "spreadsheet_safe_frame", "spreadsheet_writer"]

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """``value``, with a leading ``'`` if it is text that a spreadsheet would run as a formula.

    Examples
    --------
    >>> spreadsheet_cell("=cmd|' /C calc'!A0")
    "'=cmd|' /C calc'!A0"
    >>> spreadsheet_cell("-0.5"), spreadsheet_cell(-0.5), spreadsheet_cell("ketamine 10 uM")
    ('-0.5', -0.5, 'ketamine 10 uM')
    """
    if not isinstance(value, str) or not value.startswith(_TRIGGERS) or value in ("-", "+"):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def spreadsheet_safe_frame(frame: Any) -> Any:
    """A copy of a pandas DataFrame whose text cells are escaped (:func:`spreadsheet_cell`)."""
    text_columns = [c for c in frame.columns if frame[c].dtype == object]
    if not text_columns:
        return frame
    safe = frame.copy()
    for column in text_columns:
        safe[column] = safe[column].map(spreadsheet_cell)
    return safe


class _SafeWriter:
    """A ``csv.writer`` whose cells pass through :func:`spreadsheet_cell`."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([spreadsheet_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def spreadsheet_writer(handle: Any, **options: Any) -> _SafeWriter:
    """``csv.writer(handle, **options)`` that escapes formula-like text cells."""
    return _SafeWriter(csv.writer(handle, **options))

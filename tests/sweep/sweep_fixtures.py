"""A tiny sweep (short inline protocol, 2 slices per condition) for the sweep tests."""

from __future__ import annotations

TINY = """
[sweep]
name = "tiny"
cohort = 2
seeds = [0]

[concentrations]
compound = "baclofen"
values = [{values}]

[[protocols]]
label = "depression"
[[protocols.steps]]
type = "baseline"
duration = "1 min"
test_rate = "0.1 Hz"
[[protocols.steps]]
type = "wash_in"
duration = "2 min"
test_rate = "0.1 Hz"
exchange_time = "10 s"
"""

CONCENTRATIONS = ("1 uM", "3 uM", "10 uM", "30 uM", "100 uM", "300 uM", "1000 uM")


def tiny_text(concentrations: tuple[str, ...] = CONCENTRATIONS) -> str:
    """The tiny sweep file: control + ``concentrations`` of baclofen, one chunk each."""
    return TINY.replace("{values}", ", ".join(f'"{c}"' for c in concentrations))

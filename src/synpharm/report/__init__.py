"""Output files of a virtual experiment: ``summary.json``, ``pulses.csv`` and figures."""

from synpharm.report.outputs import (
    BASELINE_WINDOW,
    pulses_csv,
    slope_percent_of_baseline,
    summary_json,
    write_outputs,
)

__all__ = [
    "BASELINE_WINDOW",
    "pulses_csv",
    "slope_percent_of_baseline",
    "summary_json",
    "write_outputs",
]

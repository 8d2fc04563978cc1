"""Measure recorded files without the command line: options -> tables and a summary.

The machinery of ``synpharm analyze`` and of :func:`synpharm.analyze`: :func:`settings_for`
checks the options (the command line's, with the same names and defaults),
:func:`analyze_paths` reads, measures and summarises recordings, per-sweep tables or an
experiment sheet, and :class:`RecordingAnalysis` holds the outcome as pandas tables. Nothing
here writes a file (``synpharm.report.analysis_outputs`` does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synpharm.errors import InputError

__all__ = ["DEFAULT_SETTINGS", "PROTOCOLS", "RecordingAnalysis", "analyze_paths",
           "settings_for"]

#: what recordings can be: field EPSPs, an LTP experiment, input-output, paired pulses, spines
PROTOCOLS = ("fepsp", "ltp", "io", "ppr", "spines")

#: every option of ``synpharm analyze`` (``--slope-method`` is ``slope_method``) and its default;
#: ``None`` = not given (a preset's value or the documented default applies)
DEFAULT_SETTINGS: dict[str, Any] = {
    "protocol": "fepsp", "slope_method": None, "rise": None, "placement": None,
    "window": None, "peak": None, "volley": None, "blank": None, "polarity": "negative",
    "slope_sign": "magnitude", "amplitude_from": None, "preset": None, "sheet": None,
    "variable": None, "sampling_rate": None, "units": None, "layout": "samples_by_sweeps",
    "stimulus_time": None, "induction": None, "drug": None, "pathways": 1, "ltp_window": None,
    "intensities": None, "min_snr": None, "max_baseline_noise": None, "join": False,
}  # fmt: skip

#: options the command line repeats (once, or once per pathway)
_REPEATED = ("window", "peak", "volley")


def settings_for(protocol: str = "fepsp", **options: Any) -> dict[str, Any]:
    """The checked settings of one analysis: defaults, the preset, then ``options``.

    Parameters
    ----------
    protocol
        One of :data:`PROTOCOLS`.
    **options
        Keys of :data:`DEFAULT_SETTINGS`, values as on the command line (text with units,
        e.g. ``induction="20 min"``, ``window="2.5-3.8 ms"``); ``sheet`` a path.

    Raises
    ------
    InputError
        An unknown protocol or option.
    """
    from synpharm.analysis.workflow.settings import apply_preset

    if protocol not in PROTOCOLS:
        raise InputError("protocol", f"unknown protocol {protocol!r}",
                         f"use one of {', '.join(PROTOCOLS)}")
    unknown = sorted(set(options) - set(DEFAULT_SETTINGS) - {"protocol"})
    if unknown:
        raise InputError(unknown[0], "is not an analysis option",
                         f"use one of {', '.join(sorted(DEFAULT_SETTINGS))}")
    settings = {**DEFAULT_SETTINGS, **options, "protocol": protocol}
    for name in _REPEATED:
        if isinstance(settings[name], str):
            settings[name] = [settings[name]]
    if settings["sheet"] is not None:
        settings["sheet"] = Path(settings["sheet"])
    return apply_preset(settings)


def analyze_paths(files: list[Path], settings: dict[str, Any]) -> tuple[dict, Any, dict, dict]:
    """Measure and summarise: the document, the sweep table, the figure inputs, extra tables.

    ``settings["sheet"]`` (an experiment sheet) replaces ``files``; files that are all per-sweep
    tables are re-summarised; otherwise ``files`` are recordings.
    """
    from synpharm.analysis.workflow.files import analyze_files
    from synpharm.analysis.workflow.sheet import analyze_sheet
    from synpharm.analysis.workflow.sweep_tables import is_sweep_table, resummarise

    if settings["sheet"] is not None:
        document, figures, tables = analyze_sheet(settings["sheet"], settings)
        return document, None, figures, tables
    if not files:
        raise InputError("FILES", "no recording given", "name one or more files, or --sheet")
    if all(is_sweep_table(f) for f in files):
        return resummarise(files, settings)
    return analyze_files(files, settings)


@dataclass(frozen=True)
class RecordingAnalysis:
    """What :func:`synpharm.analyze` measured: the document of ``synpharm analyze --json``.

    Attributes
    ----------
    document
        ``{"sweeps": [...], "summary": {...}, "units": {...}}``.
    tables
        Extra tables by file name (``"timecourse.csv"``, ``"placements.csv"``, for a sheet
        ``"slices.csv"`` and ``"group_timecourse.csv"``), each a list of row mappings.
    """

    document: dict[str, Any]
    tables: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, Any]:
        """The summary document (``summary.json``)."""
        return self.document["summary"]

    def to_dataframe(self, table: str = "summary") -> Any:
        """One table as a tidy :class:`pandas.DataFrame`.

        Parameters
        ----------
        table
            ``"summary"``: one row per group (file, group, pathway) and readout with value and
            unit (for a sheet: one row per condition and pathway role). ``"sweeps"``: one row
            per measured sweep (slope, amplitudes [mV], time [s], % of baseline, flag; units
            in ``document["units"]``). ``"timecourse"``: binned means per series (1-min bins,
            LTP recordings).
            ``"placements"``, ``"slices"``, ``"group_timecourse"``: as the CSV files.
        """
        import pandas as pd

        if table == "summary":
            return _summary_frame(self.summary)
        if table == "sweeps":
            return pd.DataFrame(self.document["sweeps"])
        name = f"{table}.csv"
        if name not in self.tables:
            known = ["summary", "sweeps", *(t.removesuffix(".csv") for t in self.tables)]
            raise InputError("table", f"no table {table!r} in this analysis",
                             f"use one of {', '.join(known)}")
        return pd.DataFrame(self.tables[name])


def _summary_frame(summary: dict[str, Any]) -> Any:
    """Groups x readouts (recordings), or the slice groups of a sheet, as a DataFrame."""
    import pandas as pd

    if "slice_groups" in summary:
        return pd.DataFrame(summary["slice_groups"])
    rows = [
        {"file": g.get("file"), "group": g.get("group_name", g.get("group")),
         "pathway": g.get("pathway"), "readout": name, **reading}
        for g in summary.get("groups", [])
        for name, reading in g["readouts"].items()
    ]
    return pd.DataFrame(rows)

"""Output files of a virtual experiment: summary JSON, per-pulse CSV and the time-course figure.

Files are written into a temporary folder next to the destination and moved into place at the
end, so an interrupted or failed run never leaves a half-written output folder. Identical
results give byte-identical files (no timestamps; fixed SVG hash salt).
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from synpharm.analysis.results import ExperimentResult, PulseTable, ResponseTable
from synpharm.io.staging import staged_folder
from synpharm.report.normalise import BASELINE_WINDOW, percent_of_baseline, primary_measure
from synpharm.report.timeline import Timeline, experiment_timeline
from synpharm.safety import spreadsheet_writer

if TYPE_CHECKING:
    from synpharm.protocols import Protocol

__all__ = [
    "BASELINE_WINDOW",
    "pulses_csv",
    "slope_percent_of_baseline",
    "summary_json",
    "write_outputs",
]

_CSV_COLUMNS = (
    "condition",
    "slice",
    "time_min",
    "kind",
    "intensity",
    "fepsp_slope_mV_per_ms",
    "fepsp_amplitude_mV",
    "fiber_volley_amplitude_mV",
    "slope_percent_of_baseline",
)
#: appended for simulated recordings: the isolated NMDA response (virtual voltage clamp, nS)
_NMDA_CSV_COLUMNS = ("nmda_conductance_nS",)
#: appended for recordings in stratum pyramidale
_SOMATIC_CSV_COLUMNS = ("population_spike_amplitude_mV", "population_spike_count")
_RESPONSE_CSV_COLUMNS = (
    "condition",
    "cell",
    "time_min",
    "kind",
    "intensity",
    "{measure}_{unit}",
    "noise_{measure}_{unit}",
    "baseline_{unit}",
    "percent_of_baseline",
)


def write_outputs(
    result: ExperimentResult,
    out_dir: str | Path,
    *,
    protocol: Protocol | None = None,
    baseline: str = "auto",
) -> Path:
    """Write ``summary.json``, ``pulses.csv``, ``time_course.png`` and ``.svg`` into ``out_dir``.

    Parameters
    ----------
    result
        The virtual experiment.
    out_dir
        Destination folder; an existing folder of that name is replaced as a whole.
    protocol
        The protocol that produced ``result``; if given, the figure's drug bars follow each
        compound from its wash-in (or from the start, pre-incubated) to its wash-out, and
        induction is marked per train step (:mod:`synpharm.report.timeline`); without it
        one bar spans the first wash-in to the end of the recording.
    baseline
        Baseline of the time-course figure: ``"auto"`` (pre-drug with a wash-in, else
        pre-induction), ``"pre_drug"`` or ``"pre_induction"``.

    Returns
    -------
    Path
        ``out_dir``.
    """
    with staged_folder(out_dir) as staging:
        (staging / "summary.json").write_text(summary_json(result), encoding="utf-8")
        (staging / "pulses.csv").write_text(pulses_csv(result), encoding="utf-8", newline="")
        _write_figures(result, staging, experiment_timeline(result, protocol), baseline)
    return Path(out_dir)


def summary_json(result: ExperimentResult) -> str:
    """The summary document as JSON text with a final newline."""
    return json.dumps(result.summary(), indent=2, sort_keys=False) + "\n"


def slope_percent_of_baseline(
    pulses: PulseTable | ResponseTable,
    induction_time: float | None,
    drug_time: float | None = None,
    reference: str = "pre_induction",
) -> np.ndarray:
    """fEPSP slope of every pulse as % of the slice's baseline slope.

    For a :class:`ResponseTable` (single-cell recordings) the response amplitude of every
    stimulus as % of the cell's baseline amplitude. The baseline rule is that of
    :func:`synpharm.report.normalise.percent_of_baseline`: the mean slope of the ``"test"``
    pulses in the :data:`BASELINE_WINDOW` (10 min) before induction; without induction, of the
    test pulses before the first wash-in; without either, of all test pulses.
    ``reference="pre_drug"`` takes the test pulses in the 10 min before the first wash-in
    instead (when there is one).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_slices, n_pulses)`` [%]; NaN for slices without a baseline.
    """
    return percent_of_baseline(
        primary_measure(pulses), pulses, induction_time, drug_time, reference
    )


def _number(value: float) -> str:
    return "" if not math.isfinite(value) else format(float(value), ".10g")


def pulses_csv(result: ExperimentResult) -> str:
    """One row per condition x slice x measured pulse (slices numbered from 0).

    Simulated recordings add ``nmda_conductance_nS`` (the isolated NMDA response of
    :class:`PulseTable`), recordings in stratum pyramidale the population-spike columns.

    Single-cell recordings (:class:`ResponseTable`) get one row per condition x cell x stimulus
    with the amplitude, its noise measure and the baseline in display units.
    """
    if result.conditions and isinstance(result.conditions[0].pulses, ResponseTable):
        return _response_csv(result)
    buffer = io.StringIO()
    writer = spreadsheet_writer(buffer, lineterminator="\n")
    somatic = any(c.pulses.population_spike_amplitude is not None for c in result.conditions)
    nmda = all(c.pulses.nmda_conductance is not None for c in result.conditions)
    writer.writerow(_CSV_COLUMNS + (_NMDA_CSV_COLUMNS if nmda else ())
                    + (_SOMATIC_CSV_COLUMNS if somatic else ()))
    for condition in result.conditions:
        p = condition.pulses
        percent = slope_percent_of_baseline(p, result.induction_time, result.drug_time)
        for slice_index in range(np.shape(p.fepsp_slope)[0]):
            for j in range(len(p.time)):
                writer.writerow(
                    [
                        condition.name,
                        slice_index,
                        _number(p.time[j] / 60.0),
                        p.kind[j],
                        _number(p.intensity[j]),
                        _number(p.fepsp_slope[slice_index, j]),
                        _number(p.fepsp_amplitude[slice_index, j] * 1e3),
                        _number(p.fiber_volley_amplitude[slice_index, j] * 1e3),
                        _number(percent[slice_index, j]),
                        *((_number(p.nmda_conductance[slice_index, j] * 1e9),) if nmda else ()),
                        *(_somatic_cells(p, slice_index, j) if somatic else ()),
                    ]
                )
    return buffer.getvalue()


def _somatic_cells(p: PulseTable, slice_index: int, j: int) -> tuple[str, str]:
    """Population-spike amplitude [mV] and count of one pulse (empty without a somatic site)."""
    if p.population_spike_amplitude is None or p.population_spike_count is None:
        return "", ""
    return (_number(p.population_spike_amplitude[slice_index, j] * 1e3),
            _number(p.population_spike_count[slice_index, j]))


def _response_csv(result: ExperimentResult) -> str:
    first = result.conditions[0].pulses
    names = {"measure": first.measure, "unit": first.unit}
    buffer = io.StringIO()
    writer = spreadsheet_writer(buffer, lineterminator="\n")
    writer.writerow([column.format(**names) for column in _RESPONSE_CSV_COLUMNS])
    for condition in result.conditions:
        p = condition.pulses
        percent = slope_percent_of_baseline(p, result.induction_time, result.drug_time)
        scale = p.unit_scale
        for cell in range(np.shape(p.amplitude)[0]):
            for j in range(len(p.time)):
                writer.writerow(
                    [
                        condition.name,
                        cell,
                        _number(p.time[j] / 60.0),
                        p.kind[j],
                        _number(p.intensity[j]),
                        _number(p.amplitude[cell, j] * scale),
                        _number(p.noise_amplitude[cell, j] * scale),
                        _number(p.baseline[cell, j] * scale),
                        _number(percent[cell, j]),
                    ]
                )
    return buffer.getvalue()


def _write_figures(
    result: ExperimentResult,
    folder: Path,
    timeline: Timeline,
    baseline: str = "auto",
) -> None:
    from synpharm.report.figures import write_experiment_figures

    def percent(pulses: PulseTable | ResponseTable, reference: str) -> np.ndarray:
        return slope_percent_of_baseline(
            pulses, result.induction_time, result.drug_time, reference
        )

    write_experiment_figures(result, folder, timeline, percent, baseline=baseline)

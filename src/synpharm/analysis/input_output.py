"""Input-output and population-spike readouts of a slice experiment (per slice).

Input-output pulses (kind ``"io"``) are grouped by phase: ``io_pre`` before the induction and
``io_post`` after it (``io`` in a protocol without induction). Per phase and stimulus
intensity ``I`` (percent of the maximal stimulus):

* ``<phase>_fepsp_slope_<I>`` - mean fEPSP slope over the repeats [mV/ms];
* ``<phase>_population_spike_<I>`` - mean population-spike amplitude [mV] (0 where none);
* ``<phase>_population_spike_fraction_<I>`` - fraction of the sweeps with a population spike;
* ``<phase>_population_spike_count_<I>`` - mean number of population spikes per sweep.

With both phases, ``io_fepsp_slope_change_percent`` and ``io_population_spike_change_percent``
compare the mean over the whole input-output curve after induction with the one before
(``100 (post / pre - 1)``), the change an input-output plot shows. Test pulses give
``baseline_population_spike_amplitude`` [mV] and ``baseline_population_spike_count`` in the
same window as ``baseline_fepsp_slope``. Population-spike readouts exist only for protocols
recorded in stratum pyramidale.
"""

from __future__ import annotations

import numpy as np

from synpharm.analysis.results import PulseTable

__all__ = ["input_output_readouts", "io_groups", "io_phases", "population_spike_readouts"]

Readouts = dict[str, tuple[np.ndarray, str]]


def _mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    if not mask.any():
        return np.full(values.shape[0], np.nan)
    with np.errstate(invalid="ignore"):
        return np.nanmean(values[:, mask], axis=1)


def _phases(table: PulseTable, induction: float | None) -> dict[str, np.ndarray]:
    return io_phases(table.time, table.kind, induction)


def io_phases(time: np.ndarray, kind: np.ndarray, induction: float | None
              ) -> dict[str, np.ndarray]:
    """Input-output pulses per phase (``io``, or ``io_pre``/``io_post`` around an induction)."""
    io = kind == "io"
    if induction is None:
        return {"io": io} if io.any() else {}
    phases = {"io_pre": io & (time < induction), "io_post": io & (time >= induction)}
    return {name: mask for name, mask in phases.items() if mask.any()}


def io_groups(time: np.ndarray, kind: np.ndarray, intensity: np.ndarray,
              induction: float | None) -> dict[str, np.ndarray]:
    """Masks of the input-output pulses per ``<phase>_<I>`` (I: intensity in % of maximal)."""
    groups = {}
    for phase, mask in io_phases(time, kind, induction).items():
        for level in np.unique(intensity[mask]):
            groups[f"{phase}_{round(100 * float(level))}"] = mask & (intensity == level)
    return groups


def _percent_change(after: np.ndarray, before: np.ndarray) -> np.ndarray:
    """``100 (after / before - 1)``; NaN where ``before`` is 0 (no response to compare with)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(before != 0, 100.0 * (after / before - 1.0), np.nan)


def input_output_readouts(table: PulseTable, induction: float | None) -> Readouts:
    """Per-slice input-output readouts (names in the module docstring); empty without IO pulses.

    Examples
    --------
    >>> t = PulseTable(np.array([0.0, 1.0]), np.array(["io", "io"]), np.array([0.5, 1.0]),
    ...                np.array([[-0.4, -0.8]]), np.zeros((1, 2)), np.zeros((1, 2)))
    >>> sorted(input_output_readouts(t, None))
    ['io_fepsp_slope_100', 'io_fepsp_slope_50']
    """
    spikes = table.population_spike_amplitude
    out: Readouts = {}
    curve: dict[str, dict[str, np.ndarray]] = {}
    for phase, mask in _phases(table, induction).items():
        measures = {"fepsp_slope": (table.fepsp_slope, "mV/ms")}
        if spikes is not None:
            measures["population_spike"] = (spikes * 1e3, "mV")
        for level in np.unique(table.intensity[mask]):
            pick = mask & (table.intensity == level)
            label = f"{round(100 * float(level))}"
            for name, (values, unit) in measures.items():
                out[f"{phase}_{name}_{label}"] = (_mean(values, pick), unit)
            if spikes is not None:
                out[f"{phase}_population_spike_fraction_{label}"] = (
                    _mean((spikes > 0).astype(float), pick), "1")
            if table.population_spike_count is not None:
                out[f"{phase}_population_spike_count_{label}"] = (
                    _mean(table.population_spike_count, pick), "1")
        curve[phase] = {name: _mean(values, mask) for name, (values, _) in measures.items()}
    if "io_pre" in curve and "io_post" in curve:
        for name in curve["io_pre"]:
            out[f"io_{name}_change_percent"] = (
                _percent_change(curve["io_post"][name], curve["io_pre"][name]), "%")
    return out


def population_spike_readouts(table: PulseTable, window: tuple[float, float]) -> Readouts:
    """Baseline population-spike amplitude [mV] and count of the test pulses in ``window`` [s]."""
    if table.population_spike_amplitude is None or table.population_spike_count is None:
        return {}
    mask = (table.kind == "test") & (table.time >= window[0]) & (table.time < window[1])
    return {
        "baseline_population_spike_amplitude": (
            _mean(table.population_spike_amplitude * 1e3, mask), "mV"),
        "baseline_population_spike_count": (_mean(table.population_spike_count, mask), "1"),
    }

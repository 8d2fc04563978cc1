"""Responses as % of a baseline, the normalisation of every time-course figure and CSV.

A slice's baseline is the mean of its ``"test"`` responses in the :data:`BASELINE_WINDOW`
(10 min) before induction; without induction, of the test responses before the first
wash-in; without either, of all test responses. ``reference="pre_drug"`` takes the 10 min
before the first wash-in instead (when there is one). Recordings without test pulses use the
first pulses of pairs (``"pp1"``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["BASELINE_WINDOW", "course_kind", "percent_of_baseline", "primary_measure"]

#: Test pulses in this window before induction [s] define the baseline slope of each slice.
BASELINE_WINDOW = 600.0


def course_kind(pulses: Any) -> str:
    """Stimulus kind plotted and normalised: test pulses, or first pulses of pairs without them."""
    from synpharm.analysis.results import ResponseTable

    if isinstance(pulses, ResponseTable) and not (pulses.kind == "test").any():
        return "pp1"
    return "test"


def primary_measure(pulses: Any) -> np.ndarray:
    """The per-pulse measure of the time course: fEPSP slope, or the response amplitude."""
    from synpharm.analysis.results import ResponseTable

    if isinstance(pulses, ResponseTable):
        return np.asarray(pulses.amplitude, dtype=float)
    return np.asarray(pulses.fepsp_slope, dtype=float)


def _baseline_mask(
    pulses: Any, induction_time: float | None, drug_time: float | None, reference: str
) -> np.ndarray:
    is_test = pulses.kind == course_kind(pulses)
    if reference == "pre_drug" and drug_time is not None:
        window = (pulses.time < drug_time) & (pulses.time >= drug_time - BASELINE_WINDOW)
        return is_test & window
    if induction_time is not None:
        window = (pulses.time < induction_time) & (pulses.time >= induction_time - BASELINE_WINDOW)
        return is_test & window
    if drug_time is not None:
        return is_test & (pulses.time < drug_time)
    return is_test


def percent_of_baseline(
    values: np.ndarray,
    pulses: Any,
    induction_time: float | None,
    drug_time: float | None = None,
    reference: str = "pre_induction",
) -> np.ndarray:
    """``values`` (one per slice and pulse of ``pulses``) as % of each slice's baseline.

    Parameters
    ----------
    values
        Per-pulse measure, shape ``(n_slices, n_pulses)`` (fEPSP slope, amplitude, NMDA
        conductance ...).
    pulses
        The :class:`~synpharm.analysis.results.PulseTable` or ``ResponseTable`` of ``values``
        (times and kinds).
    induction_time, drug_time
        Onset of the first train and of the first wash-in [s], or None.
    reference
        ``"pre_induction"`` or ``"pre_drug"`` (see the module docstring).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_slices, n_pulses)`` [%]; NaN for slices without a baseline.
    """
    values = np.asarray(values, dtype=float)
    chosen = values[:, _baseline_mask(pulses, induction_time, drug_time, reference)]
    finite = np.isfinite(chosen)
    count = finite.sum(axis=1)
    total = np.where(finite, chosen, 0.0).sum(axis=1)
    baseline = np.full(values.shape[0], np.nan)
    usable = (count > 0) & (total != 0)
    baseline[usable] = total[usable] / count[usable]
    return 100.0 * values / baseline[:, None]

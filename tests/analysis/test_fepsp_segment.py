"""Slope method ``segment``: the widest linear segment of the rise, within the noise."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_slices import RATE, two_pathway_ltp

from synpharm.analysis._fepsp_segment import SegmentRule, segment_window
from synpharm.analysis.fepsp import measure_fepsp, place_on_average
from synpharm.errors import InputError
from synpharm.io import read_recording


def _ramp(n: int = 60, start: int = 10, stop: int = 30) -> np.ndarray:
    """Flat until ``start``, a straight fall to ``stop``, then a rounded bottom."""
    j = np.arange(n, dtype=float)
    y = -np.clip(j - start, 0, None) * 1e-5
    bend = j > stop
    y[bend] = y[stop] - 1e-5 * (j[bend] - stop) * np.exp(-(j[bend] - stop) / 3.0)
    return y[None, :]


def _window(y, tolerance, first=0, last=None):
    last = y.shape[1] - 1 if last is None else last
    start, stop = segment_window(
        y, np.array([first]), np.array([last]), np.array([20]), np.array([tolerance])
    )
    return int(start[0]), int(stop[0])


def test_a_noiseless_ramp_is_found_exactly():
    start, stop = _window(_ramp(), 1e-12)
    assert (start, stop) == (10, 31)  # the ramp: samples 10..30 lie on one line


def test_more_tolerance_never_shortens_the_segment():
    y = _ramp()
    lengths = [np.subtract(*_window(y, t)[::-1]) for t in (1e-9, 1e-7, 1e-6, 3e-6, 1e-5)]
    assert lengths == sorted(lengths) and lengths[0] >= 3


def test_the_segment_stays_between_its_bounds_and_holds_the_steepest_point():
    start, stop = _window(_ramp(), 1.0, first=12, last=25)  # everything is "linear"
    assert (start, stop) == (12, 26)
    assert _window(_ramp(), 1.0, first=21, last=25) == (0, 0)  # cannot hold sample 20


def test_rule_checks_its_fields():
    with pytest.raises(InputError):
        SegmentRule(rise=(0.9, 0.1))
    with pytest.raises(InputError):
        SegmentRule(tolerance=0.0)


def test_segment_on_a_single_sweep_measures_a_falling_slope_inside_the_rise():
    t = np.arange(600) / 20e3 - 0.01
    onset = np.clip(t - 0.002, 0, None)
    trace = -1e-3 * (np.exp(-onset / 8e-3) - np.exp(-onset / 1.5e-3)) / 0.56
    trace = trace + np.random.default_rng(0).normal(0, 5e-6, t.size)
    m = measure_fepsp(trace, 20e3, 0.01, slope_method="segment")
    assert m.flag.tolist() == [""] and m.fepsp_slope[0] < 0
    rise = measure_fepsp(trace, 20e3, 0.01, rise_fraction=(0.05, 0.9))
    assert rise.slope_window[0, 0] - 1e-4 <= m.slope_window[0, 0]
    assert m.slope_window[0, 1] <= rise.slope_window[0, 1] + 1e-4


def test_on_the_average_the_segment_is_wider_and_less_noisy_than_20_80(tmp_path):
    truth = two_pathway_ltp(tmp_path / "s.npz", seed=3)
    rows = (truth["time"] < truth["induction"]) & (truth["pathway"] == 0)
    sweeps = read_recording(tmp_path / "s.npz").sweeps[rows]
    stimulus, blank = 0.01, 1e-3
    cv = {}
    for method in ("segment", "rise"):
        place, flag = place_on_average(sweeps, RATE, stimulus, slope_method=method,
                                       blank_duration=blank)  # fmt: skip
        assert flag == "" and place is not None
        slope = measure_fepsp(sweeps, RATE, stimulus, placement=place, blank_duration=blank,
                              min_snr=0.0).fepsp_slope  # fmt: skip
        cv[method] = (np.std(slope, ddof=1) / abs(np.mean(slope)), place.window)
    (segment_cv, segment), (rise_cv, rise) = cv["segment"], cv["rise"]
    assert segment[0] <= rise[0] and segment[1] >= rise[1]
    assert segment_cv < rise_cv

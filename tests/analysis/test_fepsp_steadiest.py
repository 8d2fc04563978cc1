"""The ``"steadiest"`` slope window: least variable window of the rise, on the baseline."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synthetic_slices import RATE, two_pathway_ltp

from synpharm.analysis._fepsp_steadiest import MIN_SAMPLES, falling_cv, steadiest_window
from synpharm.analysis.fepsp import measure_fepsp
from synpharm.analysis.recordings import MeasureOptions, measure_recording
from synpharm.io import read_recording


def _slopes(rows: np.ndarray, start: int, stop: int) -> np.ndarray:
    t = np.arange(start, stop, dtype=float)
    y = rows[:, start:stop]
    tc = t - t.mean()
    return (y - y.mean(axis=1, keepdims=True)) @ tc / (tc @ tc)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(4, 12), m=st.integers(MIN_SAMPLES, 14))
def test_the_steadiest_window_has_the_lowest_cv_of_every_window_in_the_region(seed, n, m):
    rng = np.random.default_rng(seed)
    ramp = -np.arange(m + 4, dtype=float)  # a falling response, plus noise per sweep
    rows = ramp[None, :] * (1 + 0.1 * rng.standard_normal((n, 1))) + rng.standard_normal(
        (n, m + 4)
    )
    start, stop, score = steadiest_window(rows, 2, 2 + m)
    assert 2 <= start and stop <= 2 + m and stop - start >= MIN_SAMPLES
    every = [
        falling_cv(_slopes(rows, a, b)[:, None])[0]
        for a in range(2, 2 + m)
        for b in range(a + MIN_SAMPLES, 2 + m + 1)
    ]
    assert score == pytest.approx(min(every), rel=1e-9)
    assert score == pytest.approx(falling_cv(_slopes(rows, start, stop)[:, None])[0], rel=1e-9)


def test_a_region_too_short_keeps_the_region_with_an_infinite_score():
    rows = -np.ones((5, 10))
    assert steadiest_window(rows, 3, 5) == (3, 5, np.inf)


@pytest.fixture(scope="module")
def slice_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("steadiest") / "slice.npz"
    truth = two_pathway_ltp(path, seed=3)
    return path, truth


def test_one_window_per_pathway_reused_for_every_sweep_inside_the_rise(slice_file):
    path, truth = slice_file
    options = MeasureOptions(pathways=2, place_before=truth["induction"])
    table = measure_recording(read_recording(path), options)
    for p, record in enumerate(table.placements):
        assert record["placed_on_sweeps"] == int(
            np.sum((truth["time"] < truth["induction"]) & (truth["pathway"] == p))
        )
        window = np.asarray(record["slope_window_ms"])
        rows = table.pathway == p
        ok = np.isfinite(table.fepsp_slope) & rows
        assert np.allclose(table.slope_window[ok] * 1e3, window)
        assert record["volley_ms"] < window[0] < window[1] < record["peak_ms"]


def test_no_fixed_window_inside_the_rise_is_steadier_on_the_baseline(slice_file):
    """On a synthetic two-pathway file no 0.1 ms grid window inside the chosen one (all inside
    the searched rise) gives a lower baseline CV (benchmarks/analyze_placement.py compares the
    whole rise)."""
    path, truth = slice_file
    recording = read_recording(path)
    table = measure_recording(
        recording, MeasureOptions(pathways=2, place_before=truth["induction"])
    )
    stimulus = table.placements[0]["stimulus_time_ms"] * 1e-3
    blank = table.placements[0]["blank_ms"] * 1e-3
    for p in (0, 1):
        base = (truth["time"] < truth["induction"]) & (truth["pathway"] == p)
        chosen = table.fepsp_slope[base]
        cv = chosen.std(ddof=1) / chosen.mean()
        a0, b0 = table.placements[p]["slope_window_ms"]
        for a in np.arange(a0, b0 - 0.29, 0.1):  # every 0.1 ms sub-window of the chosen one
            for b in np.arange(a + 0.3, b0 + 0.01, 0.1):
                hand = -measure_fepsp(
                    recording.sweeps[base], RATE, stimulus, slope_method="window",
                    window=(a * 1e-3, b * 1e-3), blank_duration=blank, min_snr=0.0,
                ).fepsp_slope  # fmt: skip
                assert hand.std(ddof=1) / hand.mean() >= cv - 1e-12


def test_post_induction_sweeps_do_not_move_the_window(slice_file):
    path, truth = slice_file
    recording = read_recording(path)
    before = truth["induction"]
    table = measure_recording(recording, MeasureOptions(pathways=2, place_before=before))
    later = recording.sweep_time >= before
    distorted = recording.sweeps.copy()
    distorted[later] *= 3.0
    changed = measure_recording(
        _with_sweeps(recording, distorted), MeasureOptions(pathways=2, place_before=before)
    )
    for p in (0, 1):
        assert changed.placements[p]["slope_window_ms"] == table.placements[p]["slope_window_ms"]


def _with_sweeps(recording, sweeps):
    from dataclasses import replace

    return replace(recording, sweeps=sweeps)

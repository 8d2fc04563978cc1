"""Group statistics and time-course helpers against SciPy and hand-computed values."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from synpharm.analysis.statistics import (
    bin_time_course,
    describe,
    normalise_to_baseline,
    paired_t_test,
    welch_t_test,
    window_mean,
)
from synpharm.errors import InputError

# Two LTP groups (% baseline, last 10 min), unequal variances and sizes.
CONTROL = np.array([152.0, 161.0, 140.0, 175.0, 158.0, 149.0, 166.0])
DRUG = np.array([112.0, 131.0, 98.0, 121.0, 140.0])


def test_describe_ignores_nan():
    mean, sem, n = describe([1.0, np.nan, 2.0, 3.0, 6.0])
    assert (mean, n) == (3.0, 4)
    assert sem == pytest.approx(np.std([1, 2, 3, 6], ddof=1) / 2)
    assert describe([]) == (
        pytest.approx(math.nan, nan_ok=True),
        pytest.approx(math.nan, nan_ok=True),
        0,
    )
    single = describe([5.0, np.nan])
    assert single[0] == 5.0 and math.isnan(single[1]) and single[2] == 1


def test_welch_matches_scipy_and_hand_formula():
    t, p = welch_t_test(CONTROL, DRUG)
    reference = stats.ttest_ind(CONTROL, DRUG, equal_var=False)
    assert t == pytest.approx(reference.statistic, rel=1e-12)
    assert p == pytest.approx(reference.pvalue, rel=1e-12)
    va, vb = CONTROL.var(ddof=1) / CONTROL.size, DRUG.var(ddof=1) / DRUG.size
    assert t == pytest.approx((CONTROL.mean() - DRUG.mean()) / math.sqrt(va + vb), rel=1e-12)
    assert p < 0.01


def test_welch_ignores_nan_and_needs_two_values():
    with_nan = np.append(CONTROL, np.nan)
    assert welch_t_test(with_nan, DRUG) == pytest.approx(welch_t_test(CONTROL, DRUG))
    assert all(math.isnan(v) for v in welch_t_test([1.0], DRUG))
    assert all(math.isnan(v) for v in welch_t_test([1.0, np.nan], DRUG))
    assert all(math.isnan(v) for v in welch_t_test([2.0, 2.0], [2.0, 2.0]))


def test_paired_matches_scipy_and_drops_incomplete_pairs():
    before = np.array([100.0, 102.0, 98.0, 101.0, np.nan, 99.0])
    after = np.array([150.0, 141.0, 160.0, 139.0, 155.0, np.nan])
    t, p = paired_t_test(after, before)
    reference = stats.ttest_rel(after[:4], before[:4])
    assert (t, p) == pytest.approx((reference.statistic, reference.pvalue), rel=1e-12)
    assert all(math.isnan(v) for v in paired_t_test([1.0, np.nan], [2.0, 3.0]))
    with pytest.raises(InputError):
        paired_t_test([1.0, 2.0], [1.0])


def test_normalise_to_baseline_uses_each_slice_mean():
    slopes = np.array([[-0.4, -0.6, -0.5, -0.75], [-1.0, np.nan, -1.0, -2.0]])
    normalised = normalise_to_baseline(slopes, [True, True, False, False])
    np.testing.assert_allclose(
        normalised, [[80.0, 120.0, 100.0, 150.0], [100.0, np.nan, 100.0, 200.0]]
    )


def test_normalise_gives_nan_for_unusable_baseline():
    slopes = np.array([[np.nan, np.nan, -1.0], [0.0, 0.0, -1.0]])
    assert np.isnan(normalise_to_baseline(slopes, [True, True, False])).all()


def test_bin_time_course_means_per_bin_aligned_to_zero():
    time = np.arange(-120.0, 120.0, 20.0)  # one pulse every 20 s
    values = np.vstack([np.arange(time.size, dtype=float), np.full(time.size, 5.0)])
    values[1, 0:3] = np.nan  # first bin of slice 2 fully missing
    centres, binned = bin_time_course(time, values, 60.0)
    np.testing.assert_allclose(centres, [-90.0, -30.0, 30.0, 90.0])
    np.testing.assert_allclose(binned[0], [1.0, 4.0, 7.0, 10.0])
    np.testing.assert_allclose(binned[1], [np.nan, 5.0, 5.0, 5.0])


def test_window_mean_is_half_open_and_nan_safe():
    time = np.arange(0.0, 10.0)
    values = np.vstack([time, np.where(time >= 5, np.nan, 1.0)])
    np.testing.assert_allclose(window_mean(time, values, 2.0, 5.0), [3.0, 1.0])
    np.testing.assert_allclose(window_mean(time, values, 6.0, 9.0), [7.0, np.nan])
    with pytest.raises(InputError):
        window_mean(time, values, 5.0, 5.0)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=30),
    st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=30),
)
def test_welch_never_warns_and_agrees_with_scipy(a, b):
    t, p = welch_t_test(a, b)
    if np.var(a) + np.var(b) == 0:
        assert math.isnan(t) and math.isnan(p)
    else:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Precision loss occurred", RuntimeWarning)
            reference = stats.ttest_ind(a, b, equal_var=False)
        assert t == pytest.approx(reference.statistic, rel=1e-9, nan_ok=True)
        assert math.isnan(p) or 0.0 <= p <= 1.0

"""Null claims (equivalent, not_significant), blocker checks and the sign conventions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.analysis.results import ConditionResult, ExperimentResult, PulseTable, Readout
from synpharm.validation import Check, evaluate
from synpharm.validation._stats import Difference, difference, min_detectable_difference, tost_p

_EMPTY = PulseTable(*(np.zeros(0),) * 3, *(np.zeros((4, 0)),) * 3)
_RNG = np.random.default_rng(7)


def _result(**groups: np.ndarray) -> ExperimentResult:
    conditions = [
        ConditionResult(name, (), _EMPTY, {"ltp": Readout("ltp", np.asarray(v, float), "%")})
        for name, v in groups.items()
    ]
    return ExperimentResult("synthetic", conditions, None, None, {}, {})


def _outcome(result: ExperimentResult, **fields):
    return evaluate(result, Check(readout="ltp", **fields), "targets[T].checks[0]")


_SPREAD = np.linspace(-8.0, 8.0, 40)  # sd about 4.7, no sampling luck
SAME = _result(control=150 + _SPREAD, drug=150.5 + _SPREAD[::-1])
SHIFTED = _result(control=150 + _SPREAD, drug=170 + _SPREAD)
NOISY = _result(control=150 + np.array([-60.0, -20, 20, 60]),
                drug=152 + np.array([-50.0, 0, 10, 40]))


def test_equivalent_passes_for_a_null_effect_and_fails_for_a_real_one():
    assert _outcome(SAME, compare="equivalent", condition="drug", versus="control",
                    margin=5.0).passed
    assert not _outcome(SHIFTED, compare="equivalent", condition="drug", versus="control",
                        margin=5.0).passed


def test_equivalent_fails_when_the_data_cannot_show_equivalence():
    """Few noisy values: not significant, but not equivalent either."""
    assert not _outcome(NOISY, compare="equivalent", condition="drug", versus="control",
                        margin=5.0).passed


def test_equivalent_needs_a_margin():
    with pytest.raises(ValueError, match="margin"):
        Check(compare="equivalent", condition="drug", versus="control", readout="ltp")


def test_not_significant_warns_when_underpowered():
    outcome = _outcome(NOISY, compare="not_significant", condition="drug", versus="control",
                       margin=5.0, min_n=8)
    assert outcome.passed
    assert "detects only differences" in outcome.warning and "min_n = 8" in outcome.warning
    assert not _outcome(SHIFTED, compare="not_significant", condition="drug",
                        versus="control").passed


def test_blocker_check_with_a_tiny_reference_effect_has_nothing_to_block():
    result = _result(control=150 + _RNG.normal(0, 0.2, 20), ltp_drug=151 + _RNG.normal(0, 0.2, 20),
                     blocker=150 + _RNG.normal(0, 0.2, 20),
                     drug_blocker=150 + _RNG.normal(0, 0.2, 20))
    outcome = _outcome(result, compare="effect_fraction", condition="drug_blocker",
                       versus="blocker", than_condition="ltp_drug", than_versus="control",
                       low=-50.0, high=50.0)
    assert not outcome.passed
    assert "nothing to block" in outcome.simulated
    # a stated smaller minimum lets the same 1-point effect count
    assert _outcome(result, compare="effect_fraction", condition="drug_blocker", versus="blocker",
                    than_condition="ltp_drug", than_versus="control", low=-50.0, high=50.0,
                    min_reference_effect=0.5).passed


def test_sign_checks_need_significance_and_margin():
    assert _outcome(SHIFTED, compare="sign", condition="drug", versus="control",
                    expected="positive", margin=10.0).passed
    assert not _outcome(SHIFTED, compare="sign", condition="drug", versus="control",
                        expected="positive", margin=30.0).passed
    assert not _outcome(SAME, compare="sign", condition="drug", versus="control",
                        expected="positive").passed  # +0.5 at noise level
    assert not _outcome(NOISY, compare="ordering", conditions=["control", "drug"],
                        direction="increasing").passed


def test_deterministic_outputs_skip_the_test():
    result = _result(a=np.array([1.0]), b=np.array([2.0]))
    outcome = _outcome(result, compare="sign", condition="b", versus="a", expected="positive")
    assert outcome.passed and "deterministic" in outcome.detail


def test_tost_matches_the_confidence_interval_rule():
    """TOST p < alpha exactly when the 1 - 2 alpha CI lies inside +- margin."""
    from scipy import stats

    d = Difference(1.0, 1.0, 20.0, 11, 11)
    half = stats.t.ppf(0.95, d.df) * d.se
    for margin in (2.0, 2.7, 2.8, 3.5):
        assert (tost_p(d, margin) < 0.05) == (d.mean + half < margin and d.mean - half > -margin)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.1, 10), st.integers(3, 40))
def test_detectable_difference_shrinks_with_n(sd, n):
    values = np.linspace(-sd, sd, n)
    small = min_detectable_difference(difference(values, values), 0.05)
    large = min_detectable_difference(difference(np.tile(values, 4), np.tile(values, 4)), 0.05)
    assert math.isfinite(small) and large < small

"""Every comparison kind on hand-built results with known values: passes and fails."""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.analysis.results import ConditionResult, ExperimentResult, PulseTable, Readout
from synpharm.errors import InputError
from synpharm.validation import Check, evaluate

_EMPTY = PulseTable(*(np.zeros(0),) * 3, *(np.zeros((4, 0)),) * 3)


def _condition(name: str, **readouts: list[float]) -> ConditionResult:
    built = {k: Readout(k, np.asarray(v, dtype=float), "%") for k, v in readouts.items()}
    return ConditionResult(name, (), _EMPTY, built)


def _result(*conditions: ConditionResult, analyses=None) -> ExperimentResult:
    return ExperimentResult("synthetic", list(conditions), None, None, {}, analyses or {})


RESULT = _result(
    _condition("control", ltp=[150, 160, 155, 155], base=[1, -1, 0.5, -0.5], ppr=[1.5] * 4),
    _condition("drug 1", ltp=[140, 142, 138, 140], base=[-20, -22, -18, -20], ppr=[1.7] * 4),
    _condition("drug 2", ltp=[120, 118, 122, 120], base=[-60, -62, -58, -60], ppr=[1.9] * 4),
    _condition("drug 3", ltp=[100, 99, 101, 100], base=[-90, -91, -89, -90], ppr=[2.1] * 4),
    analyses={
        "concentration_response": [
            {"compound": "x", "ic50_uM": 4.0, "ic50_ci_uM": [3.0, 5.0], "hill_slope": -1.0},
            {"compound": "y", "ic50_uM": 8.0, "ic50_ci_uM": [float("nan")] * 2},
        ]
    },
)


def _check(**fields) -> bool:
    return evaluate(RESULT, Check(**fields), "targets[T].checks[0]").passed


def test_range_and_value():
    assert _check(compare="range", condition="control", readout="ltp", low=130, high=180)
    assert not _check(compare="range", condition="drug 3", readout="ltp", low=130)
    assert _check(compare="range", condition="drug 3", readout="base", high=-89)
    assert _check(compare="value", condition="control", readout="ltp", observed=150, tolerance=5)
    assert not _check(compare="value", condition="control", readout="ltp", observed=150,
                      tolerance=4.9)


def test_differences_and_relative_changes_from_a_reference_condition():
    assert _check(compare="range", condition="drug 1", readout="ltp", versus="control",
                  low=-15.5, high=-14.5)
    # PPR 1.7 vs 1.5 is +13.3 %
    assert _check(compare="range", condition="drug 1", readout="ppr", versus="control",
                  relative=True, low=13, high=14)
    assert not _check(compare="range", condition="drug 1", readout="ppr", versus="control",
                      relative=True, low=-10, high=10)


def test_sign_with_margin_and_significance():
    assert _check(compare="sign", condition="drug 2", readout="ltp", versus="control",
                  expected="negative", margin=30, alpha=0.01)
    assert not _check(compare="sign", condition="drug 2", readout="ltp", versus="control",
                      expected="negative", margin=40)
    assert not _check(compare="sign", condition="drug 2", readout="ltp", versus="control",
                      expected="positive")
    # one-sample test against 0 when there is no reference condition
    assert _check(compare="sign", condition="drug 1", readout="base", expected="negative",
                  alpha=0.05)
    assert not _check(compare="sign", condition="control", readout="base", expected="negative",
                      alpha=0.05)


def test_greater_ordering_and_monotone():
    assert _check(compare="greater", condition="control", readout="ltp", than_condition="drug 1",
                  margin=10)
    assert not _check(compare="greater", condition="drug 1", readout="ltp",
                      than_condition="control")
    order = ["control", "drug 1", "drug 2", "drug 3"]
    assert _check(compare="ordering", conditions=order, readout="ltp", direction="decreasing")
    assert not _check(compare="ordering", conditions=order, readout="ltp",
                      direction="decreasing", margin=16)
    assert not _check(compare="ordering", conditions=order, readout="ltp", direction="increasing")
    flat = ["drug 1", "drug 1", "drug 2"]
    assert not _check(compare="ordering", conditions=flat, readout="ltp", direction="decreasing")
    assert _check(compare="monotone", conditions=flat, readout="ltp", direction="decreasing")
    rising = ["drug 2", "drug 1"]
    assert not _check(compare="monotone", conditions=rising, readout="ltp",
                      direction="decreasing", margin=19)
    assert _check(compare="monotone", conditions=rising, readout="ltp", direction="decreasing",
                  margin=21)


def test_ec50_range_needs_the_value_in_range_and_a_confidence_interval():
    assert _check(compare="ec50_range", compound="x", low=2.5, high=10)
    assert not _check(compare="ec50_range", compound="x", low=5, high=10)
    assert not _check(compare="ec50_range", compound="y", low=2.5, high=10)  # no CI
    assert _check(compare="ratio_range", compound="y", reference_compound="x", low=1.9, high=2.1)
    assert not _check(compare="ratio_range", compound="x", reference_compound="y", low=1, high=3)


def test_paired_test_within_subjects():
    # ltp vs base in the same slices: ltp is always larger
    assert _check(compare="paired_test", condition="control", readout="ltp", than_readout="base",
                  expected="positive")
    assert not _check(compare="paired_test", condition="control", readout="ltp",
                      than_readout="base", expected="negative")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"compare": "range", "condition": "nope", "readout": "ltp", "low": 0}, "no condition"),
        ({"compare": "range", "condition": "control", "readout": "nope", "low": 0}, "no readout"),
        ({"compare": "ec50_range", "compound": "z", "low": 1, "high": 2}, "no concentration"),
    ],
)
def test_unknown_names_are_input_errors_naming_the_check(fields, message):
    with pytest.raises(InputError, match=message) as error:
        evaluate(RESULT, Check(**fields), "targets[T].checks[0]")
    assert "targets[T].checks[0]" in str(error.value)


def test_checks_require_the_fields_of_their_kind():
    with pytest.raises(ValueError, match="needs"):
        Check(compare="ec50_range", compound="x")
    with pytest.raises(ValueError, match="relative"):
        Check(compare="range", condition="a", readout="b", low=0, relative=True)


def test_effect_fraction_relates_an_effect_to_a_reference_effect():
    # (drug 2 - drug 3) / (control - drug 3) = 20 / 55 = 36.4 %
    fields = dict(compare="effect_fraction", condition="drug 2", versus="drug 3", readout="ltp",
                  than_condition="control", than_versus="drug 3")
    assert _check(**fields, low=30, high=40)
    assert not _check(**fields, high=30)
    # a reference effect that is not positive leaves nothing to compare with: fails
    reversed_reference = {**fields, "than_condition": "drug 3", "than_versus": "control"}
    assert not _check(**reversed_reference, low=-1e9, high=1e9)

"""The ``spread`` comparison: SD, range and CV over the subjects of one condition."""

from __future__ import annotations

import math

import numpy as np
import pytest

from synpharm.analysis.results import ConditionResult, ExperimentResult, PulseTable, Readout
from synpharm.errors import InputError
from synpharm.validation import Check, evaluate
from synpharm.validation._independence import quantities
from synpharm.validation._schema import Target
from synpharm.validation._spread import spread_statistic

_EMPTY = PulseTable(*(np.zeros(0),) * 3, *(np.zeros((4, 0)),) * 3)
# ltp: mean 150, deviations -30, -10, 10, 30 -> sample variance 2000/3, range 60
_LTP = [120.0, 140.0, 160.0, 180.0]
_SLOPE = [-0.4, -0.6, -0.8, -0.2]  # mean -0.5, sample SD sqrt(0.2/3), CV = SD / 0.5
_RESULT = ExperimentResult(
    "synthetic",
    [ConditionResult("control", (), _EMPTY, {
        "ltp": Readout("ltp", np.asarray(_LTP), "%"),
        "slope": Readout("slope", np.asarray(_SLOPE), "mV/ms"),
        "one": Readout("one", np.asarray([150.0, math.nan, math.nan, math.nan]), "%"),
    })],
    None, None, {}, {},
)
_SD = math.sqrt(2000.0 / 3.0)
_CV = math.sqrt(0.2 / 3.0) / 0.5


def _outcome(**fields):
    return evaluate(_RESULT, Check(compare="spread", condition="control", **fields),
                    "targets[T].checks[0]")


@pytest.mark.parametrize(("statistic", "readout", "expected"), [
    ("sd", "ltp", _SD), ("range", "ltp", 60.0), ("cv", "slope", _CV), ("cv", "ltp", _SD / 150.0),
])
def test_closed_form_statistics(statistic, readout, expected):
    outcome = _outcome(readout=readout, statistic=statistic, low=0.0)
    assert outcome.value == pytest.approx(expected, rel=1e-12)
    assert outcome.passed


def test_bounds_are_inclusive_and_either_end_may_be_open():
    assert _outcome(readout="ltp", statistic="range", low=60.0, high=60.0).passed
    assert not _outcome(readout="ltp", statistic="range", low=60.1).passed
    assert not _outcome(readout="ltp", statistic="sd", high=_SD - 0.01).passed
    assert _outcome(readout="slope", statistic="cv", low=0.2, high=0.6).passed


def test_cv_is_dimensionless_and_sd_keeps_the_readout_unit():
    assert _outcome(readout="slope", statistic="cv", low=0.0).unit == ""
    assert _outcome(readout="ltp", statistic="sd", low=0.0).unit == "%"


def test_too_few_finite_values_fail_with_nan():
    outcome = _outcome(readout="one", statistic="sd", low=0.0)
    assert math.isnan(outcome.value) and not outcome.passed
    assert math.isnan(spread_statistic(np.array([1.0]), "range"))
    assert spread_statistic(np.array([1.0, math.nan, 3.0]), "range") == 2.0


def test_schema_needs_statistic_and_bounds_and_rejects_misplaced_fields():
    with pytest.raises(ValueError, match="statistic"):
        Check(compare="spread", condition="control", readout="ltp", low=1.0)
    with pytest.raises(ValueError, match="low or high"):
        Check(compare="spread", condition="control", readout="ltp", statistic="sd")
    with pytest.raises(ValueError, match="versus"):
        Check(compare="spread", condition="control", readout="ltp", statistic="sd", low=1.0,
              versus="drug")
    with pytest.raises(ValueError, match="spread"):
        Check(compare="range", condition="control", readout="ltp", statistic="sd", low=1.0)
    with pytest.raises(ValueError):
        Check(compare="spread", condition="control", readout="ltp", statistic="iqr", low=1.0)


def test_unknown_readout_names_the_field():
    with pytest.raises(InputError, match="readout"):
        _outcome(readout="nope", statistic="sd", low=0.0)


def test_a_spread_is_not_the_same_quantity_as_the_mean_for_calibration_independence():
    check = Check(compare="spread", condition="control", readout="ltp", statistic="sd", low=1.0)
    target = Target(id="V", role="calibration", source="src", claim="claim", protocol="p",
                    checks=[check])
    assert list(quantities(target, check)) == [("p", "control", "sd(ltp)")]

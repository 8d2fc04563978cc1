"""The ``spread`` comparison: how much subjects of one condition differ from each other.

Real cohorts are not uniform: slices of one preparation differ in release probability,
inhibition, excitability and recording quality, so a published data set has a spread as well as
a mean. ``spread`` reads one statistic of a readout over the subjects of one condition:

- ``sd``: the sample standard deviation (n - 1 in the denominator) [readout units];
- ``range``: largest minus smallest value [readout units];
- ``cv``: coefficient of variation, sample SD / abs(mean) [dimensionless].

Non-finite values (a slice without a readout) are left out; fewer than two finite values give
``n/a`` and the check fails.
"""

from __future__ import annotations

import math

import numpy as np

from synpharm.validation._compare import CheckContext, CheckOutcome, Series, _interval, _number
from synpharm.validation._schema import Check

__all__ = ["spread", "spread_statistic"]


def spread_statistic(values: np.ndarray, statistic: str) -> float:
    """``sd``, ``range`` or ``cv`` of the finite values; NaN with fewer than two.

    Examples
    --------
    >>> spread_statistic(np.array([1.0, 2.0, 3.0]), "sd")
    1.0
    >>> spread_statistic(np.array([1.0, 2.0, 3.0]), "range")
    2.0
    >>> spread_statistic(np.array([1.0, 2.0, 3.0]), "cv")
    0.5
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size < 2:
        return math.nan
    if statistic == "range":
        return float(np.ptp(finite))
    sd = float(np.std(finite, ddof=1))
    if statistic == "sd":
        return sd
    if statistic == "cv":
        mean = abs(float(np.mean(finite)))
        return sd / mean if mean > 0.0 else math.nan
    raise ValueError(f"unknown spread statistic {statistic!r}: use sd, range or cv")


def spread(ctx: CheckContext, check: Check) -> CheckOutcome:
    """``statistic`` of ``readout`` over the subjects of ``condition`` within [low, high]."""
    assert check.condition and check.readout and check.statistic
    values = ctx.values(check.condition, check.readout)
    value = spread_statistic(values, check.statistic)
    unit = "" if check.statistic == "cv" else check.unit or ctx.unit(check.condition, check.readout)
    low = -math.inf if check.low is None else check.low
    high = math.inf if check.high is None else check.high
    n = int(np.isfinite(values).sum())
    detail = f"{check.statistic} of {check.readout} over the {n} subjects of {check.condition}"
    return CheckOutcome(
        check.what or detail,
        check.compare,
        bool(math.isfinite(value) and low <= value <= high),
        value,
        _number(value, unit),
        _interval(check.low, check.high, unit),
        f"{check.statistic} in range",
        detail,
        unit,
        (Series(check.condition, values),),
        None,
    )

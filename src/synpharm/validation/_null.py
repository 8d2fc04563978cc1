"""Comparison kinds for null claims and blockers: equivalence, non-significance, effect fraction.

- ``equivalent``: two one-sided tests (Schuirmann 1987) that the difference from ``versus`` lies
  within +- ``margin``; passes when the TOST p is below ``alpha``.
- ``not_significant``: the two-sided Welch p is at least ``alpha``; the outcome warns when the
  comparison could not have detected an effect of ``margin`` (power < 80 %) or has fewer than
  ``min_n`` subjects per group, because "not significant" then says little.
- ``effect_fraction``: the effect under a blocker as a percentage of the reference effect; the
  reference effect must be at least ``min_reference_effect`` (default 5 readout units) and
  significant at ``alpha``, or the check fails with "nothing to block".
"""

from __future__ import annotations

import math

from synpharm.analysis.statistics import describe
from synpharm.validation._compare import (
    CheckContext,
    CheckOutcome,
    Series,
    _describe_quantity,
    _deterministic,
    _interval,
    _number,
    alpha_of,
)
from synpharm.validation._schema import DEFAULT_MIN_REFERENCE_EFFECT, Check
from synpharm.validation._stats import (
    difference,
    min_detectable_difference,
    tost_p,
    two_sided_p,
)

__all__ = ["effect_fraction", "equivalent", "not_significant"]


def _pair(ctx: CheckContext, check: Check) -> tuple[Series, Series, str]:
    assert check.condition and check.readout and check.versus
    a = Series(check.condition, ctx.values(check.condition, check.readout))
    b = Series(check.versus, ctx.values(check.versus, check.readout, "versus"))
    return a, b, check.unit or ctx.unit(check.condition, check.readout)


def equivalent(ctx: CheckContext, check: Check) -> CheckOutcome:
    """TOST: ``condition - versus`` inside +- margin at level ``alpha`` (default 0.05)."""
    a, b, unit = _pair(ctx, check)
    assert check.margin is not None
    alpha = alpha_of(check)
    d = difference(a.values, b.values)
    p = tost_p(d, check.margin)
    passed = math.isfinite(p) and p < alpha
    detail = (f"{_describe_quantity(check)}; TOST against +-{check.margin:g} {unit}: "
              f"p = {p:.2g} (needs < {alpha:g}), n = {d.n_a}/{d.n_b}")
    return CheckOutcome(
        check.what or detail, check.compare, bool(passed), d.mean, _number(d.mean, unit),
        f"equivalent within +-{check.margin:g}", f"TOST p < {alpha:g}", detail, unit, (b, a),
        (-check.margin, check.margin),
    )


def _power_warning(check: Check, detectable: float, n: int, unit: str) -> str:
    notes = []
    if check.margin is not None and not detectable <= check.margin:
        notes.append(f"the test detects only differences >= {_number(detectable, unit)} "
                     f"with 80 % power, more than the margin {check.margin:g}")
    min_n = check.min_n if check.min_n is not None else 2
    if n < min_n:
        notes.append(f"n = {n} per group is below min_n = {min_n}")
    return "; ".join(notes)


def not_significant(ctx: CheckContext, check: Check) -> CheckOutcome:
    """Welch p >= alpha; the warning states the smallest difference the test could detect."""
    a, b, unit = _pair(ctx, check)
    alpha = alpha_of(check)
    d = difference(a.values, b.values)
    p = two_sided_p(d)
    detectable = min_detectable_difference(d, alpha)
    passed = math.isfinite(p) and p >= alpha
    warning = _power_warning(check, detectable, min(d.n_a, d.n_b), unit)
    detail = (f"{_describe_quantity(check)}; Welch p = {p:.2g} (needs >= {alpha:g}); "
              f"detectable at 80 % power: {_number(detectable, unit)}")
    return CheckOutcome(
        check.what or detail, check.compare, bool(passed), d.mean, _number(d.mean, unit),
        "no significant difference", f"p >= {alpha:g}", detail, unit, (b, a), None,
        warning=warning,
    )


def _reference_problem(check: Check, reference: float, p: float, deterministic: bool) -> str:
    """Why the reference effect is too small to block ('' when it is large enough)."""
    minimum = (DEFAULT_MIN_REFERENCE_EFFECT if check.min_reference_effect is None
               else check.min_reference_effect)
    alpha = alpha_of(check)
    if not (reference >= minimum and (deterministic or p < alpha)):
        return (f"nothing to block: reference effect {reference:.3g} "
                f"(needs >= {minimum:g} and p < {alpha:g}; p = {p:.2g})")
    return ""


def effect_fraction(ctx: CheckContext, check: Check) -> CheckOutcome:
    """Effect (condition - versus) as a percentage of a reference effect (than - than_versus).

    For "a blocker abolishes the effect": the effect under the blocker relative to the effect
    without it. The reference effect must be large enough and significant, else the check fails
    with "nothing to block".
    """
    assert check.condition and check.readout and check.versus
    assert check.than_condition and check.than_versus
    names = (
        (check.versus, "versus"),
        (check.condition, "condition"),
        (check.than_versus, "than_versus"),
        (check.than_condition, "than_condition"),
    )
    series = tuple(Series(n, ctx.values(n, check.readout, f)) for n, f in names)
    mean = [describe(s.values)[0] for s in series]
    effect, reference = mean[1] - mean[0], mean[3] - mean[2]
    problem = _reference_problem(
        check, reference, two_sided_p(difference(series[3].values, series[2].values)),
        _deterministic(series[3].values, series[2].values))
    value = 100.0 * effect / reference if not problem else math.nan
    low, high = check.low, check.high
    passed = not problem and (low is None or value >= low) and (high is None or value <= high)
    detail = (
        f"({check.condition} - {check.versus}) / ({check.than_condition} - {check.than_versus})"
        f" of {check.readout}; reference effect {reference:.3g}"
    )
    if problem:
        detail = f"{problem}; {detail}"
    return CheckOutcome(
        check.what or detail, check.compare, bool(passed), value,
        _number(value, "%") if not problem else problem,
        _interval(low, high, "%"), "effect fraction", detail, "%", series, (low, high),
    )

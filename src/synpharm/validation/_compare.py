"""Comparison kinds: a check of a target against the results of a virtual experiment.

Each comparison takes the :class:`~synpharm.analysis.results.ExperimentResult` the check refers to
and
returns a :class:`CheckOutcome`: whether it passed, the simulated number, the published value
or range it was held against, and the per-subject data for the scorecard figure.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from synpharm.analysis.results import ExperimentResult
from synpharm.analysis.statistics import describe, paired_t_test
from synpharm.errors import InputError
from synpharm.validation._schema import DEFAULT_ALPHA, Check
from synpharm.validation._stats import difference, two_sided_p

__all__ = ["CheckContext", "CheckOutcome", "Series", "alpha_of", "margin_of"]


@dataclass(frozen=True)
class Series:
    """Per-subject values of one group, for the scorecard figure."""

    label: str
    values: np.ndarray


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one check.

    ``value`` is the simulated number that was compared (a mean, a difference, a fitted
    EC50...); ``band`` the acceptance region on the same axis (``None`` ends are open).
    """

    what: str
    compare: str
    passed: bool
    value: float
    simulated: str
    observed: str
    tolerance: str
    detail: str
    unit: str = ""
    series: tuple[Series, ...] = ()
    band: tuple[float | None, float | None] | None = None
    fit: dict | None = field(default=None)
    warning: str = ""

    def as_dict(self) -> dict:
        return {
            "what": self.what,
            "compare": self.compare,
            "status": "pass" if self.passed else "fail",
            "value": None if not math.isfinite(self.value) else self.value,
            "unit": self.unit,
            "simulated": self.simulated,
            "observed": self.observed,
            "tolerance": self.tolerance,
            "detail": self.detail,
            **({"warning": self.warning} if self.warning else {}),
        }


def alpha_of(check: Check) -> float:
    """The check's significance level, or the project convention :data:`DEFAULT_ALPHA`."""
    return DEFAULT_ALPHA if check.alpha is None else check.alpha


def margin_of(check: Check) -> float:
    """The check's margin (readout units), 0 when it states none."""
    return 0.0 if check.margin is None else check.margin


def _deterministic(*groups: np.ndarray) -> bool:
    """Every group is one value, or one value repeated (no spread): a deterministic model
    output, with nothing to test."""
    finite = [np.asarray(g, dtype=float)[np.isfinite(np.asarray(g, dtype=float))] for g in groups]
    return all(f.size >= 1 and np.ptp(f) == 0.0 for f in finite)


def _significant(p: float, alpha: float, *groups: np.ndarray) -> tuple[bool, str]:
    """(passes the test part, text): p < alpha; a deterministic output (n = 1) has no test."""
    if _deterministic(*groups):
        return True, "no spread within groups (deterministic output): no test"
    if not math.isfinite(p):
        return False, "p = n/a (too few values)"
    return p < alpha, f"p = {p:.2g} (needs < {alpha:g})"


class CheckContext:
    """Look-ups of conditions, readouts and fits with errors that name the target's field."""

    def __init__(
        self, result: ExperimentResult, field_prefix: str, other: ExperimentResult | None = None
    ) -> None:
        self.result = result
        self.prefix = field_prefix
        self._conditions = {c.name: c for c in result.conditions}
        self._other = None if other is None else CheckContext(other, field_prefix)

    @property
    def other(self) -> CheckContext:
        """Context of ``than_protocol`` (this one when the check has none)."""
        return self if self._other is None else self._other

    def values(self, condition: str, readout: str, field_name: str = "condition") -> np.ndarray:
        if condition not in self._conditions:
            raise InputError(
                f"{self.prefix}.{field_name}",
                f"no condition {condition!r} in the experiment",
                f"use one of: {', '.join(self._conditions) or '(none)'}",
            )
        readouts = self._conditions[condition].readouts
        if readout not in readouts:
            raise InputError(
                f"{self.prefix}.readout",
                f"condition {condition!r} has no readout {readout!r}",
                f"use one of: {', '.join(sorted(readouts))}",
            )
        return np.asarray(readouts[readout].values, dtype=float)

    def unit(self, condition: str, readout: str) -> str:
        return self._conditions[condition].readouts[readout].unit

    def fit(self, analysis: str, compound: str, field_name: str = "compound") -> dict:
        fits = self.result.analyses.get(analysis, [])
        for entry in fits:
            if entry.get("compound") == compound:
                return entry
        names = ", ".join(sorted(e.get("compound", "?") for e in fits)) or "(none)"
        raise InputError(
            f"{self.prefix}.{field_name}",
            f"no {analysis} fit for {compound!r} in the experiment",
            f"use one of: {names}",
        )


def _number(value: float, unit: str = "") -> str:
    if not math.isfinite(value):
        return "n/a"
    text = f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return f"{text} {unit}".strip() if unit and unit != "1" else text


def _interval(low: float | None, high: float | None, unit: str = "") -> str:
    u = f" {unit}" if unit and unit != "1" else ""
    if low is None:
        return f"<= {high:g}{u}"
    if high is None:
        return f">= {low:g}{u}"
    return f"{low:g} to {high:g}{u}"


def _quantity(ctx: CheckContext, check: Check) -> tuple[float, str, tuple[Series, ...]]:
    """Mean of ``readout`` in ``condition``, minus the mean in ``versus`` if given."""
    assert check.condition is not None and check.readout is not None
    values = ctx.values(check.condition, check.readout)
    unit = check.unit or ctx.unit(check.condition, check.readout)
    mean = describe(values)[0]
    series = [Series(check.condition, values)]
    if check.versus is not None:
        reference = ctx.values(check.versus, check.readout, "versus")
        series.insert(0, Series(check.versus, reference))
        if check.relative:
            mean, unit = 100.0 * (mean / describe(reference)[0] - 1.0), "%"
        else:
            mean -= describe(reference)[0]
    return mean, unit, tuple(series)


def _describe_quantity(check: Check) -> str:
    base = f"{check.readout} in {check.condition}"
    if check.versus is None:
        return base
    if check.relative:
        return f"{base} vs {check.versus} (% change)"
    return f"{base} minus {check.versus}"


def _range(ctx: CheckContext, check: Check) -> CheckOutcome:
    value, unit, series = _quantity(ctx, check)
    low = -math.inf if check.low is None else check.low
    high = math.inf if check.high is None else check.high
    return CheckOutcome(
        check.what or _describe_quantity(check),
        check.compare,
        bool(low <= value <= high),
        value,
        _number(value, unit),
        _interval(check.low, check.high, unit),
        "range",
        _describe_quantity(check),
        unit,
        series,
        (check.low, check.high) if check.versus is None else None,
    )


def _value(ctx: CheckContext, check: Check) -> CheckOutcome:
    value, unit, series = _quantity(ctx, check)
    assert check.observed is not None and check.tolerance is not None
    low, high = check.observed - check.tolerance, check.observed + check.tolerance
    return CheckOutcome(
        check.what or _describe_quantity(check),
        check.compare,
        bool(abs(value - check.observed) <= check.tolerance),
        value,
        _number(value, unit),
        _number(check.observed, unit),
        f"+- {check.tolerance:g}",
        _describe_quantity(check),
        unit,
        series,
        (low, high) if check.versus is None else None,
    )


def _sign_test(check: Check, series: tuple[Series, ...]) -> float:
    """Two-sided p of the effect: Welch vs ``versus``, else one-sample t test against 0."""
    if check.versus is not None:
        return two_sided_p(difference(series[1].values, series[0].values))
    return two_sided_p(difference(series[0].values))


def _sign(ctx: CheckContext, check: Check) -> CheckOutcome:
    """Sign of the effect beyond ``margin`` and significant at ``alpha`` (default 0.05)."""
    value, unit, series = _quantity(ctx, check)
    positive = check.expected == "positive"
    margin, alpha = margin_of(check), alpha_of(check)
    tested, p_text = _significant(_sign_test(check, series), alpha,
                                  *(s.values for s in series))
    passed = (value > margin if positive else value < -margin) and tested
    detail = f"{_describe_quantity(check)}; {p_text}"
    return CheckOutcome(
        check.what or detail,
        check.compare,
        bool(passed),
        value,
        _number(value, unit),
        f"{'> ' if positive else '< '}{'' if positive else '-'}{margin:g}",
        f"sign beyond margin {margin:g}, p < {alpha:g}",
        detail,
        unit,
        series,
    )


def _greater(ctx: CheckContext, check: Check) -> CheckOutcome:
    assert check.condition and check.readout and check.than_condition
    other_readout = check.than_readout or check.readout
    left = ctx.values(check.condition, check.readout)
    right = ctx.other.values(check.than_condition, other_readout, "than_condition")
    value = describe(left)[0] - describe(right)[0]
    unit = check.unit or ctx.unit(check.condition, check.readout)
    margin, alpha = margin_of(check), alpha_of(check)
    tested, p_text = _significant(two_sided_p(difference(left, right)), alpha, left, right)
    detail = (
        f"{check.readout} in {check.condition} minus {other_readout} in {check.than_condition}"
        f"; {p_text}"
    )
    return CheckOutcome(
        check.what or detail,
        check.compare,
        bool(value > margin and tested),
        value,
        _number(value, unit),
        f"difference > {margin:g}",
        f"margin {margin:g}, p < {alpha:g}",
        detail,
        unit,
        (
            Series(f"{check.condition}: {check.readout}", left),
            Series(f"{check.than_condition}: {other_readout}", right),
        ),
    )


def _steps(ctx: CheckContext, check: Check) -> tuple[np.ndarray, str, tuple[Series, ...]]:
    assert check.conditions and check.readout
    series = tuple(
        Series(name, ctx.values(name, check.readout, "conditions")) for name in check.conditions
    )
    means = np.array([describe(s.values)[0] for s in series])
    sign = -1.0 if check.direction == "decreasing" else 1.0
    unit = check.unit or ctx.unit(check.conditions[0], check.readout)
    return sign * np.diff(means), unit, series


def _ordering(ctx: CheckContext, check: Check) -> CheckOutcome:
    """Every step between successive conditions beyond ``margin`` and significant (Welch)."""
    steps, unit, series = _steps(ctx, check)
    smallest = float(steps.min())
    margin, alpha = margin_of(check), alpha_of(check)
    p = max(
        (two_sided_p(difference(b.values, a.values)) for a, b in itertools.pairwise(series)),
        key=lambda x: x if math.isfinite(x) else math.inf,
    )
    tested, p_text = _significant(p, alpha, *(s.values for s in series))
    detail = f"{check.readout} {check.direction} over " + " -> ".join(check.conditions or [])
    detail += f"; least significant step: {p_text}"
    return CheckOutcome(
        check.what or detail,
        check.compare,
        bool(smallest > margin and tested),
        smallest,
        "means " + ", ".join(_number(describe(s.values)[0]) for s in series) + f" {unit}",
        f"strictly {check.direction}",
        f"each step > {margin:g}, p < {alpha:g}",
        detail + f"; smallest step {_number(smallest, unit)}",
        unit,
        series,
    )


def _monotone(ctx: CheckContext, check: Check) -> CheckOutcome:
    steps, unit, series = _steps(ctx, check)
    worst = float(steps.min())
    word = "non-increasing" if check.direction == "decreasing" else "non-decreasing"
    detail = f"{check.readout} {word} over " + " -> ".join(check.conditions or [])
    return CheckOutcome(
        check.what or detail,
        check.compare,
        bool(worst >= -margin_of(check)),
        worst,
        "means " + ", ".join(_number(describe(s.values)[0]) for s in series) + f" {unit}",
        word,
        f"slack {margin_of(check):g}",
        detail + f"; worst step {_number(worst, unit)}",
        unit,
        series,
    )


def _ec50_range(ctx: CheckContext, check: Check) -> CheckOutcome:
    assert check.compound is not None and check.low is not None and check.high is not None
    fit = ctx.fit(check.analysis, check.compound)
    ec50 = float(fit.get("ic50_uM", fit.get("ec50_uM", math.nan)))
    ci = fit.get("ic50_ci_uM", fit.get("ec50_ci_uM", [math.nan, math.nan]))
    has_ci = all(math.isfinite(float(x)) for x in ci)
    passed = check.low <= ec50 <= check.high and has_ci
    return CheckOutcome(
        check.what or f"{check.compound} EC50 ({fit.get('readout', check.analysis)})",
        check.compare,
        bool(passed),
        ec50,
        f"{ec50:.3g} uM (95 % CI {float(ci[0]):.3g}-{float(ci[1]):.3g}), "
        f"Hill slope {abs(float(fit.get('hill_slope', math.nan))):.2g}",
        _interval(check.low, check.high, "uM"),
        "EC50 in range, CI reported",
        f"Hill fit with bootstrap CI, {fit.get('n_concentrations', '?')} concentrations"
        + ("" if has_ci else "; no confidence interval"),
        "uM",
        (),
        (check.low, check.high),
        {**fit, "points": _fit_points(ctx.result, check.compound)},
    )


def _fit_points(result: ExperimentResult, compound: str) -> dict[str, list[float]]:
    """The data of a Hill fit, for the scorecard figure: concentration [uM] and inhibition [%]
    of every slice of the compound's series, and of control."""
    points: dict[str, list[float]] = {"concentration_uM": [], "response": [], "control": []}
    for c in result.conditions:
        values = c.readouts.get("baseline_change_percent")
        if values is None:
            continue
        inhibition = (-np.asarray(values.values, dtype=float)).tolist()
        if not c.drugs:
            points["control"] += inhibition
        elif len(c.drugs) == 1 and c.drugs[0][0] == compound:
            points["concentration_uM"] += [c.drugs[0][1] * 1e3] * len(inhibition)
            points["response"] += inhibition
    return points


def _ratio_range(ctx: CheckContext, check: Check) -> CheckOutcome:
    assert check.compound and check.reference_compound
    assert check.low is not None and check.high is not None
    a = ctx.fit(check.analysis, check.compound)
    b = ctx.fit(check.analysis, check.reference_compound, "reference_compound")
    ratio = float(a["ic50_uM"]) / float(b["ic50_uM"])
    return CheckOutcome(
        check.what or f"IC50 {check.compound} / {check.reference_compound}",
        check.compare,
        bool(check.low <= ratio <= check.high),
        ratio,
        f"{ratio:.3g} ({a['ic50_uM']:.3g} / {b['ic50_uM']:.3g} uM)",
        _interval(check.low, check.high),
        "ratio range",
        f"{check.analysis}: IC50 ratio",
        "",
        (),
        (check.low, check.high),
    )


def _paired_test(ctx: CheckContext, check: Check) -> CheckOutcome:
    assert check.condition and check.readout and check.than_readout
    other = check.than_condition or check.condition
    a = ctx.values(check.condition, check.readout)
    b = ctx.other.values(other, check.than_readout, "than_condition")
    if a.shape != b.shape:
        raise InputError(
            f"{ctx.prefix}.than_condition",
            f"{a.size} and {b.size} subjects cannot be paired",
            "pair readouts of the same subjects (same condition or a crossover)",
        )
    t, p = paired_t_test(a, b)
    difference = float(np.nanmean(a - b))
    alpha = alpha_of(check)
    sign_ok = difference > 0 if check.expected == "positive" else difference < 0
    unit = check.unit or ctx.unit(check.condition, check.readout)
    detail = f"paired t test, {check.readout} minus {check.than_readout}: t = {t:.3g}, p = {p:.2g}"
    return CheckOutcome(
        check.what or detail,
        check.compare,
        bool(sign_ok and p < alpha),
        difference,
        f"mean difference {_number(difference, unit)}, p = {p:.2g}",
        f"{check.expected} difference",
        f"p < {alpha:g}",
        detail,
        unit,
        (Series(check.readout, a), Series(check.than_readout, b)),
    )

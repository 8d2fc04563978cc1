"""The registry of comparison kinds and :func:`evaluate`."""

from __future__ import annotations

from collections.abc import Callable

from synpharm.analysis.results import ExperimentResult
from synpharm.validation import _compare as c
from synpharm.validation._null import effect_fraction, equivalent, not_significant
from synpharm.validation._schema import Check
from synpharm.validation._spread import spread

__all__ = ["evaluate"]

_COMPARISONS: dict[str, Callable[[c.CheckContext, Check], c.CheckOutcome]] = {
    "range": c._range,
    "value": c._value,
    "sign": c._sign,
    "greater": c._greater,
    "ordering": c._ordering,
    "monotone": c._monotone,
    "ec50_range": c._ec50_range,
    "ratio_range": c._ratio_range,
    "paired_test": c._paired_test,
    "effect_fraction": effect_fraction,
    "equivalent": equivalent,
    "not_significant": not_significant,
    "spread": spread,
}


def evaluate(
    result: ExperimentResult,
    check: Check,
    field_prefix: str,
    than_result: ExperimentResult | None = None,
) -> c.CheckOutcome:
    """Evaluate one check against an experiment's results.

    ``field_prefix`` (e.g. ``"targets[LIT-BAC-2].checks[0]"``) prefixes error messages;
    ``than_result`` is the experiment of ``than_protocol`` (comparisons across protocols).
    """
    return _COMPARISONS[check.compare](c.CheckContext(result, field_prefix, than_result), check)

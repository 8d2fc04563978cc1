"""Calibration independence: validation checks must not re-measure what calibration fitted.

A validation check that reads the same quantity (protocol, condition, readout) as a check of a
calibration target is not independent of the fit: it is reported by
:func:`calibration_overlaps` (and shown by ``synpharm validate``), and the shipped targets have
none (``tests/validation/test_calibration_independence.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from synpharm.validation._schema import Check, Target

__all__ = ["calibration_overlaps", "quantities"]


def _reference(protocol: object) -> str:
    return protocol if isinstance(protocol, str) else json.dumps(protocol, sort_keys=True)


def quantities(target: Target, check: Check) -> Iterator[tuple[str, str, str]]:
    """``(protocol, condition, readout)`` of every simulated quantity a check reads.

    Reference conditions (``versus``, and ``than_condition`` of a ``paired_test``) are left
    out: a shared control arm is not a shared claim. A ``spread`` check reads
    ``statistic(readout)`` (e.g. ``sd(ltp_percent)``), not the mean. Assay checks (fits of a
    compound) read ``(assay, compound, analysis)``.
    """
    protocol = check.protocol if check.protocol is not None else target.protocol
    base = _reference(protocol) if protocol is not None else f"assay:{target.assay}"
    if check.readout and check.condition:
        # a spread across subjects is a different quantity from the mean of the same readout
        readout = f"{check.statistic}({check.readout})" if check.statistic else check.readout
        yield base, check.condition, readout
    for name in check.conditions or ():
        yield base, name, check.readout or ""
    if check.than_condition and check.compare != "paired_test":
        other = _reference(check.than_protocol) if check.than_protocol is not None else base
        yield other, check.than_condition, check.than_readout or check.readout or ""
    if check.compound:
        yield base, check.compound, check.analysis


def _fitted(targets: list[Target]) -> dict[tuple[str, str, str], str]:
    """Quantity -> id of the first calibration target that reads it."""
    fitted: dict[tuple[str, str, str], str] = {}
    for target in (t for t in targets if t.role == "calibration"):
        for check in target.checks:
            for key in quantities(target, check):
                fitted.setdefault(key, target.id)
    return fitted


def calibration_overlaps(targets: Iterable[Target]) -> list[str]:
    """One line per validation check (preconditions excepted) that reads a calibrated quantity."""
    targets = [t for t in targets if t.status == "active"]
    fitted = _fitted(targets)
    return [
        f"{target.id} check {index} reads {key[2]} in {key[1]!r} of {key[0]}, "
        f"as calibration target {fitted[key]} does"
        for target in targets if target.role == "validation"
        for index, check in enumerate(target.checks) if not check.precondition
        for key in quantities(target, check) if key in fitted
    ]

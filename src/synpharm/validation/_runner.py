"""Run every target of one or more targets files and collect the scorecard.

Each distinct experiment (protocol, cohort, seed) runs once even when several targets or checks
use it. Protocols are found by name in the packaged protocol library, as a file relative to the
targets file, or inline in the target.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synpharm.analysis.results import ExperimentResult
from synpharm.errors import InputError
from synpharm.experiments import is_study, load_experiment, study_from_dict
from synpharm.experiments.resources import check_run
from synpharm.protocols import Protocol
from synpharm.protocols.library import library_protocol_path, library_protocols
from synpharm.validation._assays import nmda_channel_block_assay
from synpharm.validation._compare import CheckOutcome, evaluate
from synpharm.validation._schema import Check, Target, TargetSet

__all__ = ["Scorecard", "TargetOutcome", "run_targets"]


@dataclass(frozen=True)
class TargetOutcome:
    """The scorecard line of one target."""

    target: Target
    status: str  # "pass" | "fail" | "pending"
    checks: tuple[CheckOutcome, ...] = ()

    @property
    def detail(self) -> str:
        if self.status == "pending":
            return f"pending: {self.target.reason}"
        failed = [c.what for c in self.checks if not c.passed]
        passed = sum(c.passed for c in self.checks)
        text = f"{passed}/{len(self.checks)} checks pass"
        return text + (f"; failed: {'; '.join(failed)}" if failed else "")

    def as_dict(self) -> dict[str, Any]:
        checks = [c.as_dict() for c in self.checks]
        return {
            "id": self.target.id,
            "role": self.target.role,
            "status": self.status,
            "simulated": "; ".join(c.simulated for c in self.checks) or None,
            "observed": self.target.claim,
            "tolerance": "; ".join(f"{c.observed} ({c.tolerance})" for c in self.checks) or None,
            "detail": self.detail,
            "source": self.target.source,
            "experiment": self.target.experiment,
            "preparation": self.target.preparation,
            "checks": checks,
        }


@dataclass(frozen=True)
class Scorecard:
    """All target outcomes, in file order."""

    outcomes: tuple[TargetOutcome, ...]
    provenance: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        def counts(items: Iterable[TargetOutcome]) -> dict[str, int]:
            items = list(items)
            return {s: sum(o.status == s for o in items) for s in ("pass", "fail", "pending")}

        by_role = {
            role: counts(o for o in self.outcomes if o.target.role == role)
            for role in ("calibration", "validation")
        }
        return {**counts(self.outcomes), "by_role": by_role}

    def as_dict(self) -> dict[str, Any]:
        return {
            "targets": [o.as_dict() for o in self.outcomes],
            "summary": self.summary(),
            "provenance": self.provenance,
        }


def _resolve(reference: str, base: Path, field: str) -> Path:
    for candidate in (base / reference, base / f"{reference}.toml"):
        if candidate.is_file():
            return candidate
    path = library_protocol_path(reference)
    if path is not None:
        return path
    raise InputError(
        field,
        f"no protocol file or library protocol {reference!r}",
        f"give a path relative to {base} or a library protocol: {', '.join(library_protocols())}",
    )


class _Experiments:
    """Runs each distinct experiment once and keeps the result."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self._results: dict[str, ExperimentResult] = {}
        self._progress = progress
        self.runs: list[dict[str, Any]] = []

    def protocol_result(
        self, reference: str | dict[str, Any], base: Path, field: str, target: Target
    ) -> ExperimentResult:
        from synpharm.experiments import run as run_experiment

        if isinstance(reference, dict):
            protocol = (
                study_from_dict(reference, field)
                if is_study(reference)
                else Protocol.from_dict(reference, source=field)
            )
            label = f"{target.id} (inline)"
        else:
            path = _resolve(reference, base, field)
            protocol = load_experiment(path)
            label = path.stem
        key_text = json.dumps([protocol.to_dict(), target.cohort, target.seed], default=str)
        key = hashlib.sha256(key_text.encode()).hexdigest()
        if key not in self._results:
            cohort = protocol.cohort if target.cohort is None else target.cohort
            check_run(protocol, cohort, f"targets[{target.id}].cohort")
            if self._progress:
                self._progress(label)
            result = run_experiment(protocol, cohort=target.cohort, seed=target.seed)
            self._results[key] = result
            self.runs.append(
                {
                    "protocol": label,
                    "cohort": result.provenance.get("cohort"),
                    "seed": result.provenance.get("seed"),
                    "protocol_sha": result.provenance.get("protocol_sha"),
                }
            )
        return self._results[key]

    def assay_result(self, target: Target, field: str) -> ExperimentResult:
        key = f"assay:{target.assay}:{target.compounds}"
        if key not in self._results:
            if self._progress:
                self._progress(f"{target.assay} assay")
            self._results[key] = nmda_channel_block_assay(list(target.compounds or []), field)
            self.runs.append({"assay": target.assay, "compounds": target.compounds})
        return self._results[key]


def _check_result(
    experiments: _Experiments, target: Target, check: Check, base: Path, prefix: str
) -> ExperimentResult:
    if target.assay is not None and check.protocol is None:
        return experiments.assay_result(target, f"targets[{target.id}].compounds")
    if check.protocol is not None:
        return experiments.protocol_result(check.protocol, base, f"{prefix}.protocol", target)
    assert target.protocol is not None
    return experiments.protocol_result(
        target.protocol, base, f"targets[{target.id}].protocol", target
    )


def _run_target(experiments: _Experiments, target: Target, base: Path) -> TargetOutcome:
    if target.status == "pending":
        return TargetOutcome(target, "pending")
    outcomes = []
    for index, check in enumerate(target.checks):
        prefix = f"targets[{target.id}].checks[{index}]"
        result = _check_result(experiments, target, check, base, prefix)
        than = None
        if check.than_protocol is not None:
            than = experiments.protocol_result(
                check.than_protocol, base, f"{prefix}.than_protocol", target
            )
        outcomes.append(evaluate(result, check, prefix, than))
    passed = all(o.passed for o in outcomes)
    return TargetOutcome(target, "pass" if passed else "fail", tuple(outcomes))


def _selected(target_sets: list[TargetSet], only: list[str] | None) -> list[tuple[Target, Path]]:
    chosen = [(t, ts.path.parent) for ts in target_sets for t in ts.targets]
    ids = [t.id for t, _ in chosen]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InputError(
            "--targets", f"target id {duplicates[0]!r} is defined twice", "rename one of them"
        )
    if not only:
        return chosen
    unknown = [i for i in only if i not in ids]
    if unknown:
        raise InputError("--only", f"no target {unknown[0]!r}", f"use one of: {', '.join(ids)}")
    return [(t, base) for t, base in chosen if t.id in only]


def run_targets(
    target_sets: list[TargetSet],
    only: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Scorecard:
    """Run the targets (all, or those in ``only``) and return the scorecard.

    Parameters
    ----------
    target_sets
        Loaded targets files (see :func:`~synpharm.validation.load_targets`).
    only
        Target ids to run; ``None`` runs every target.
    progress
        Called with a label before each experiment starts.

    Raises
    ------
    InputError
        Unknown ``only`` id, duplicate ids across files, a protocol that cannot be found or
        read, or a check naming a condition, readout or fit the experiment does not have.
    """
    experiments = _Experiments(progress)
    outcomes = tuple(
        _run_target(experiments, target, base) for target, base in _selected(target_sets, only)
    )
    from synpharm._version import __version__

    provenance = {
        "synpharm": __version__,
        "targets_files": [str(ts.path) for ts in target_sets],
        "experiments": experiments.runs,
    }
    return Scorecard(outcomes, provenance)


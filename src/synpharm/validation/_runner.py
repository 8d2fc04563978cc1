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
from synpharm.preparations import preparation
from synpharm.preparations.variants import apply_preparation
from synpharm.protocols import Protocol
from synpharm.protocols.library import library_protocol_path, library_protocols
from synpharm.validation._assays import nmda_channel_block_assay
from synpharm.validation._compare import CheckOutcome
from synpharm.validation._evaluate import evaluate
from synpharm.validation._independence import calibration_overlaps
from synpharm.validation._schema import Check, Target, TargetSet

__all__ = ["PASS_THRESHOLD", "Scorecard", "TargetOutcome", "run_targets"]

#: With several seeds a target passes when all its checks pass at this fraction of seeds or more.
PASS_THRESHOLD = 0.8


@dataclass(frozen=True)
class TargetOutcome:
    """The scorecard line of one target."""

    target: Target
    status: str  # "pass" | "fail" | "pending"
    checks: tuple[CheckOutcome, ...] = ()
    seed_passes: tuple[bool, ...] = ()  # one entry per seed run (checks are from the first)
    seeds: tuple[int | None, ...] = ()
    #: check label -> number of seeds at which it failed (all seeds)
    seed_failures: tuple[tuple[str, int], ...] = ()
    #: per check, in order: number of seeds at which it passed
    check_seed_passes: tuple[int, ...] = ()

    @property
    def pass_fraction(self) -> float | None:
        """Fraction of seeds at which every check passed (None for a pending target)."""
        if not self.seed_passes:
            return None
        return sum(self.seed_passes) / len(self.seed_passes)

    @property
    def unexpected(self) -> bool:
        """A target expected to pass that fails (``validate --strict`` exits 1 on these)."""
        return self.status == "fail" and self.target.expected == "pass"

    @property
    def detail(self) -> str:
        if self.status == "pending":
            return f"pending: {self.target.reason}"
        failed = [c.what for c in self.checks if not c.passed]
        passed = sum(c.passed for c in self.checks)
        text = f"{passed}/{len(self.checks)} checks pass"
        if len(self.seed_passes) > 1:
            text += " at the first seed; target passes at " \
                f"{sum(self.seed_passes)}/{len(self.seed_passes)} seeds"
            if self.seed_failures:
                text += " (failing: " + "; ".join(
                    f"{what} at {n}" for what, n in self.seed_failures) + ")"
        if self.target.expected == "fail":
            text += f"; expected to fail: {self.target.reason}"
        warnings = [c.warning for c in self.checks if c.warning]
        text += f"; failed: {'; '.join(failed)}" if failed else ""
        return text + (f"; warning: {'; '.join(warnings)}" if warnings else "")

    def as_dict(self) -> dict[str, Any]:
        checks = [c.as_dict() for c in self.checks]
        return {
            "id": self.target.id,
            "role": self.target.role,
            "status": self.status,
            "expected": self.target.expected,
            "pass_fraction": self.pass_fraction,
            "seed_failures": dict(self.seed_failures),
            "seeds": list(self.seeds),
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
    n_seeds: int = 1
    #: validation checks that read a quantity a calibration check reads (see _independence)
    calibration_overlaps: tuple[str, ...] = ()

    def unexpected_failures(self) -> list[str]:
        """Ids of targets expected to pass that fail."""
        return [o.target.id for o in self.outcomes if o.unexpected]

    def summary(self) -> dict[str, Any]:
        def counts(items: Iterable[TargetOutcome]) -> dict[str, Any]:
            items = list(items)
            found: dict[str, Any] = {
                s: sum(o.status == s for o in items) for s in ("pass", "fail", "pending")}
            found["expected_fail"] = sum(
                o.status == "fail" and o.target.expected == "fail" for o in items)
            found["unexpected_fail"] = sum(o.unexpected for o in items)
            return found

        by_role = {
            role: counts(o for o in self.outcomes if o.target.role == role)
            for role in ("calibration", "validation")
        }
        fractions = {o.target.id: o.pass_fraction for o in self.outcomes
                     if o.pass_fraction is not None}
        return {**counts(self.outcomes), "by_role": by_role, "seeds": self.n_seeds,
                "pass_threshold": PASS_THRESHOLD, "pass_fractions": fractions,
                "unexpected_failures": self.unexpected_failures(),
                "calibration_overlaps": list(self.calibration_overlaps)}

    def to_dataframe(self) -> Any:
        """The scorecard as a tidy :class:`pandas.DataFrame`: one row per target and check.

        Columns: target, role, expected, status (of the target), pass_fraction (of the target:
        seeds at which every check passed; NaN when pending), check, compare, check_status,
        value (the simulated number compared), unit, seed_pass_fraction (of the check, over
        all seeds; NaN with one seed), observed, tolerance. A pending target has one row
        with no check.
        """
        import pandas as pd

        columns = ["target", "role", "expected", "status", "pass_fraction", "check", "compare",
                   "check_status", "value", "unit", "seed_pass_fraction", "observed",
                   "tolerance"]
        rows = [row for o in self.outcomes for row in _check_rows(o)]
        return pd.DataFrame(rows, columns=columns)

    def as_dict(self) -> dict[str, Any]:
        return {
            "targets": [o.as_dict() for o in self.outcomes],
            "summary": self.summary(),
            "provenance": self.provenance,
        }


def _check_rows(outcome: TargetOutcome) -> list[tuple[Any, ...]]:
    """The scorecard rows of one target (one per check; one without a check when pending)."""
    nan = float("nan")
    t = outcome.target
    fraction = nan if outcome.pass_fraction is None else outcome.pass_fraction
    head = (t.id, t.role, t.expected, outcome.status, fraction)
    if not outcome.checks:
        return [(*head, None, None, None, nan, "", nan, t.claim, None)]
    n_seeds = len(outcome.seed_passes)
    passes = outcome.check_seed_passes or (nan,) * len(outcome.checks)
    return [
        (*head, c.what, c.compare, "pass" if c.passed else "fail", c.value, c.unit,
         n / n_seeds if n_seeds > 1 else nan, c.observed, c.tolerance)
        for c, n in zip(outcome.checks, passes, strict=True)
    ]


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
    """Runs each distinct experiment (protocol, cohort, seed) once and keeps the result."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self._results: dict[str, ExperimentResult] = {}
        #: results run ahead (in parallel processes), by key; taken when first asked for
        self.prefetched: dict[str, ExperimentResult] = {}
        self._progress = progress
        self.runs: list[dict[str, Any]] = []

    @staticmethod
    def _load(reference: str | dict[str, Any], base: Path, field: str, target: Target):
        if isinstance(reference, dict):
            if is_study(reference):
                return study_from_dict(reference, field), f"{target.id} (inline)"
            return Protocol.from_dict(reference, source=field), f"{target.id} (inline)"
        path = _resolve(reference, base, field)
        return load_experiment(path), path.stem

    def request(
        self, reference: str | dict[str, Any], base: Path, field: str, target: Target,
        replicate: int = 0,
    ) -> tuple[str, str, Any, int, Any]:
        """Key, label, protocol, seed and preparation of ``reference`` at ``target seed +
        replicate`` (the key identifies the experiment: protocol, cohort, seed, preparation)."""
        protocol, label = self._load(reference, base, field, target)
        a_study = protocol.kind != "slice_protocol"
        if a_study and target.preparation_variant is not None:
            raise InputError(f"targets[{target.id}].preparation",
                             "studies do not take a preparation variant",
                             "use a slice protocol, or drop the variant")
        with_preparation = None if a_study else apply_preparation(
            protocol, target.preparation_variant, base, f"targets[{target.id}].preparation",
            preparation)
        seed = (protocol.seed if target.seed is None else target.seed) + replicate
        # a target's cohort equal to the experiment's own is no override: one key, one run
        cohort = None if target.cohort == getattr(protocol, "cohort", None) else target.cohort
        key_text = json.dumps([protocol.to_dict(), cohort, seed, repr(with_preparation)],
                              default=str)
        return (hashlib.sha256(key_text.encode()).hexdigest(), label, protocol, seed,
                with_preparation)

    def protocol_result(
        self, reference: str | dict[str, Any], base: Path, field: str, target: Target,
        replicate: int = 0,
    ) -> ExperimentResult:
        """The result of the experiment ``reference`` at seed ``target seed + replicate``."""
        from synpharm.experiments import run as run_experiment

        key, label, protocol, seed, with_preparation = self.request(
            reference, base, field, target, replicate)
        if key not in self._results:
            cohort = protocol.cohort if target.cohort is None else target.cohort
            check_run(protocol, cohort, f"targets[{target.id}].cohort")
            result = self.prefetched.pop(key, None)
            if result is None:
                if self._progress:
                    self._progress(f"{label} (seed {seed})")
                options = {} if with_preparation is None else {"prep": with_preparation}
                result = run_experiment(protocol, cohort=target.cohort, seed=seed, **options)
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

    def assay_result(self, target: Target, field: str, base: Path) -> ExperimentResult:
        key = f"assay:{target.assay}:{target.compounds}:{base}"
        if key not in self._results:
            if self._progress:
                self._progress(f"{target.assay} assay")
            self._results[key] = nmda_channel_block_assay(
                list(target.compounds or []), field, (base,))
            self.runs.append({"assay": target.assay, "compounds": target.compounds})
        return self._results[key]


def _prefetch_one(request: tuple[Any, ...]) -> tuple[str, ExperimentResult]:
    """Worker of ``run_targets(jobs > 1)``: one experiment, one numba thread (workers share
    the cores); returns its key and result."""
    import numba

    numba.set_num_threads(1)
    experiments = _Experiments(None)
    result = experiments.protocol_result(*request)
    return experiments.request(*request)[0], result


def _check_result(
    experiments: _Experiments, target: Target, check: Check, base: Path, prefix: str,
    replicate: int,
) -> ExperimentResult:
    if target.assay is not None and check.protocol is None:
        return experiments.assay_result(target, f"targets[{target.id}].compounds", base)
    if check.protocol is not None:
        return experiments.protocol_result(check.protocol, base, f"{prefix}.protocol", target,
                                           replicate)
    assert target.protocol is not None
    return experiments.protocol_result(
        target.protocol, base, f"targets[{target.id}].protocol", target, replicate
    )


def _run_checks(
    experiments: _Experiments, target: Target, base: Path, replicate: int
) -> tuple[CheckOutcome, ...]:
    outcomes = []
    for index, check in enumerate(target.checks):
        prefix = f"targets[{target.id}].checks[{index}]"
        result = _check_result(experiments, target, check, base, prefix, replicate)
        than = None
        if check.than_protocol is not None:
            than = experiments.protocol_result(
                check.than_protocol, base, f"{prefix}.than_protocol", target, replicate
            )
        outcomes.append(evaluate(result, check, prefix, than))
    return tuple(outcomes)


def _run_target(
    experiments: _Experiments, target: Target, path: Path, n_seeds: int
) -> TargetOutcome:
    """All checks of one target at ``n_seeds`` seeds; errors name the targets file."""
    if target.status == "pending":
        return TargetOutcome(target, "pending")
    base = path.parent
    replicates = 1 if target.assay is not None and target.protocol is None else n_seeds
    try:
        runs = [_run_checks(experiments, target, base, k) for k in range(replicates)]
    except InputError as error:
        field = error.field if error.field.startswith("targets[") else \
            f"targets[{target.id}].protocol: {error.field}"
        raise InputError(f"{path}: {field}", error.problem, error.fix) from None
    passes = tuple(all(o.passed for o in run) for run in runs)
    passed = sum(passes) >= PASS_THRESHOLD * len(passes) - 1e-9
    seed = None if target.seed is None else target.seed
    seeds = tuple(None if seed is None else seed + k for k in range(replicates))
    labels = [o.what for o in runs[0]]
    per_check = tuple(sum(run[i].passed for run in runs) for i in range(len(labels)))
    failures = tuple((label, len(runs) - n) for label, n in zip(labels, per_check, strict=True)
                     if n < len(runs))
    return TargetOutcome(target, "pass" if passed else "fail", runs[0], passes, seeds, failures,
                         per_check)


def _selected(target_sets: list[TargetSet], only: list[str] | None) -> list[tuple[Target, Path]]:
    chosen = [(t, ts.path) for ts in target_sets for t in ts.targets]
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
    return [(t, path) for t, path in chosen if t.id in only]


def run_targets(
    target_sets: list[TargetSet],
    only: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
    seeds: int = 1,
    jobs: int = 1,
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
    seeds
        Run every experiment at this many seeds (the target's or protocol's seed, +1, +2, ...);
        a target passes when all its checks pass at >= :data:`PASS_THRESHOLD` of them.
        Deterministic assays run once.
    jobs
        Run the distinct experiments in this many worker processes first (one numba thread
        each); the scorecard is then assembled in the serial order and is identical to the
        serial run (``jobs = 1``).

    Raises
    ------
    InputError
        Unknown ``only`` id, duplicate ids across files, a protocol that cannot be found or
        read, or a check naming a condition, readout or fit the experiment does not have; the
        message names the targets file, the target id and the field.
    """
    if seeds < 1:
        raise InputError("--seeds", f"must be at least 1, got {seeds}", "give e.g. 5")
    if jobs < 1:
        raise InputError("--jobs", f"must be at least 1, got {jobs}", "give e.g. 2")
    experiments = _Experiments(progress)
    selected = _selected(target_sets, only)
    if jobs > 1:
        from synpharm.validation._parallel import prefetch

        experiments.prefetched = prefetch(experiments, selected, seeds, jobs, progress,
                                          _prefetch_one)
    outcomes = tuple(_run_target(experiments, target, path, seeds) for target, path in selected)
    overlaps = tuple(calibration_overlaps(t for ts in target_sets for t in ts.targets))
    from synpharm._version import __version__

    provenance = {
        "synpharm": __version__,
        "targets_files": [str(ts.path) for ts in target_sets],
        "seeds": seeds,
        "experiments": experiments.runs,
    }
    return Scorecard(outcomes, provenance, seeds, overlaps)

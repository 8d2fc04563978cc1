"""Study designs beyond the slice protocol: human crossover studies, in-vivo dosing cohorts.

A slice experiment is a :class:`synpharm.protocols.Protocol` (``[experiment]``, ``[[steps]]``).
Other designs are *studies*: a TOML document whose ``[study]`` table names its ``kind``
(e.g. ``kind = "pas_crossover"``). Each kind is implemented in its own module and listed in
:data:`STUDY_KINDS` as ``"module:function"``; the function takes the TOML mapping and the
source name (for error messages) and returns an object satisfying :class:`Study`.

A study's result satisfies :class:`StudyResult`: conditions (arms, groups, time points) with
per-subject :class:`~synpharm.analysis.results.Readout` values, so that the validation comparisons,
``synpharm run`` tables and summaries work on it exactly as on slice experiments.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from synpharm.errors import InputError

__all__ = [
    "STUDY_KINDS",
    "Study",
    "StudyResult",
    "cohort_and_seed",
    "is_study",
    "load_experiment",
    "study_from_dict",
]

#: study kind -> "module:function" building the study from its TOML mapping (imported lazily).
STUDY_KINDS: dict[str, str] = {
    "invivo_dosing": "synpharm.experiments.invivo:build_invivo_study",
    "vep_ltp_crossover": "synpharm.experiments.vep:build_vep_study",
    "pas_crossover": "synpharm.experiments.pas:build_pas_crossover",
    "signaling_time_course": "synpharm.experiments.signaling:build_signaling_study",
}


@runtime_checkable
class StudyResult(Protocol):
    """What a study returns: the interface of
    :class:`synpharm.analysis.results.ExperimentResult`."""

    protocol_name: str
    conditions: list[Any]  # ConditionResult-like: .name, .drugs, .readouts
    analyses: dict[str, Any]
    provenance: dict[str, Any]

    def summary(self) -> dict[str, Any]: ...

    def write_outputs(self, out_dir: Path) -> Path:
        """Write summary.json, tables and figures into ``out_dir`` (all at once)."""
        ...


@runtime_checkable
class Study(Protocol):
    """A study read from TOML; ``run`` is deterministic for a given cohort and seed.

    ``to_dict`` returns the TOML mapping it was read from (normalised); it keys the cache of
    the validation runner.
    """

    name: str
    cohort: int
    seed: int

    def to_dict(self) -> dict[str, Any]: ...

    def run(
        self, *, cohort: int | None = None, seed: int | None = None, progress: bool = False
    ) -> StudyResult:
        """Simulate the study; ``None`` means the study's own cohort size or seed."""
        ...


def cohort_and_seed(
    study: Study, cohort: int | None, seed: int | None, *, minimum: int = 1, what: str = "subjects"
) -> tuple[int, int]:
    """The cohort size and seed of a run: the overrides, else the study's own; checked.

    Raises
    ------
    InputError
        ``cohort`` below ``minimum`` (``what`` names the unit, e.g. "animals per arm") or a
        negative ``seed``.
    """
    n = study.cohort if cohort is None else cohort
    seed = study.seed if seed is None else seed
    if isinstance(n, bool) or not isinstance(n, int) or n < minimum:
        raise InputError("cohort", f"{n!r} {what}", f"give at least {minimum} {what}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", f"{seed!r} is not a whole number >= 0", "give a seed >= 0")
    return n, seed


def is_study(data: Mapping[str, Any]) -> bool:
    """Whether a TOML mapping is a study (has a ``[study]`` table) rather than a protocol."""
    return isinstance(data, Mapping) and "study" in data


def study_from_dict(data: Mapping[str, Any], source: str = "<dict>") -> Study:
    """Build the study declared in ``data`` by its ``study.kind``."""
    table = data.get("study")
    if not isinstance(table, Mapping):
        raise InputError("study", f"is not a table (in {source})", "write a [study] table")
    kind = table.get("kind")
    if kind not in STUDY_KINDS:
        raise InputError(
            "study.kind",
            f"unknown study kind {kind!r} (in {source})",
            f"use one of: {', '.join(sorted(STUDY_KINDS)) or '(none)'}",
        )
    module_name, function_name = STUDY_KINDS[kind].split(":")
    build: Callable[[Mapping[str, Any], str], Study] = getattr(
        importlib.import_module(module_name), function_name
    )
    return build(data, source)


def load_experiment(path: str | Path) -> Any:
    """A slice :class:`~synpharm.protocols.Protocol` or a :class:`Study`, by the file's tables."""
    from synpharm.protocols import Protocol, read_toml

    path = Path(path)
    data = read_toml(path)
    if is_study(data):
        return study_from_dict(data, str(path))
    return Protocol.from_dict(data, source=str(path))

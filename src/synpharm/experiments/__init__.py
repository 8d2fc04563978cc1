"""Experiments: one interface, one registry, one way to run them.

Every experiment - a slice protocol (field recordings or quantal single-cell recordings, a
:class:`synpharm.protocols.Protocol`), a PAS or resting-MEP crossover, a VEP-LTP crossover,
in-vivo dosing with spine and slice assays, a signalling time course - is an object satisfying
:class:`Experiment`: it has a ``kind``, a ``name``, its own ``cohort`` and ``seed`` and the
mapping it was read from. :func:`run` looks the kind up in :data:`KINDS` and calls its runner;
every runner returns a :class:`Result` (conditions with per-slice or per-subject readouts,
``summary()``, ``to_dataframe()``, provenance).

Slice protocols are TOML documents with ``[experiment]`` and ``[[steps]]`` tables; the other
kinds are *studies*, TOML documents whose ``[study]`` table names the ``kind``
(e.g. ``kind = "pas_crossover"``). :func:`load_experiment` reads either.

>>> sorted(KINDS)[:3]
['invivo_dosing', 'pas_crossover', 'signaling_time_course']
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from synpharm.analysis.results import ExperimentResult
from synpharm.errors import InputError

__all__ = [
    "KINDS",
    "STUDY_KINDS",
    "Experiment",
    "ExperimentKind",
    "Result",
    "Study",
    "cohort_and_seed",
    "is_study",
    "load",
    "load_experiment",
    "run",
    "study_from_dict",
]


@dataclass(frozen=True)
class ExperimentKind:
    """How an experiment kind is built and run (``"module:function"``, imported when used).

    Attributes
    ----------
    run
        ``run(experiment, *, cohort=None, seed=None, progress=False, **options) -> Result``.
    build
        ``build(mapping, source) -> Experiment`` from a TOML ``[study]`` document; ``None`` for
        slice protocols, which :class:`synpharm.protocols.Protocol` reads.
    """

    run: str
    build: str | None = None


#: experiment kind -> its runner and builder: the one registry of what synpharm can simulate
KINDS: dict[str, ExperimentKind] = {
    "slice_protocol": ExperimentKind("synpharm.experiments.slice:run_protocol"),
    "invivo_dosing": ExperimentKind(
        "synpharm.experiments._invivo_run:run_invivo_study",
        "synpharm.experiments.invivo:build_invivo_study",
    ),
    "vep_ltp_crossover": ExperimentKind(
        "synpharm.experiments.vep:run_vep_study", "synpharm.experiments.vep:build_vep_study"
    ),
    "pas_crossover": ExperimentKind(
        "synpharm.experiments._pas_simulation:run_pas_crossover",
        "synpharm.experiments.pas:build_pas_crossover",
    ),
    "signaling_time_course": ExperimentKind(
        "synpharm.experiments.signaling:run_signaling_study",
        "synpharm.experiments.signaling:build_signaling_study",
    ),
}

#: study kind -> "module:function" building it from its TOML mapping (the studies of KINDS)
STUDY_KINDS: dict[str, str] = {k: v.build for k, v in KINDS.items() if v.build is not None}

#: the one result type of every experiment (study kinds return subclasses with extra tables)
Result = ExperimentResult


def _function(path: str) -> Callable[..., Any]:
    module_name, function_name = path.split(":")
    return getattr(importlib.import_module(module_name), function_name)


@runtime_checkable
class Experiment(Protocol):
    """What every experiment provides; :func:`run` simulates it.

    ``to_dict`` returns the TOML mapping it was read from (normalised); it keys the cache of
    the validation runner.
    """

    kind: str
    name: str
    cohort: int
    seed: int

    def to_dict(self) -> dict[str, Any]: ...


def run(
    experiment: Experiment,
    *,
    cohort: int | None = None,
    seed: int | None = None,
    progress: bool = False,
    **options: Any,
) -> ExperimentResult:
    """Simulate an experiment of any kind: the same input and seed give the same numbers.

    Parameters
    ----------
    experiment
        A protocol or study (:func:`load_experiment`).
    cohort, seed
        Override the experiment's own cohort size (slices, animals or subjects per condition)
        and seed.
    progress
        Show a progress bar on stderr (slice protocols).
    **options
        Passed to the kind's runner (e.g. ``prep=`` for slice protocols, ``layers=`` for the
        in-vivo and VEP studies).

    Returns
    -------
    Result
        Conditions with their readouts, ``summary()``, ``to_dataframe()`` and provenance.
    """
    kind = KINDS.get(experiment.kind)
    if kind is None:
        raise InputError("kind", f"unknown experiment kind {experiment.kind!r}",
                         f"use one of: {', '.join(sorted(KINDS))}")
    runner = _function(kind.run)
    return runner(experiment, cohort=cohort, seed=seed, progress=progress, **options)


#: a study is an experiment read from a ``[study]`` document
Study = Experiment


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
    build: Callable[[Mapping[str, Any], str], Study] = _function(STUDY_KINDS[kind])
    return build(data, source)


def load(path_or_name: str | Path) -> Experiment:
    """An experiment from a TOML file, or the library experiment of that name.

    Parameters
    ----------
    path_or_name
        A ``.toml`` file (slice protocol or study), or the name of a protocol shipped with
        synpharm (``synpharm protocols`` lists them), e.g. ``"ketamine_slice_ltp"``.

    Raises
    ------
    InputError
        Neither a file nor a library name.
    """
    from synpharm.protocols.library import library_protocol_path

    path = Path(path_or_name)
    if not path.exists():
        path = library_protocol_path(str(path_or_name)) or path
    if not path.is_file():
        raise InputError("experiment", f"{str(path_or_name)!r} is neither a file nor a "
                         "library protocol", "give a .toml path or a name from "
                         "`synpharm protocols`")
    return load_experiment(path)


def load_experiment(path: str | Path) -> Experiment:
    """A slice :class:`~synpharm.protocols.Protocol` or a :class:`Study`, by the file's tables."""
    from synpharm.protocols import Protocol, read_toml

    path = Path(path)
    data = read_toml(path)
    if is_study(data):
        return study_from_dict(data, str(path))
    return Protocol.from_dict(data, source=str(path))

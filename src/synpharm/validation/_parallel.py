"""Run the distinct experiments of a scorecard ahead, in worker processes.

The scorecard itself is still assembled serially, in file order, by
:func:`~synpharm.validation._runner.run_targets`; it takes the results from here instead of
running them. An experiment is a pure function of (protocol, cohort, seed, preparation) with
per-slice random streams, so a result does not depend on the process, the order or the
number of numba threads that computed it: the scorecard equals the serial one. Anything that
fails here (a protocol that cannot be read, a run that raises) is simply not prefetched: the
serial pass runs it again and reports the error as it would without workers.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from synpharm.analysis.results import ExperimentResult
from synpharm.errors import InputError
from synpharm.validation._schema import Target

Request = tuple[Any, Path, str, Target, int]  # reference, base, field, target, replicate


def _references(target: Target, base: Path, replicate: int) -> Iterator[Request]:
    """The protocol references of one target's checks, in the order the serial pass asks."""
    for index, check in enumerate(target.checks):
        prefix = f"targets[{target.id}].checks[{index}]"
        if check.protocol is not None:
            yield check.protocol, base, f"{prefix}.protocol", target, replicate
        elif target.assay is None and target.protocol is not None:
            yield target.protocol, base, f"targets[{target.id}].protocol", target, replicate
        if check.than_protocol is not None:
            yield check.than_protocol, base, f"{prefix}.than_protocol", target, replicate


def plan(experiments: Any, selected: list[tuple[Target, Path]],
         seeds: int) -> list[tuple[str, str, Request]]:
    """Distinct experiments (key, label, request) of the selected targets, first use first."""
    found: dict[str, tuple[str, str, Request]] = {}
    for target, path in selected:
        if target.status == "pending":
            continue
        replicates = 1 if target.assay is not None and target.protocol is None else seeds
        for replicate in range(replicates):
            for request in _references(target, path.parent, replicate):
                try:
                    key, label, _, seed, _ = experiments.request(*request)
                except InputError:
                    continue  # reported by the serial pass
                found.setdefault(key, (key, f"{label} (seed {seed})", request))
    return list(found.values())


def _cost(experiments: Any, request: Request) -> float:
    """Rough relative cost of an experiment, to order the work (never changes a result):
    slices x stimuli per slice for a slice protocol, groups x cohort x 500 for a study."""
    from synpharm.protocols import Protocol
    from synpharm.safety import protocol_stimuli

    try:
        _, _, experiment, _, _ = experiments.request(*request)
    except InputError:
        return 0.0
    target = request[3]
    cohort = experiment.cohort if target.cohort is None else target.cohort
    if isinstance(experiment, Protocol):
        slices = max(len(experiment.conditions), 1) * cohort
        return slices * protocol_stimuli(experiment.steps)
    groups = next((len(getattr(experiment, name)) for name in ("arms", "groups", "conditions")
                   if getattr(experiment, name, None) is not None), 1)
    return groups * cohort * 500.0


def prefetch(experiments: Any, selected: list[tuple[Target, Path]], seeds: int, jobs: int,
             progress: Callable[[str], None] | None,
             worker: Callable[[Request], tuple[str, ExperimentResult]],
             ) -> dict[str, ExperimentResult]:
    """Results of every distinct experiment, run in ``jobs`` spawned worker processes.

    ``worker`` (a module-level function, picklable) runs one request and returns its key and
    result.
    """
    todo = plan(experiments, selected, seeds)
    results: dict[str, ExperimentResult] = {}
    if not todo:
        return results
    # longest first: the largest experiment does not start last, when the other workers idle
    todo.sort(key=lambda item: -_cost(experiments, item[2]))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [(label, pool.submit(worker, request)) for _, label, request in todo]
        for label, future in futures:
            try:
                key, result = future.result()
            except Exception:  # the serial pass reruns it and reports the error
                continue
            results[key] = result
            if progress:
                progress(label)
    return results

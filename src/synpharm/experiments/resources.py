"""Memory estimates of whole runs: slice protocols, studies and sweeps, checked before work.

Used by the command line (``synpharm run``, ``sweep``) and by the validation runner before each
experiment; the sizes of a slice (synapses, samples per field sweep) come from the preparation's
parameter file.
"""

from __future__ import annotations

from typing import Any

from synpharm.protocols import Protocol
from synpharm.safety import (
    Estimate,
    check_estimate,
    check_grid_size,
    protocol_estimate,
    protocol_stimuli,
    study_estimate,
)

__all__ = ["check_run", "check_sweep", "run_estimate"]


def run_estimate(experiment: Any, cohort: int) -> tuple[Estimate, float | None]:
    """Memory estimate of a slice protocol or a study, and stimuli per slice (protocols)."""
    if isinstance(experiment, Protocol):
        estimate = protocol_estimate(experiment, cohort, *_sizes(experiment))
        return estimate, protocol_stimuli(experiment.steps)
    return study_estimate(_group_count(experiment), cohort), None


def _group_count(study: Any) -> int:
    """Arms, groups or conditions of a study (whichever it declares), else 1."""
    for name in ("arms", "groups", "conditions"):
        declared = getattr(study, name, None)
        if declared is not None:
            return len(declared)
    return 1


def check_run(experiment: Any, cohort: int, field: str = "cohort") -> Estimate:
    """The estimate of a run, after checking it fits the memory available."""
    estimate, stimuli = run_estimate(experiment, cohort)
    check_estimate(estimate, field, stimuli=stimuli)
    return estimate


def _sizes(protocol: Any) -> tuple[int, int]:
    """Synapses per slice and samples per field sweep of the protocol's preparation."""
    from synpharm.parameters import load_parameter_set, package_parameter_file

    try:
        parameters = load_parameter_set(package_parameter_file(protocol.preparation))
    except Exception:  # not a preparation with a parameter file: the CA1 slice's sizes
        return 1000, 600
    names = ("synapses_per_slice", "recording_sampling_rate", "recording_sweep_duration")
    values = [parameters[n] if n in parameters else None for n in names]
    synapses = int(values[0]) if values[0] is not None else 1000
    samples = int(values[1] * values[2]) if None not in values[1:] else 600
    return synapses, samples


def check_sweep(sweep: Any) -> Estimate:
    """Check the number of chunks of a sweep and the memory of each protocol's largest chunk.

    Returns the largest estimate (one chunk: one condition at the largest cohort size).
    """
    conditions = sum(len(entry.protocol.conditions) for entry in sweep.protocols)
    sizes = (conditions, len(sweep.parameter_sets), len(sweep.seeds), len(sweep.cohorts))
    check_grid_size(sizes, "sweep")
    estimates = []
    for entry in sweep.protocols:
        single = _one_condition(entry.protocol)
        estimate = protocol_estimate(single, max(sweep.cohorts), *_sizes(single))
        check_estimate(estimate, "sweep.cohort", stimuli=protocol_stimuli(single.steps))
        estimates.append(estimate)
    return max(estimates, key=lambda e: e.n_bytes)


def _one_condition(protocol: Any) -> Any:
    """The protocol with its first condition only (a sweep chunk runs one condition)."""
    from dataclasses import replace

    return replace(protocol, conditions=protocol.conditions[:1])

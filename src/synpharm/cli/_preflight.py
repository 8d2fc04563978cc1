"""Checks every command makes before any work: output folder, names, memory estimate.

Nothing here writes a file; a failed check is an :class:`~synpharm.errors.InputError`
(exit code 2) that names the option or field and the fix.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from synpharm.safety import (
    Estimate,
    check_estimate,
    check_output_folder,
    inside,
    protocol_estimate,
    protocol_stimuli,
    safe_file_name,
    study_estimate,
)

__all__ = [
    "DRY_RUN",
    "OUT_ROOT",
    "OVERWRITE",
    "check_run",
    "check_sweep",
    "default_out",
    "prepare_out",
]

OVERWRITE = typer.Option(
    "--overwrite", help="Replace an earlier synpharm output in the folder (never other folders)."
)
DRY_RUN = typer.Option("--dry-run", help="Only print the memory estimate of the run.")

#: folder under the current folder that holds the default outputs
OUT_ROOT = Path("out")


def default_out(name: str, field: str = "name", *parents: str) -> Path:
    """``out/<parents...>/<name>`` with ``name`` through the file-name sanitiser, kept inside."""
    root = OUT_ROOT.joinpath(*parents)
    return inside(OUT_ROOT, root / safe_file_name(name, field), field)


def prepare_out(out: Path | None, default: Path, *, overwrite: bool, field: str = "--out") -> Path:
    """The output folder (``out`` or ``default``) after :func:`check_output_folder`."""
    return check_output_folder(
        out if out is not None else default, overwrite=overwrite, field=field
    )


def run_estimate(experiment: Any, cohort: int) -> tuple[Estimate, float | None]:
    """Memory estimate of a slice protocol or a study, and stimuli per slice (protocols)."""
    from synpharm.protocols import Protocol

    if isinstance(experiment, Protocol):
        estimate = protocol_estimate(experiment, cohort, *_sizes(experiment))
        return estimate, protocol_stimuli(experiment.steps)
    groups = next(
        (
            len(getattr(experiment, k))
            for k in ("arms", "groups", "conditions")
            if hasattr(experiment, k)
        ),
        1,
    )
    return study_estimate(groups, cohort), None


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


def check_sweep(sweep: Any) -> None:
    """Check the number of chunks of a sweep and the memory of its largest chunk."""
    from synpharm.safety import check_grid_size

    conditions = sum(len(entry.protocol.conditions) for entry in sweep.protocols)
    sizes = (conditions, len(sweep.parameter_sets), len(sweep.seeds), len(sweep.cohorts))
    check_grid_size(sizes, "sweep")
    for entry in sweep.protocols:
        estimate = protocol_estimate(entry.protocol, max(sweep.cohorts), *_sizes(entry.protocol))
        check_estimate(estimate, "sweep.cohort", stimuli=protocol_stimuli(entry.protocol.steps))


#: largest recording file ``synpharm analyze`` reads [bytes]
MAX_RECORDING_BYTES = 1 << 30


def check_recordings(files: list[Path]) -> None:
    """Every recording is a bounded regular file (folders, e.g. of tracings, are allowed)."""
    from synpharm.safety import check_input_file

    for path in files:
        if not os.path.isdir(path):
            check_input_file(path, max_bytes=MAX_RECORDING_BYTES)


def check_store(path: Path) -> Path:
    """A sweep's chunk store: new, empty, or a store (it has ``chunks/`` or ``manifest.json``)."""
    from synpharm.errors import InputError

    if os.path.lexists(path) and (path.is_symlink() or not path.is_dir()):
        raise InputError("--store", f"{str(path)!r} is not a folder", "give a folder path")
    is_store = (path / "chunks").is_dir() or (path / "manifest.json").is_file()
    if path.is_dir() and any(path.iterdir()) and not is_store:
        raise InputError(
            "--store",
            f"{str(path)!r} is not empty and is not a chunk store (no chunks/ folder)",
            "give a new folder or an earlier store",
        )
    return path

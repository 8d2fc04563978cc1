"""The simulated field sweeps of a virtual experiment, for export as NWB (``run --export-nwb``).

The simulator keeps only the measurements of each sweep, not the sweeps. This module rebuilds
the sweeps deterministically: it repeats the engine run
(:func:`synpharm.experiments.slice.run_slices`)
with the same cohort seeds and synthesises every measured sweep with the simulator's own
:func:`synpharm.experiments.slice.slice_field_sweeps` (same random streams), so the exported sweeps
are
the ones the simulator measured (tests/io/test_nwb.py checks them against ``pulses.csv``). Only
``--export-nwb`` pays for the second engine run; normal runs are unchanged.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from synpharm.errors import InputError
from synpharm.io._recording import Tag
from synpharm.io.nwb import FieldSweeps, write_field_nwb

__all__ = ["SimulatedSweeps", "check_exportable", "export_nwb", "simulated_field_sweeps"]


@dataclass(frozen=True)
class SimulatedSweeps:
    """Every measured sweep of a virtual experiment.

    Attributes
    ----------
    groups
        One :class:`~synpharm.io.nwb.FieldSweeps` per condition, sweeps ``(cohort, n_pulses,
        n_samples)`` [V].
    pulse_time, kind, intensity
        Stimulus time [s], kind and intensity of every measured pulse, ``(n_pulses,)``.
    sampling_rate, stimulus_time
        Acquisition [Hz] and stimulus time within each sweep [s].
    induction_time, drug_time
        Onset of the first train and of the first wash-in [s], or None.
    """

    groups: list[FieldSweeps]
    pulse_time: NDArray[np.float64]
    kind: NDArray[np.str_]
    intensity: NDArray[np.float64]
    sampling_rate: float
    stimulus_time: float
    induction_time: float | None
    drug_time: float | None


def check_exportable(protocol) -> None:
    """InputError unless ``protocol`` is a field-recording (CA1 slice) protocol."""
    from synpharm.preparations import FIELD_PREPARATIONS as PREPARATIONS

    if protocol.kind != "slice_protocol" or protocol.preparation not in PREPARATIONS:
        raise InputError(
            "--export-nwb",
            "only field recordings of slice protocols can be exported",
            f"use a protocol with preparation {' or '.join(sorted(PREPARATIONS))}",
        )


def simulated_field_sweeps(protocol, cohort: int, seed: int) -> SimulatedSweeps:
    """Rebuild every measured field sweep of ``protocol`` run with ``cohort`` and ``seed``."""
    from synpharm.experiments.slice import (
        MEASURED_KINDS,
        _field_parameters,
        _recording,
        preparation,
        run_slices,
        slice_field_sweeps,
    )
    from synpharm.model.field_potential import field_waveform_from_parameters
    from synpharm.preparations.ca1_slice import recorded_field_gain

    check_exportable(protocol)
    prep = preparation(protocol.preparation)
    run = run_slices(protocol, cohort, seed, prep)
    schedule = run.schedule
    kinds = np.asarray(schedule.stimulus_kind)
    measured = np.isin(kinds, MEASURED_KINDS)
    rec = _recording(prep.parameters)
    waveform = field_waveform_from_parameters(_field_parameters())
    times = np.asarray(schedule.stimulus_time)[measured]
    gain = recorded_field_gain(run.population.slices, times)
    rows = [
        slice_field_sweeps(
            gain[s] * run.drive[s, measured], run.fire[s, measured], prep, waveform, rec, seed_s
        )
        for s, seed_s in enumerate(run.seeds)
    ]
    sweeps = np.stack(rows)
    groups = [
        FieldSweeps(c.name, sweeps[k * cohort : (k + 1) * cohort])
        for k, c in enumerate(protocol.conditions)
    ]
    return SimulatedSweeps(
        groups=groups,
        pulse_time=np.asarray(schedule.stimulus_time, dtype=float)[measured],
        kind=kinds[measured],
        intensity=np.asarray(schedule.intensity, dtype=float)[measured],
        sampling_rate=rec.sampling_rate,
        stimulus_time=rec.stimulus_time,
        induction_time=schedule.induction_time,
        drug_time=schedule.drug_time,
    )


def export_nwb(protocol, path: str | Path, *, cohort: int, seed: int) -> Path:
    """Write the simulated field sweeps of ``protocol`` to ``path`` (NWB), all or nothing."""
    data = simulated_field_sweeps(protocol, cohort, seed)
    tags = []
    if data.drug_time is not None:
        tags.append(Tag(data.drug_time, "drug wash-in"))
    if data.induction_time is not None:
        tags.append(Tag(data.induction_time, "induction"))
    path = Path(path)
    handle, temporary = tempfile.mkstemp(".partial", f".{path.name}.", path.parent)
    os.close(handle)
    try:
        write_field_nwb(
            temporary,
            data.groups,
            sampling_rate=data.sampling_rate,
            stimulus_time=data.stimulus_time,
            pulse_time=data.pulse_time,
            kind=data.kind,
            intensity=data.intensity,
            tags=tags,
            description=f"synpharm virtual experiment {protocol.name}, cohort {cohort}, "
            f"seed {seed}",
            identifier=f"synpharm-{protocol.name}-{cohort}-{seed}",
        )
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path

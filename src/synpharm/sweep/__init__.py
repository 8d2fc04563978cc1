"""Sweeps: grids of virtual experiments run in chunks, stored by content hash, on Dask if asked.

A sweep file (TOML) declares protocols, the concentrations of a compound (or each protocol's own
conditions), preparation parameter sets, seeds and cohort sizes::

    [sweep]
    name = "baclofen_grid"
    cohort = 12                 # slices per condition; a list makes it a grid axis
    seeds = [0]                 # one independent replicate of the grid per seed

    [concentrations]            # replaces each protocol's conditions (control is added)
    compound = "baclofen"
    values = ["0.3 uM", "1 uM", "3 uM", "10 uM"]

    [[protocols]]
    library = "baclofen_paired_pulse"        # or file = "my.toml", or inline [[protocols.steps]]
    overrides = [{step = 0, duration = "5 min"}]

    [[parameter_sets]]
    name = "default"

    [[parameter_sets]]
    name = "weak_release"
    values = {release_probability_max = 0.5}

Each protocol x condition x parameter set x seed x cohort is a *chunk*: it runs
:func:`synpharm.experiments.slice.run_protocol` on one condition and stores its per-slice readouts
in
``<store>/chunks/<key>.parquet``, the key a hash of everything that determines the numbers
(:func:`chunk_key`). A re-run computes only the chunks the store lacks. Full grammar and
guarantees: ``docs/sweep.md``.

Examples
--------
>>> from synpharm.sweep import load_sweep, run_sweep, write_sweep_outputs  # doctest: +SKIP
>>> sweep = load_sweep("examples/sweeps/baclofen_three_protocols.toml")  # doctest: +SKIP
>>> run = run_sweep(sweep, "out/baclofen.store", workers=2)  # doctest: +SKIP
>>> write_sweep_outputs(sweep, run, ChunkStore("out/baclofen.store"), "out/baclofen")
... # doctest: +SKIP
"""

from synpharm.sweep._chunk import (
    Chunk,
    ChunkResult,
    ChunkTask,
    chunk_key,
    code_digest,
    cohort_seed,
    plan_chunks,
    run_chunk,
)
from synpharm.sweep._combine import (
    COLUMNS,
    combined_table,
    summary_json,
    sweep_summary,
    table_csv,
    write_sweep_outputs,
)
from synpharm.sweep._execute import SweepRun, run_sweep
from synpharm.sweep._spec import (
    ParameterSet,
    ProtocolEntry,
    Sweep,
    load_sweep,
    sweep_from_dict,
)
from synpharm.sweep._store import ChunkStore

__all__ = [
    "COLUMNS",
    "Chunk",
    "ChunkResult",
    "ChunkStore",
    "ChunkTask",
    "ParameterSet",
    "ProtocolEntry",
    "Sweep",
    "SweepRun",
    "chunk_key",
    "code_digest",
    "cohort_seed",
    "combined_table",
    "load_sweep",
    "plan_chunks",
    "run_chunk",
    "run_sweep",
    "summary_json",
    "sweep_from_dict",
    "sweep_summary",
    "table_csv",
    "write_sweep_outputs",
]

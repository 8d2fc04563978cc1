"""Chunks of a sweep: one protocol x one condition x parameter set x seed x cohort size.

A chunk is the unit of work and of storage. Its key is a content hash of everything that
determines its numbers (see :func:`chunk_key`); its labels (protocol label, condition name,
parameter-set name) are not part of the key and are attached when the table is assembled.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from synpharm.protocols import Condition, Protocol
from synpharm.sweep._spec import ParameterSet, Sweep, base_preparation, preparation_overrides

__all__ = [
    "KEY_FORMAT",
    "Chunk",
    "ChunkResult",
    "ChunkTask",
    "chunk_key",
    "code_digest",
    "cohort_seed",
    "plan_chunks",
    "run_chunk",
]

#: bump when the meaning of a stored chunk changes (columns, readout conventions of the store)
KEY_FORMAT = 1


@dataclass(frozen=True)
class ChunkTask:
    """What a worker needs to simulate one chunk: picklable, free of labels.

    Attributes
    ----------
    key
        Content hash of the inputs (:func:`chunk_key`), 24 hex digits.
    protocol
        A protocol with exactly one condition; its ``cohort`` and ``seed`` are the chunk's.
    overrides
        Preparation parameters replaced, name -> SI value.
    """

    key: str
    protocol: Protocol
    overrides: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Chunk:
    """A chunk with the labels of the grid cell it fills."""

    task: ChunkTask
    protocol: str
    preparation: str
    parameter_set: str
    seed: int
    cohort: int
    condition: str
    drugs: tuple[tuple[str, float], ...]  # (compound, concentration [mol/m^3])

    @property
    def key(self) -> str:
        return self.task.key

    def labels(self) -> dict[str, Any]:
        """The grid coordinates of this chunk (JSON-ready)."""
        return {
            "key": self.key,
            "protocol": self.protocol,
            "preparation": self.preparation,
            "parameter_set": self.parameter_set,
            "seed": self.seed,
            "cohort": self.cohort,
            "condition": self.condition,
            "cohort_seed": self.task.protocol.seed,
        }


@dataclass(frozen=True)
class ChunkResult:
    """Per-slice readouts of one chunk.

    Attributes
    ----------
    key
        The chunk's key.
    readouts
        Readout name -> (one value per slice, shape ``(cohort,)``; unit).
    elapsed
        Wall time of the simulation [s] (bookkeeping only, not part of the results).
    code
        :func:`code_digest` of the process that computed it.
    """

    key: str
    readouts: dict[str, tuple[np.ndarray, str]]
    elapsed: float
    code: str


def cohort_seed(seed: int, drugs: tuple[tuple[str, float], ...]) -> int:
    """Seed of the virtual cohort of one condition: independent slices for every condition.

    Derived from the sweep seed and the condition's drugs (not from its position in the grid),
    so adding a concentration to a sweep leaves the slices of the others, and their stored
    chunks, unchanged. The same condition under another protocol or parameter set gets the
    same seed (common random numbers: differences between those arms are not sampling noise).
    ``synpharm run`` of the single-condition protocol with ``--seed <cohort_seed>`` gives the
    chunk's slices.
    """
    text = json.dumps([int(seed), [[name, float(c).hex()] for name, c in sorted(drugs)]])
    return int(hashlib.sha256(text.encode()).hexdigest()[:15], 16)


def plan_chunks(sweep: Sweep) -> list[Chunk]:
    """Every chunk of ``sweep``: protocol, then parameter set, seed, cohort size, condition."""
    chunks = []
    fingerprints: dict[tuple[str, tuple[tuple[str, float], ...]], str] = {}
    for entry in sweep.protocols:
        prep_name = entry.protocol.preparation
        variant = json.dumps([entry.protocol.preparation_variant, entry.protocol.folder],
                             sort_keys=True, default=str)
        for parameter_set in sweep.parameter_sets:
            overrides = preparation_overrides(prep_name, parameter_set)
            key = (f"{prep_name} {variant}", overrides)
            if key not in fingerprints:
                fingerprints[key] = _preparation_fingerprint(entry.protocol, overrides)
            chunks += _cell_chunks(
                sweep, entry.label, entry.protocol, parameter_set, overrides, fingerprints[key],
            )  # fmt: skip
    return chunks


def _cell_chunks(
    sweep: Sweep,
    label: str,
    protocol: Protocol,
    parameter_set: ParameterSet,
    overrides: tuple[tuple[str, float], ...],
    fingerprint: str,
) -> list[Chunk]:
    chunks = []
    for seed in sweep.seeds:
        for cohort in sweep.cohorts:
            for condition in protocol.conditions:
                drugs = tuple((d.compound, d.concentration) for d in condition.drugs)
                single = replace(
                    protocol,
                    conditions=(condition,),
                    cohort=cohort,
                    seed=cohort_seed(seed, drugs),
                )
                task = ChunkTask(chunk_key(single, fingerprint), single, overrides)
                chunks.append(
                    Chunk(task, label, protocol.preparation, parameter_set.name, seed, cohort,
                          condition.name, drugs)
                )  # fmt: skip
    return chunks


def chunk_key(protocol: Protocol, preparation_fingerprint: str) -> str:
    """Content hash of a chunk's inputs, 24 hex digits (96 bits) of SHA-256.

    Hashed: the protocol with its one condition, cohort size and cohort seed, but without
    its name, description and condition name (labels); the effective parameter values of the
    preparation after overrides, the field-potential parameters and the data of every compound
    in the protocol (``preparation_fingerprint``, see :func:`_preparation_fingerprint`); the
    synpharm version and :data:`KEY_FORMAT`. Not hashed: the source code (recorded per chunk
    as :func:`code_digest`; see ``docs/sweep.md``).
    """
    from synpharm._version import __version__

    anonymous = replace(
        protocol,
        name="chunk",
        description="",
        conditions=tuple(Condition("condition", c.drugs, c.bath) for c in protocol.conditions),
    )
    compounds = sorted(_compound_names(protocol))
    payload = json.dumps(
        {
            "format": KEY_FORMAT,
            "synpharm": __version__,
            "protocol": repr(anonymous),
            "preparation": preparation_fingerprint,
            "compounds": {name: _compound_fingerprint(name) for name in compounds},
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _compound_names(protocol: Protocol) -> set[str]:
    return protocol.compound_names()


@lru_cache(maxsize=64)
def _compound_fingerprint(name: str) -> str:
    from synpharm.compounds import load_compound

    return hashlib.sha256(repr(load_compound(name)).encode()).hexdigest()


def _preparation_fingerprint(protocol, overrides: tuple[tuple[str, float], ...]) -> str:
    """Digest of every effective parameter value (and the field-potential parameters)."""
    from synpharm.parameters import load_parameter_set, package_parameter_file

    prep = _prepared(protocol, overrides)
    field = load_parameter_set(package_parameter_file("field_potential"))
    values = [
        [prep.name],
        [[key, float(prep.parameters[key]).hex()] for key in sorted(prep.parameters)],
        [[key, float(field[key]).hex()] for key in sorted(field)],
    ]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


def _prepared(protocol, overrides: tuple[tuple[str, float], ...]):
    """The protocol's preparation (its ``[preparation]`` variant if any) with the sweep's
    parameter-set overrides on top."""
    from synpharm.experiments.slice import protocol_preparation

    if protocol.preparation_variant is None:
        prep = base_preparation(protocol.preparation)
    else:
        prep = protocol_preparation(protocol)
    if overrides:
        prep = replace(prep, parameters=prep.parameters.with_values(**dict(overrides)))
    return prep


@lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 (16 hex digits) of synpharm's Python sources, without ``cli`` and ``sweep``.

    Recorded with every chunk so that chunks computed by different code can be told apart.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.split("/")[0] in {"cli", "sweep"}:
            continue
        digest.update(relative.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Simulate one chunk (runs in the calling process or on a Dask worker)."""
    from synpharm.experiments.slice import run_protocol

    prep = _prepared(task.protocol, task.overrides)
    start = time.perf_counter()
    result = run_protocol(task.protocol, prep=prep)
    elapsed = time.perf_counter() - start
    (condition,) = result.conditions
    readouts = {
        name: (np.asarray(readout.values, dtype=np.float64), readout.unit)
        for name, readout in condition.readouts.items()
    }
    return ChunkResult(task.key, readouts, elapsed, code_digest())

"""Fixtures of the sweep tests: the tiny sweep file and one reference run of it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sweep_fixtures import tiny_text


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(tiny_text(), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Reference:
    """The tiny sweep run once, uninterrupted, in this process, into a fresh store."""

    file: Path
    sweep: object
    store: object
    run: object


@pytest.fixture(scope="session")
def tiny_reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    from synpharm.sweep import ChunkStore, load_sweep, run_sweep

    folder = tmp_path_factory.mktemp("tiny_reference")
    path = folder / "tiny.toml"
    path.write_text(tiny_text(), encoding="utf-8")
    sweep = load_sweep(path)
    store = ChunkStore(folder / "store")
    return Reference(path, sweep, store, run_sweep(sweep, store))

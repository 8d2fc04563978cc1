"""Fixtures of the bad-input corpus: a sandbox folder with a user's files, made current."""

from __future__ import annotations

from pathlib import Path

import pytest
from robustness_helpers import TINY, TINY_SWEEP, TINY_TARGETS, assert_untouched, snapshot


class Sandbox:
    """The current folder of a case, with a user's files in it and in ``d/``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "keep.txt").write_text("the user's notes\n")
        (root / "d").mkdir()
        (root / "d" / "keep.txt").write_text("x\n")
        (root / "tiny.toml").write_text(TINY)
        (root / "sweep.toml").write_text(TINY_SWEEP)
        (root / "targets.toml").write_text(TINY_TARGETS)
        self.before = snapshot(root)

    def write(self, name: str, text: str | bytes) -> Path:
        """Add an input file (part of the state that must stay untouched)."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        self.before = snapshot(self.root)
        return path

    def remember(self) -> None:
        """Take the current content as the state that must stay untouched."""
        self.before = snapshot(self.root)

    def assert_untouched(self) -> None:
        assert_untouched(self.before, self.root)


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    root = tmp_path / "sandbox"
    root.mkdir()
    monkeypatch.chdir(root)
    return Sandbox(root)

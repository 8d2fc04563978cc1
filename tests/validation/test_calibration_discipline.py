"""Calibration discipline: a target used to fit a parameter is never counted as validation.

Every parameter or compound value fitted to a published result says so with
``calibrated = "ID: ..."`` (the leading id names the target). Each such id must be a target of
the shipped targets file with role ``calibration``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from synpharm.validation import PACKAGE_TARGET_FILES, load_targets

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "synpharm"
DATA_FILES = (
    sorted((PACKAGE / "parameters").glob("*.toml"))
    + sorted((PACKAGE / "compounds" / "data").glob("*.toml"))
    + sorted((PACKAGE / "signaling" / "networks").glob("*.toml"))
)
LEADING_ID = re.compile(r"^([A-Z]+-[A-Z]+-[A-Za-z0-9]+(?:\.[A-Za-z0-9-]+)?)")


def _calibrated_texts(node, where: str):
    if isinstance(node, dict):
        if isinstance(node.get("calibrated"), str):
            yield where, node["calibrated"]
        for key, value in node.items():
            yield from _calibrated_texts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _calibrated_texts(value, f"{where}[{index}]")


def _fit_targets() -> list[tuple[str, str]]:
    found = []
    for path in DATA_FILES:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for where, text in _calibrated_texts(data, path.name):
            match = LEADING_ID.match(text)
            if match:
                found.append((where, match.group(1)))
    return found


def test_data_files_declare_some_calibrations():
    assert len(_fit_targets()) >= 5


@pytest.mark.parametrize(("where", "target_id"), _fit_targets())
def test_calibration_targets_are_not_validation(where, target_id):
    shipped = [t for f in PACKAGE_TARGET_FILES for t in load_targets(f).targets]
    roles = {t.id: t.role for t in shipped}
    assert target_id in roles, f"{where} names {target_id}, which is not a target"
    assert roles[target_id] == "calibration", (
        f"{where} was fitted to {target_id}, but the targets file marks it {roles[target_id]}"
    )


def test_docs_list_every_calibration_target():
    doc = (PACKAGE.parents[1] / "docs" / "calibration.md").read_text(encoding="utf-8")
    for target in [t for f in PACKAGE_TARGET_FILES for t in load_targets(f).targets]:
        if target.role == "calibration":
            assert target.id in doc, f"docs/calibration.md does not mention {target.id}"


def _all_calibrated_texts() -> list[tuple[str, str]]:
    return [
        pair
        for path in DATA_FILES
        for pair in _calibrated_texts(tomllib.loads(path.read_text(encoding="utf-8")), path.name)
    ]


@pytest.mark.parametrize(("where", "text"), _all_calibrated_texts())
def test_every_calibrated_tag_names_a_target_or_says_seed(where, text):
    assert text.startswith("seed:") or LEADING_ID.match(text), (
        f"{where}: calibrated tag must start with 'seed:' or the id of the target it was fitted "
        f"to, got {text[:60]!r}"
    )

"""The shipped targets file and the errors a malformed user file gives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from synpharm.errors import InputError
from synpharm.validation import PACKAGE_TARGET_FILES, load_targets

PUBLISHED_TARGETS = Path(__file__).resolve().parents[1] / "data" / "validation" / "TARGETS.md"

GOOD = """
[[targets]]
id = "MY-1"
role = "validation"
source = "Doe 2024"
claim = "something"
protocol = "control_ltp"

[[targets.checks]]
compare = "range"
condition = "control"
readout = "ltp_percent"
low = 100.0
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_public_target_is_listed():
    published = set(re.findall(r"^\| ((?:SEED|LIT)-[A-Z]+-\d+) \|", PUBLISHED_TARGETS.read_text(),
                               flags=re.MULTILINE))
    ours = {t.id for t in [t for f in PACKAGE_TARGET_FILES for t in load_targets(f).targets]}
    assert len(published) >= 20
    assert published <= ours, sorted(published - ours)


def test_pending_targets_give_a_reason_and_active_ones_have_checks():
    for target in [t for f in PACKAGE_TARGET_FILES for t in load_targets(f).targets]:
        if target.status == "pending":
            assert target.reason and len(target.reason) > 20
        else:
            assert target.checks


def test_a_good_user_file_loads(tmp_path):
    targets = load_targets(_write(tmp_path, GOOD)).targets
    assert [t.id for t in targets] == ["MY-1"]


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (("low = 100.0", ""), "targets[MY-1].checks[0]"),
        (('compare = "range"', 'compare = "roughly"'), "targets[MY-1].checks[0].compare"),
        (('role = "validation"', 'role = "maybe"'), "targets[MY-1].role"),
        (('source = "Doe 2024"\n', ""), "targets[MY-1].source"),
        (('readout = "ltp_percent"', 'readout = "ltp_percent"\nspeed = 3'), "checks[0].speed"),
        (('protocol = "control_ltp"', 'status = "pending"'), "targets[MY-1]"),
        (("low = 100.0", "low = 100.0\nhigh = 50.0"), "targets[MY-1].checks[0]"),
    ],
)
def test_malformed_targets_name_file_target_and_field(tmp_path, edit, field):
    path = _write(tmp_path, GOOD.replace(*edit))
    with pytest.raises(InputError) as error:
        load_targets(path)
    assert str(path) in str(error.value)
    assert field in str(error.value)


def test_duplicate_ids_and_bad_toml(tmp_path):
    with pytest.raises(InputError, match="appears twice"):
        load_targets(_write(tmp_path, GOOD + GOOD.replace("[[targets]]\n", "[[targets]]\n", 1)))
    with pytest.raises(InputError, match="not a valid TOML"):
        load_targets(_write(tmp_path, "[[targets]\nid = 1"))
    with pytest.raises(InputError, match="no \\[\\[targets\\]\\]"):
        load_targets(_write(tmp_path, "schema_version = 1\n"))
    with pytest.raises(FileNotFoundError):
        load_targets(tmp_path / "missing.toml")

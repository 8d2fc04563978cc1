"""User names as file names, and user text in CSV files.

Names reach the file system only through :func:`synpharm.safety.safe_file_name`; the default
output folder always lies inside ``out/``. Text cells that a spreadsheet would run as a formula
are escaped; numbers stay numbers.
"""

from __future__ import annotations

import csv
import os
import re

import pytest
import tomli_w
from hypothesis import given
from hypothesis import strategies as st
from robustness_helpers import assert_one_error_line, invoke

from synpharm.cli._preflight import default_out
from synpharm.errors import InputError
from synpharm.safety import inside, safe_file_name, spreadsheet_cell

SAFE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")


@given(st.text(max_size=300))
def test_sanitised_names_are_plain_file_names_inside_out(name):
    try:
        text = safe_file_name(name)
    except InputError as error:
        assert "no usable file name" in str(error)
        return
    assert SAFE.match(text), text
    try:
        path = default_out(name)
    except InputError as error:
        assert "control character" in str(error)
        return
    assert path.parent == default_out("x").parent
    inside("out", path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ketamine 10 uM", "ketamine_10_uM"),
        ("/tmp/x/victim", "_tmp_x_victim"),
        ("../../x", "_.._x"),
        ("a" * 5000, "a" * 100),
        ("name\x00nul", "name_nul"),
        ("..hidden", "hidden"),
        ("C:\\Windows", "C_Windows"),
    ],
)
def test_sanitiser_examples(name, expected):
    assert safe_file_name(name) == expected


@pytest.mark.parametrize("name", [".", "..", "...", "", "/", "\x00", "ÄÖÜ", "   "])
def test_names_without_a_usable_file_name_are_refused(name):
    with pytest.raises(InputError, match="no usable file name"):
        safe_file_name(name)


def test_inside_refuses_escapes(tmp_path):
    with pytest.raises(InputError, match="outside"):
        inside(tmp_path / "out", tmp_path / "out" / ".." / "x")


def _named(name: str) -> str:
    return tomli_w.dumps({
        "experiment": {"name": name, "cohort": 1},
        "steps": [{"type": "baseline", "duration": "1 min", "test_rate": "0.05 Hz"}],
    })  # fmt: skip


@pytest.mark.parametrize("name", [".", "..", "....", "\u00e9\u00e9"])
def test_protocol_names_that_give_no_folder_are_exit_2(sandbox, name):
    sandbox.write("p.toml", _named(name))
    line = assert_one_error_line(invoke("run", "p.toml"), 2)
    assert line.startswith("error: name:")
    sandbox.assert_untouched()


@pytest.mark.parametrize("name", ["/tmp/x/victim", "../../x", "a\\b", "nul\x00name", "bell\x07"])
def test_protocol_names_with_separators_are_exit_2(sandbox, name):
    sandbox.write("p.toml", _named(name))
    assert_one_error_line(invoke("run", "p.toml"), 2)
    sandbox.assert_untouched()


@pytest.mark.parametrize("name", ["a" * 5000, "=1+1", "  spaced name  ", "caf\u00e9 au lait"])
def test_odd_protocol_names_write_only_inside_out(sandbox, name):
    sandbox.write("p.toml", _named(name))
    before = set(os.listdir(sandbox.root))
    outcome = invoke("run", "p.toml")
    assert outcome.exit_code == 0, outcome.stderr
    assert set(os.listdir(sandbox.root)) - before == {"out"}
    (folder,) = (sandbox.root / "out").iterdir()
    assert folder.name == safe_file_name(name)


FORMULA = "=cmd|' /C calc'!A0"


def test_formula_condition_names_are_escaped_in_csv(sandbox):
    document = {
        "experiment": {"name": "csv", "cohort": 1},
        "conditions": [{"name": FORMULA}, {"name": "@SUM(A1)"}, {"name": "-bad"}],
        "steps": [{"type": "baseline", "duration": "1 min", "test_rate": "0.05 Hz"}],
    }
    sandbox.write("p.toml", tomli_w.dumps(document))
    assert invoke("run", "p.toml", "--out", "o").exit_code == 0
    with open(sandbox.root / "o" / "pulses.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + FORMULA in cells and "'@SUM(A1)" in cells and "'-bad" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    negative = [cell for cell in cells if cell.startswith("-")]
    assert negative and all(float(cell) < 0 for cell in negative)  # numbers stay numbers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@A1", "'@A1"),
        ("\tx", "'\tx"), ("\rx", "'\rx"), ("-0.5", "-0.5"), ("-1e-3", "-1e-3"), ("+3", "+3"),
        ("-inf", "-inf"), ("-", "-"), (-0.5, -0.5), (3, 3), (None, None), ("a=b", "a=b"),
    ],
)  # fmt: skip
def test_spreadsheet_cell(value, expected):
    assert spreadsheet_cell(value) == expected


@given(st.text())
def test_escaped_cells_never_start_a_formula(text):
    cell = spreadsheet_cell(text)
    if cell.startswith(("=", "+", "-", "@")) and cell not in ("-", "+"):  # a lone sign is text
        float(cell)  # only numbers keep their sign

"""Property-based fuzzing (hypothesis) of protocol documents, units and TOML bytes.

Whatever the input, a command either succeeds or fails with one ``error:`` line and exit 2;
it never leaks a traceback and never writes a file (``--dry-run`` stops before writing).
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from robustness_helpers import TINY, assert_one_error_line, assert_untouched, invoke, snapshot

from synpharm.errors import InputError
from synpharm.units import parse_quantity

FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
KINDS = ["time", "frequency", "concentration", "voltage", "dimensionless"]


@contextmanager
def _scratch() -> Iterator[Path]:
    """A fresh current folder for one example (hypothesis runs many per test)."""
    previous = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            yield Path(folder)
        finally:
            os.chdir(previous)


def _check(args: tuple[str, ...], root: Path) -> None:
    before = snapshot(root)
    outcome = invoke(*args)
    if outcome.exit_code != 0:
        assert_one_error_line(outcome, 2)
    assert "Traceback" not in outcome.stderr
    assert_untouched(before, root)


UNITS = ["ms", "s", "min", "h", "Hz", "kHz", "uM", "nM", "mV", "%", "uM/s", "", "furlong", "m",
         "M", "1/s", "s**2", "degC"]  # fmt: skip
QUANTITY_TEXT = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda number, unit: f"{number} {unit}",
        st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**30), 10**30),
        st.sampled_from(UNITS),
    ),
)


@FUZZ
@given(QUANTITY_TEXT, st.sampled_from(KINDS))
def test_units_parse_or_raise_input_error(text, kind):
    try:
        value = parse_quantity(text, kind, "field")
    except InputError as error:
        assert str(error).startswith("field:")
        assert "\n" not in str(error)
        return
    assert isinstance(value, float) and not math.isnan(value)


SCALARS = st.one_of(
    st.none().map(lambda _: "1 min"),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    QUANTITY_TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
STEP = st.fixed_dictionaries(
    {"type": st.sampled_from(["baseline", "record", "train", "wash_in", "wait", "paired_pulse",
                              "input_output", "bogus"])},
    optional={key: VALUES for key in ["duration", "test_rate", "n_trains", "frequency", "pulses",
                                      "interval", "pairs", "rate", "repeats", "intensities",
                                      "exchange_time", "drugs", "bursts", "burst_rate"]},
)  # fmt: skip
CONDITION_KEYS = ["name", "compound", "concentration", "drugs"]
DOCUMENT = st.fixed_dictionaries(
    {"steps": st.lists(STEP, max_size=3)},
    optional={
        "experiment": st.dictionaries(
            st.sampled_from(["name", "cohort", "seed", "test_intensity", "preparation", "x"]),
            VALUES,
        ),
        "conditions": st.lists(
            st.dictionaries(st.sampled_from(CONDITION_KEYS), VALUES),
            max_size=2,
        ),
        "study": VALUES,
    },
)


@FUZZ
@given(DOCUMENT)
def test_random_protocol_documents(document):
    with _scratch() as root:
        (root / "p.toml").write_text(tomli_w.dumps(document), encoding="utf-8")
        _check(("run", "p.toml", "--dry-run"), root)


@FUZZ
@given(st.data())
def test_mutated_protocol_bytes(data):
    raw = bytearray(TINY.encode())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    with _scratch() as root:
        (root / "p.toml").write_bytes(bytes(raw))
        _check(("run", "p.toml", "--dry-run"), root)


@FUZZ
@given(st.lists(st.text(max_size=12), max_size=4))
def test_random_command_lines(words):
    with _scratch() as root:
        (root / "tiny.toml").write_text(TINY)
        _check(("run", "tiny.toml", "--dry-run", *words), root)

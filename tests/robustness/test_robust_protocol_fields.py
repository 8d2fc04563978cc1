"""Generated bad protocols: every field of a tiny protocol replaced by bad values.

Each case must fail with one ``error:`` line and exit 2 before anything is simulated or written.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import tomli_w
from robustness_helpers import assert_one_error_line, invoke

BASE: dict[str, Any] = {
    "experiment": {"name": "tiny", "cohort": 1, "seed": 0, "test_intensity": 0.5},
    "conditions": [{"name": "control"}, {"compound": "ketamine", "concentration": "10 uM"}],
    "steps": [
        {"type": "baseline", "duration": "1 min", "test_rate": "0.05 Hz"},
        {"type": "wash_in", "duration": "1 min", "test_rate": "0.05 Hz", "exchange_time": "10 s"},
        {"type": "train", "n_trains": 1, "frequency": "100 Hz", "pulses": 10, "interval": "20 s"},
        {"type": "paired_pulse", "interval": "50 ms", "pairs": 2, "rate": "0.1 Hz"},
        {"type": "input_output", "intensities": [0.2, 0.5], "repeats": 1, "rate": "0.1 Hz"},
        {"type": "wait", "duration": "10 s"},
        {"type": "record", "duration": "1 min", "test_rate": "0.05 Hz"},
    ],
}

QUANTITY = ["10", "abc", "", "-1 min", "0 s", "10 furlongs", "nan s", "inf s", 10, True, [], {}]
FREQUENCY = ["100", "100 mV", "-5 Hz", "0 Hz", "x Hz", "nan Hz", 100, False, ["1 Hz"]]
COUNT = ["3", -1, 0, 1.5, True, [], "many"]
NAME = ["", 5, [], {}, True]

FIELDS: list[tuple[tuple[Any, ...], list[Any]]] = [
    (("experiment", "name"), NAME),
    (("experiment", "cohort"), [0, -3, "12", 1.5, True, []]),
    (("experiment", "seed"), [-1, "0", 0.5, True]),
    (("experiment", "test_intensity"), [0, -0.5, 1.5, "half", "nan", True]),
    (("experiment", "preparation"), ["", "ca3_slice", 3, "../ca1_slice"]),
    (("experiment", "bogus_key"), [1]),
    (("conditions", 1, "concentration"), ["10", "-10 uM", "10 mV", "abc", 10, "nan uM"]),
    (("conditions", 1, "compound"), ["", "ketamne", 3, "../../etc/passwd", "=cmd|' /C calc'!A0"]),
    (("conditions", 0, "name"), NAME),
    (("steps", 0, "duration"), QUANTITY),
    (("steps", 0, "test_rate"), FREQUENCY),
    (("steps", 0, "type"), ["", "baselines", 3, None]),
    (("steps", 1, "exchange_time"), ["2", "-1 min", "1 uM", 2]),
    (("steps", 2, "n_trains"), COUNT),
    (("steps", 2, "frequency"), FREQUENCY),
    (("steps", 2, "pulses"), COUNT),
    (("steps", 2, "interval"), ["20", "-20 s", "1 uM", "0 s"]),
    (("steps", 3, "pairs"), COUNT),
    (("steps", 3, "interval"), ["50", "20 s", "-5 ms"]),
    (("steps", 4, "intensities"), [[], [0, 0.5], [1.5], ["a"], "0.5", [-0.1]]),
    (("steps", 4, "repeats"), COUNT),
    (("steps", 5, "duration"), ["10", "-1 s", "0 s"]),
]

CASES = [
    pytest.param(path, value, id=f"{'.'.join(map(str, path))}={value!r}"[:80])
    for path, values in FIELDS
    for value in values
]


def _mutated(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


@pytest.mark.parametrize(("path", "value"), CASES)
def test_bad_field_is_one_line_exit_2(sandbox, path, value):
    sandbox.write("p.toml", tomli_w.dumps(_mutated(path, value)))
    line = assert_one_error_line(invoke("run", "p.toml", "--out", "o"), 2)
    assert "Traceback" not in line
    sandbox.assert_untouched()


def test_the_base_protocol_is_valid(sandbox):
    """The mutations start from a protocol that is accepted (checked without running it)."""
    sandbox.write("p.toml", tomli_w.dumps(BASE))
    outcome = invoke("run", "p.toml", "--dry-run")
    assert outcome.exit_code == 0, outcome.stderr
    assert "slices" in outcome.stdout
    sandbox.assert_untouched()

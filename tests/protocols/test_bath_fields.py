"""[experiment.bath] and per-condition bath: parsing, inheritance, round trip, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from synpharm.cli.main import app
from synpharm.errors import InputError
from synpharm.experiments.slice import run_protocol
from synpharm.protocols import Bath, Protocol

STEPS = [{"type": "baseline", "duration": "1 min", "test_rate": "0.05 Hz"}]


def _protocol(bath=None, conditions=None) -> Protocol:
    experiment = {"name": "bath_demo", "cohort": 1}
    if bath is not None:
        experiment["bath"] = bath
    return Protocol.from_dict({"experiment": experiment, "conditions": conditions or [],
                               "steps": STEPS})


def test_bath_fields_in_si_units_and_condition_override():
    p = _protocol({"calcium": "2.5 mM", "magnesium": "1300 uM", "temperature": "32 degC"},
                  [{"name": "ref"}, {"name": "low Ca", "bath": {"calcium": "1.3 mM"}}])
    ref, low = (p.condition_bath(c) for c in p.conditions)
    assert ref.calcium == pytest.approx(2.5) and ref.magnesium == pytest.approx(1.3)
    assert ref.temperature == pytest.approx(305.15)
    assert low.calcium == pytest.approx(1.3)
    assert (low.magnesium, low.temperature) == (ref.magnesium, ref.temperature)


def test_unset_fields_stay_unset_for_the_preparation_to_fill():
    p = _protocol()
    assert p.bath == Bath() and p.condition_bath(p.conditions[0]).is_empty


def test_bath_round_trips_through_toml():
    p = _protocol({"calcium": "2 mM", "temperature": "30.5 degC"},
                  [{"name": "a"}, {"name": "b", "bath": {"magnesium": "0 mM"}}])
    assert Protocol.from_dict(p.to_dict()) == p
    assert "[experiment.bath]" in p.to_toml()


@pytest.mark.parametrize(
    ("bath", "field", "problem"),
    [
        ({"calcium": "-1 mM"}, "experiment.bath.calcium", "zero or positive"),
        ({"magnesium": "1.3 mV"}, "experiment.bath.magnesium", "not a concentration"),
        ({"magnesium": 1.3}, "experiment.bath.magnesium", "no unit"),
        ({"temperature": "32 mM"}, "experiment.bath.temperature", "not a temperature"),
        ({"temperature": "-5 degC"}, "experiment.bath.temperature", "between 0 and 45"),
        ({"potassium": "3 mM"}, "experiment.bath", "unknown key"),
        ("2.5 mM", "experiment.bath", "not a table"),
    ],
)
def test_bad_bath_names_the_field(bath, field, problem):
    with pytest.raises(InputError) as error:
        _protocol(bath)
    assert error.value.field == field
    assert problem in error.value.problem


def test_bad_condition_bath_names_the_condition():
    with pytest.raises(InputError) as error:
        _protocol(None, [{"name": "x", "bath": {"calcium": "-2 mM"}}])
    assert error.value.field == "conditions[0].bath.calcium"


def test_temperature_must_agree_across_conditions():
    p = _protocol({"temperature": "32 degC"},
                  [{"name": "a"}, {"name": "b", "bath": {"temperature": "22 degC"}}])
    with pytest.raises(InputError) as error:
        run_protocol(p)
    assert error.value.field == "conditions.bath.temperature"


def test_cli_bad_bath_exits_2_with_one_error_line(tmp_path: Path):
    text = ('[experiment]\nname = "x"\n[experiment.bath]\ncalcium = "-2.5 mM"\n'
            '[[steps]]\ntype = "baseline"\nduration = "1 min"\ntest_rate = "0.05 Hz"\n')
    path = tmp_path / "bad.toml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "experiment.bath.calcium" in lines[0]


def test_sweep_chunk_key_sees_the_condition_bath():
    """Chunks that differ only in a condition's bath must not share a cache entry."""
    from synpharm.sweep._chunk import chunk_key

    a = _protocol(None, [{"name": "x", "bath": {"calcium": "2.5 mM"}}])
    b = _protocol(None, [{"name": "x", "bath": {"calcium": "1.3 mM"}}])
    assert chunk_key(a, "prep") != chunk_key(b, "prep")

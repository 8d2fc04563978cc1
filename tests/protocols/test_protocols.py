"""Protocol parsing, validation, TOML round trip and the stimulus schedule."""

from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.errors import InputError
from synpharm.protocols import (
    Baseline,
    Condition,
    Drug,
    InputOutput,
    PairedPulse,
    Protocol,
    Record,
    Train,
    Wait,
    WashIn,
    WashOut,
    build_schedule,
    check_stimulation_rate,
    drug_events_for,
)

BASELINE = {"type": "baseline", "duration": "20 min", "test_rate": "0.05 Hz"}
WASH_IN = {
    "type": "wash_in",
    "duration": "20 min",
    "test_rate": "0.05 Hz",
    "exchange_time": "2 min",
}
TETANUS = {
    "type": "train",
    "n_trains": 3,
    "frequency": "100 Hz",
    "duration": "1 s",
    "interval": "20 s",
}
RECORD = {"type": "record", "duration": "60 min", "test_rate": "0.05 Hz"}


def document(*steps: dict[str, Any], **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "experiment": {"name": "test"},
        "steps": [copy.deepcopy(s) for s in steps] or [dict(BASELINE)],
    }
    doc.update(copy.deepcopy(extra))
    return doc


def error_of(doc: dict[str, Any]) -> InputError:
    with pytest.raises(InputError) as info:
        Protocol.from_dict(doc)
    return info.value


KETAMINE_TOML = """
[experiment]
name = "ketamine_ltp"
description = "ketamine concentration series"
cohort = 6
seed = 3
test_intensity = 0.4

[[conditions]]
name = "control"

[[conditions]]
name = "GABA-B block"
drugs = [{compound = "baclofen", concentration = "10 uM"},
         {compound = "CGP55845", concentration = "1 uM"}]

[[condition_series]]
compound = "ketamine"
concentrations = ["3 uM", "10 uM"]

[[steps]]
type = "baseline"
duration = "20 min"
test_rate = "0.05 Hz"

[[steps]]
type = "wash_in"
duration = "20 min"
test_rate = "0.05 Hz"
exchange_time = "2 min"

[[steps]]
type = "train"
n_trains = 3
frequency = "100 Hz"
duration = "1 s"
interval = "20 s"

[[steps]]
type = "paired_pulse"
interval = "50 ms"
pairs = 2
rate = "0.1 Hz"

[[steps]]
type = "input_output"
intensities = [0.25, 0.5, 1.0]
repeats = 2
rate = "0.1 Hz"

[[steps]]
type = "wash_out"
duration = "10 min"
test_rate = "3 /min"
exchange_time = "2 min"
compounds = ["ketamine"]

[[steps]]
type = "wait"
duration = "5 min"

[[steps]]
type = "record"
duration = "60 min"
test_rate = "0.05 Hz"
"""


@pytest.fixture
def ketamine(tmp_path: Path) -> Protocol:
    path = tmp_path / "ketamine.toml"
    path.write_text(KETAMINE_TOML)
    return Protocol.from_toml(path)


# ---------------------------------------------------------------------------- parsing
def test_parses_experiment_conditions_and_steps_in_si_units(ketamine: Protocol) -> None:
    assert (ketamine.name, ketamine.cohort, ketamine.seed) == ("ketamine_ltp", 6, 3)
    assert ketamine.test_intensity == 0.4 and ketamine.preparation == "ca1_slice"
    names = [c.name for c in ketamine.conditions]
    assert names == ["control", "GABA-B block", "ketamine 3 uM", "ketamine 10 uM"]
    assert ketamine.conditions[0].drugs == ()
    assert [d.compound for d in ketamine.conditions[1].drugs] == ["baclofen", "CGP55845"]
    assert ketamine.conditions[3].drugs[0].concentration == pytest.approx(0.010)
    types = [type(s) for s in ketamine.steps]
    assert types == [Baseline, WashIn, Train, PairedPulse, InputOutput, WashOut, Wait, Record]
    baseline, wash_in, train, pp, io, wash_out, wait, _ = ketamine.steps
    assert (baseline.duration, baseline.test_rate) == (1200.0, 0.05)
    assert wash_in.drugs is None and wash_in.exchange_time == 120.0
    assert (train.n_trains, train.pulses, train.frequency, train.interval) == (3, 100, 100.0, 20.0)
    assert pp.interval == pytest.approx(0.05) and pp.pairs == 2
    assert io.intensities == (0.25, 0.5, 1.0) and io.repeats == 2
    assert wash_out.compounds == ("ketamine",) and wash_out.test_rate == pytest.approx(0.05)
    assert wait.duration == 300.0


def test_defaults_give_one_control_condition() -> None:
    protocol = Protocol.from_dict(document(BASELINE))
    assert protocol.conditions == (Condition("control"),)
    assert (protocol.cohort, protocol.seed, protocol.test_intensity) == (12, 0, 0.5)


def test_single_drug_shorthand_is_named_after_compound_and_concentration() -> None:
    doc = document(BASELINE, conditions=[{"compound": "ketamine", "concentration": "10 uM"}])
    condition = Protocol.from_dict(doc).conditions[0]
    assert condition.name == "ketamine 10 uM"
    assert condition.drugs == (Drug("ketamine", condition.drugs[0].concentration),)


def test_objects_are_immutable(ketamine: Protocol) -> None:
    with pytest.raises(AttributeError):
        ketamine.cohort = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        ketamine.steps[0].duration = 1.0  # type: ignore[misc]


def test_train_duration_gives_pulses() -> None:
    step = dict(TETANUS, duration="250 ms", frequency="200 Hz")
    assert Protocol.from_dict(document(step)).steps[0].pulses == 50


def test_round_trip_through_dict_and_toml(ketamine: Protocol, tmp_path: Path) -> None:
    assert Protocol.from_dict(ketamine.to_dict()) == ketamine
    assert Protocol.from_dict(tomllib.loads(ketamine.to_toml())) == ketamine
    path = tmp_path / "again.toml"
    path.write_text(ketamine.to_toml())
    assert Protocol.from_toml(path) == ketamine


def test_round_trip_of_constructed_protocol_with_odd_values() -> None:
    protocol = Protocol(
        "odd",
        conditions=(Condition("mix", (Drug("a", 1.234e-4), Drug("b", 0.3))),),
        steps=(
            Baseline(100.0, 1 / 30),
            Train(2, 133.0, 7, 3.3, bursts=2, burst_rate=5.0),
            WashIn(61.0, 0.2, 0.0, drugs=(Drug("c", 0.01),)),
            WashOut(10.0, 0.1, 5.0),
        ),
    )
    assert Protocol.from_dict(tomllib.loads(protocol.to_toml())) == protocol


# ---------------------------------------------------------------------------- errors
def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[experiment]\nname = "x"\nseed = = 3\n')
    with pytest.raises(InputError) as info:
        Protocol.from_toml(path)
    assert info.value.field == str(path)
    assert "is not valid TOML (line 3" in str(info.value)


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Protocol.from_toml(tmp_path / "nope.toml")


def test_unknown_step_type() -> None:
    error = error_of(document(BASELINE, BASELINE, BASELINE, {"type": "foo"}))
    assert error.field == "steps[3].type"
    assert "unknown step type 'foo'" in str(error)
    assert "use one of baseline, wash_in" in str(error)


def test_unknown_step_key_is_named() -> None:
    error = error_of(document(dict(BASELINE, frequncy="1 Hz")))
    assert error.field == "steps[0]" and "'frequncy'" in str(error)


@pytest.mark.parametrize(
    ("step", "field"),
    [
        (dict(TETANUS, frequency="100"), "steps[2].frequency"),  # no unit
        (dict(TETANUS, frequency="100 ms"), "steps[2].frequency"),  # wrong unit
        (dict(TETANUS, interval="20 Hz"), "steps[2].interval"),
        (dict(BASELINE, duration="-5 min"), "steps[2].duration"),
        (dict(BASELINE, duration="0 s"), "steps[2].duration"),
        (dict(BASELINE, duration="nan s"), "steps[2].duration"),
        (dict(BASELINE, test_rate="0 Hz"), "steps[2].test_rate"),
        (dict(BASELINE, test_rate="-1 Hz"), "steps[2].test_rate"),
        (dict(BASELINE, test_rate=0.05), "steps[2].test_rate"),
        (dict(WASH_IN, exchange_time="-1 s"), "steps[2].exchange_time"),
        (dict(WASH_IN, test_rate="-1 Hz"), "steps[2].test_rate"),  # 0 Hz is allowed
        (dict(TETANUS, n_trains=0), "steps[2].n_trains"),
        (dict(TETANUS, n_trains=1.5), "steps[2].n_trains"),
        (dict(TETANUS, interval="0.5 s"), "steps[2].interval"),  # trains overlap
        (dict(TETANUS, pulses=100), "steps[2].duration"),  # both pulses and duration
        (dict(TETANUS, bursts=10), "steps[2].burst_rate"),  # bursts need a rate
        (dict(TETANUS, bursts=10, burst_rate="5 Hz"), "steps[2].burst_rate"),  # overlap
        ({"type": "paired_pulse", "interval": "50 ms", "pairs": 3}, "steps[2].rate"),
        (
            {"type": "input_output", "intensities": [0.5, 1.5], "repeats": 1, "rate": "1 Hz"},
            "steps[2].intensities[1]",
        ),
        (dict(WASH_IN, compound="ketamine", concentration="10 mV"), "steps[2].concentration"),
        (
            dict(WASH_IN, drugs=[{"compound": "x", "concentration": "-1 uM"}]),
            "steps[2].drugs[0].concentration",
        ),
        ({"type": "wait"}, "steps[2].duration"),
    ],
)
def test_bad_step_values_name_the_field(step: dict[str, Any], field: str) -> None:
    error = error_of(document(BASELINE, BASELINE, step))
    assert error.field == field
    assert str(error).startswith(field + ":")


@pytest.mark.parametrize(
    ("condition", "field", "words"),
    [
        (
            {"compound": "ketamine", "concentration": "10 mV"},
            "conditions[0].concentration",
            "voltage",
        ),
        (
            {"compound": "ketamine", "concentration": "-10 uM"},
            "conditions[0].concentration",
            "must be zero or positive",
        ),
        (
            {"compound": "ketamine", "concentration": "nan uM"},
            "conditions[0].concentration",
            "not a finite number",
        ),
        (
            {"compound": "ketamine", "concentration": 10},
            "conditions[0].concentration",
            "has no unit",
        ),
        ({"compound": "ketamine"}, "conditions[0].concentration", "is missing"),
        ({"name": "x", "dose": "1 uM"}, "conditions[0]", "'dose'"),
    ],
)
def test_bad_conditions_name_the_field(condition: dict[str, Any], field: str, words: str) -> None:
    error = error_of(document(BASELINE, conditions=[condition]))
    assert error.field == field and words in str(error)


def test_duplicate_condition_names_are_rejected() -> None:
    doc = document(
        BASELINE,
        conditions=[{"name": "ketamine 3 uM"}],
        condition_series=[{"compound": "ketamine", "concentrations": ["3 uM"]}],
    )
    error = error_of(doc)
    assert error.field == "conditions[1].name" and "duplicate" in str(error)


def test_bad_series_concentration_names_the_entry() -> None:
    doc = document(
        BASELINE, condition_series=[{"compound": "ketamine", "concentrations": ["3 uM", "-1 uM"]}]
    )
    assert error_of(doc).field == "condition_series[0].concentrations[1]"


@pytest.mark.parametrize(
    ("experiment", "field"),
    [
        ({"name": "x", "cohort": 0}, "experiment.cohort"),
        ({"name": "x", "cohort": 2.5}, "experiment.cohort"),
        ({"name": "x", "seed": -1}, "experiment.seed"),
        ({"name": "x", "test_intensity": 1.5}, "experiment.test_intensity"),
        ({"name": "x", "test_intensity": 0}, "experiment.test_intensity"),
        ({"name": "a/b"}, "experiment.name"),
        ({}, "experiment.name"),
        ({"name": "x", "colour": "red"}, "experiment"),
        ({"name": "x", "recording_site": "stratum_oriens"}, "experiment.recording_site"),
        ({"name": "x", "recording_site": 1}, "experiment.recording_site"),
    ],
)
def test_bad_experiment_settings(experiment: dict[str, Any], field: str) -> None:
    doc = document(BASELINE)
    doc["experiment"] = experiment
    assert error_of(doc).field == field


def test_unknown_section_and_missing_steps() -> None:
    assert error_of(dict(document(BASELINE), stepz=[])).field == "stepz"
    assert error_of({"experiment": {"name": "x"}}).field == "steps"


def test_negative_drug_concentration_rejected_in_python() -> None:
    with pytest.raises(InputError, match="concentration"):
        Drug("ketamine", -0.01)
    with pytest.raises(InputError, match="concentration"):
        Drug("ketamine", math.nan)


def test_check_stimulation_rate() -> None:
    protocol = Protocol.from_dict(document(BASELINE, dict(TETANUS, frequency="400 Hz")))
    check_stimulation_rate(protocol, max_frequency=500.0)
    with pytest.raises(InputError) as info:
        check_stimulation_rate(protocol, max_frequency=200.0)
    assert info.value.field == "steps[1].frequency"
    assert "faster than the integration allows (max 200 Hz)" in str(info.value)


# ---------------------------------------------------------------------------- schedule
def test_tetanus_schedule_three_trains_of_100_pulses() -> None:
    schedule = build_schedule(Protocol.from_dict(document(BASELINE, TETANUS, RECORD)))
    train = schedule.stimulus_kind == "train"
    assert train.sum() == 300
    times = schedule.stimulus_time[train]
    assert times[0] == 1200.0 and schedule.induction_time == 1200.0
    onsets = times[::100]
    np.testing.assert_allclose(onsets, [1200.0, 1220.0, 1240.0])
    np.testing.assert_allclose(np.diff(times[:100]), 0.01)
    np.testing.assert_array_equal(np.unique(schedule.train_id[train]), [0, 1, 2])
    assert np.all(schedule.train_id[~train] == -1)
    test = schedule.stimulus_time[schedule.stimulus_kind == "test"]
    assert test.size == 60 + 179
    np.testing.assert_allclose(test[:3], [0.0, 20.0, 40.0])
    # the recording starts after the last train; test pulses resume one interval later
    assert test[60] == pytest.approx(1241.0 + 20.0)
    assert schedule.total_duration == pytest.approx(1241.0 + 3600.0)
    assert schedule.drug_time is None
    assert [span.type for span in schedule.step_spans] == ["baseline", "train", "record"]


def test_theta_burst_schedule() -> None:
    tbs = {
        "type": "train",
        "n_trains": 2,
        "frequency": "100 Hz",
        "pulses": 4,
        "bursts": 10,
        "burst_rate": "5 Hz",
        "interval": "10 s",
    }
    schedule = build_schedule(Protocol.from_dict(document(BASELINE, tbs)))
    times = schedule.stimulus_time[schedule.stimulus_kind == "train"] - 1200.0
    assert times.size == 80
    np.testing.assert_allclose(times[:5], [0.0, 0.01, 0.02, 0.03, 0.2])
    np.testing.assert_allclose(times[40], 10.0)
    np.testing.assert_allclose(times[39], 1.8 + 0.03)


def test_paired_pulse_and_io_schedule(ketamine: Protocol) -> None:
    schedule = build_schedule(ketamine)
    pp1 = schedule.stimulus_time[schedule.stimulus_kind == "pp1"]
    pp2 = schedule.stimulus_time[schedule.stimulus_kind == "pp2"]
    np.testing.assert_allclose(pp2 - pp1, 0.05)
    np.testing.assert_allclose(np.diff(pp1), 10.0)
    io = schedule.stimulus_kind == "io"
    np.testing.assert_allclose(schedule.intensity[io], [0.25, 0.25, 0.5, 0.5, 1.0, 1.0])
    assert np.all(schedule.intensity[schedule.stimulus_kind == "test"] == 0.4)
    assert schedule.drug_time == 1200.0 and schedule.induction_time == 2400.0
    assert not schedule.stimulus_time.flags.writeable


def test_drug_events_per_condition(ketamine: Protocol) -> None:
    schedule = build_schedule(ketamine)
    assert [e.condition_dependent for e in schedule.drug_events] == [True, False]
    control, gaba_b, _, k10 = ketamine.conditions
    assert drug_events_for(schedule, control) == schedule.drug_events[1:]
    events = drug_events_for(ketamine, k10)
    assert [(e.time, e.compound, e.target_concentration) for e in events] == [
        (1200.0, "ketamine", k10.drugs[0].concentration),
        (2441.0 + 20.0 + 60.0, "ketamine", 0.0),
    ]
    assert {e.compound for e in drug_events_for(schedule, gaba_b)} == {
        "baclofen",
        "CGP55845",
        "ketamine",
    }


def test_wash_out_of_everything_and_pre_incubation() -> None:
    doc = document(
        BASELINE,
        dict(WASH_IN, type="wash_out"),
        conditions=[{"compound": "ketamine", "concentration": "10 uM"}],
    )
    protocol = Protocol.from_dict(doc)
    events = drug_events_for(protocol, protocol.conditions[0])
    assert [(e.time, e.compound, e.target_concentration == 0) for e in events] == [
        (0.0, "ketamine", False),
        (1200.0, "ketamine", True),
    ]


steps_strategy = st.lists(
    st.one_of(
        st.builds(Baseline, st.floats(1, 600), st.floats(0.01, 1)),
        st.builds(Record, st.floats(1, 600), st.floats(0.01, 1)),
        st.builds(Wait, st.floats(0.1, 60)),
        st.builds(
            lambda n, p, f: Train(n, f, p, interval=p / f + 1.0, bursts=1),
            st.integers(1, 4),
            st.integers(1, 50),
            st.floats(10, 300),
        ),
        st.builds(
            lambda n, b, p: Train(n, 100.0, p, interval=10.0, bursts=b, burst_rate=5.0),
            st.integers(1, 3),
            st.integers(2, 10),
            st.integers(1, 10),
        ),
        st.builds(
            lambda pairs, isi: PairedPulse(isi, pairs, 0.1),
            st.integers(1, 5),
            st.floats(0.005, 0.5),
        ),
        st.builds(
            lambda k, r: InputOutput(tuple(np.linspace(0.1, 1, k)), r, 0.2),
            st.integers(1, 5),
            st.integers(1, 3),
        ),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(steps_strategy)
def test_schedule_is_sorted_and_counts_match(steps: list[Any]) -> None:
    schedule = build_schedule(Protocol("prop", steps=tuple(steps)))
    assert np.all(np.diff(schedule.stimulus_time) >= 0)
    assert schedule.stimulus_time.size == schedule.stimulus_kind.size == schedule.train_id.size
    expected_trains = sum(s.n_trains * s.bursts * s.pulses for s in steps if isinstance(s, Train))
    assert int((schedule.stimulus_kind == "train").sum()) == expected_trains
    assert len(np.unique(schedule.train_id[schedule.train_id >= 0])) == sum(
        s.n_trains for s in steps if isinstance(s, Train)
    )
    pairs = sum(s.pairs for s in steps if isinstance(s, PairedPulse))
    kinds = schedule.stimulus_kind
    assert (kinds == "pp1").sum() == (kinds == "pp2").sum() == pairs
    for index, step in enumerate(steps):
        span = schedule.step_spans[index]
        in_step = schedule.stimulus_time[schedule.step_index == index]
        assert np.all((in_step >= span.start) & (in_step < span.end + 1e-9))
        if isinstance(step, Baseline | Record):
            after_train = index > 0 and isinstance(steps[index - 1], Train)
            count = math.floor(step.duration * step.test_rate - 1e-9) + (0 if after_train else 1)
            assert in_step.size == count
    assert schedule.total_duration == pytest.approx(sum(s.length for s in steps))


def test_recording_site_defaults_to_radiatum_and_round_trips() -> None:
    doc = document(BASELINE)
    assert Protocol.from_dict(doc).recording_site == "stratum_radiatum"
    assert "recording_site" not in Protocol.from_dict(doc).to_dict()["experiment"]
    doc["experiment"] = {"name": "x", "recording_site": "stratum_pyramidale"}
    somatic = Protocol.from_dict(doc)
    assert somatic.recording_site == "stratum_pyramidale"
    assert Protocol.from_dict(somatic.to_dict()) == somatic

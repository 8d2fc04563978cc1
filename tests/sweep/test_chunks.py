"""Chunks: content keys, cohort seeds, and what a chunk computes."""

from __future__ import annotations

import tomllib
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sweep_fixtures import tiny_text

from synpharm.experiments.slice import run_protocol
from synpharm.sweep import cohort_seed, plan_chunks, run_chunk, sweep_from_dict


def _doc(concentrations=("1 uM", "10 uM")) -> dict:
    return tomllib.loads(tiny_text(concentrations))


def _keys(doc: dict) -> dict[tuple, str]:
    return {
        (c.protocol, c.parameter_set, c.seed, c.cohort, c.condition): c.key
        for c in plan_chunks(sweep_from_dict(doc))
    }


def test_keys_are_reproducible_and_distinct():
    first, second = _keys(_doc()), _keys(_doc())
    assert first == second
    assert len(set(first.values())) == len(first) == 3
    assert all(len(key) == 24 and int(key, 16) >= 0 for key in first.values())


def test_keys_ignore_labels():
    doc = _doc()
    relabelled = _doc()
    relabelled["sweep"].update(name="other", description="renamed")
    relabelled["protocols"][0]["label"] = "renamed"
    relabelled["protocols"][0]["experiment"] = {"name": "renamed", "description": "x"}
    relabelled["parameter_sets"] = [{"name": "published"}]
    assert sorted(_keys(doc).values()) == sorted(_keys(relabelled).values())


def test_adding_a_concentration_keeps_the_other_chunks():
    before = set(_keys(_doc(("1 uM", "10 uM"))).values())
    after = set(_keys(_doc(("1 uM", "3 uM", "10 uM"))).values())
    assert before < after and len(after - before) == 1


def _changed(section: str, key, value) -> dict:
    doc = _doc()
    if section == "steps":
        doc["protocols"][0]["steps"][1][key] = value
    elif section == "parameters":
        doc["parameter_sets"] = [{"name": "default", "values": {key: value}}]
    else:
        doc["sweep"][key] = value
    return doc


def test_every_input_that_changes_the_numbers_changes_the_key():
    base = set(_keys(_doc()).values())
    for doc in (
        _changed("sweep", "seeds", [1]),
        _changed("sweep", "cohort", 3),
        _changed("steps", "duration", "3 min"),
        _changed("steps", "exchange_time", "20 s"),
        _changed("parameters", "quantal_conductance", "0.3 nS"),
    ):
        assert base.isdisjoint(_keys(doc).values())


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    a=st.floats(1e-6, 10.0, allow_nan=False),
    b=st.floats(1e-6, 10.0, allow_nan=False),
)
def test_cohort_seed_is_a_function_of_seed_and_drugs(seed, a, b):
    drugs_a = (("baclofen", a),)
    assert cohort_seed(seed, drugs_a) == cohort_seed(seed, drugs_a)
    assert 0 <= cohort_seed(seed, drugs_a) < 2**60
    assert cohort_seed(seed, drugs_a) != cohort_seed(seed + 1, drugs_a)
    if a != b:
        assert cohort_seed(seed, drugs_a) != cohort_seed(seed, (("baclofen", b),))
    both = (("baclofen", a), ("cgp55845", b))
    assert cohort_seed(seed, both) == cohort_seed(seed, both[::-1])
    assert cohort_seed(seed, ()) != cohort_seed(seed, drugs_a)


def test_chunk_is_synpharm_run_of_its_condition_with_the_cohort_seed():
    chunks = plan_chunks(sweep_from_dict(_doc()))
    chunk = chunks[1]
    assert chunk.task.protocol.seed == cohort_seed(0, chunk.drugs)
    result = run_chunk(chunk.task)
    protocol = replace(chunk.task.protocol, name="anything", cohort=12, seed=0)
    direct = run_protocol(protocol, cohort=chunk.cohort, seed=cohort_seed(0, chunk.drugs))
    (condition,) = direct.conditions
    assert result.readouts.keys() == condition.readouts.keys()
    for name, (values, unit) in result.readouts.items():
        np.testing.assert_array_equal(values, condition.readouts[name].values)
        assert unit == condition.readouts[name].unit
        assert values.shape == (chunk.cohort,)


def test_parameter_override_reaches_the_simulation():
    """Four times the field gain (field per quantum) gives about four times the fEPSP slope.

    Same slices and noise streams in both arms (same cohort seed): only the parameter differs,
    so the ratio departs from 4 only by the recording noise.
    """
    doc = _doc(("1 uM",))
    doc["sweep"]["control"] = False
    doc["parameter_sets"] = [
        {"name": "small", "values": {"field_gain": "0.0025 mV"}},
        {"name": "large", "values": {"field_gain": "0.01 mV"}},
    ]
    small, large = plan_chunks(sweep_from_dict(doc))
    assert small.task.protocol == large.task.protocol
    assert small.key != large.key
    slope_small = run_chunk(small.task).readouts["baseline_fepsp_slope"][0]
    slope_large = run_chunk(large.task).readouts["baseline_fepsp_slope"][0]
    assert np.all(slope_small < 0)
    np.testing.assert_allclose(slope_large / slope_small, 4.0, rtol=0.1)


def test_overrides_apply_to_single_cell_preparations_too():
    """Cultured-neuron IPSCs: a lower mean release probability gives smaller IPSCs."""
    doc = _doc(("1 uM",))
    doc["sweep"].update(control=False, cohort=6)
    doc["protocols"] = [{"library": "baclofen_cultured_ipsc"}]
    doc["parameter_sets"] = [
        {"name": "default"},
        {"name": "low_release", "values": {"release_probability_mean": 0.1}},
    ]
    default, low = plan_chunks(sweep_from_dict(doc))
    assert default.preparation == "cultured_hippocampal_neurons"
    amplitude = [run_chunk(c.task).readouts["baseline_amplitude"][0] for c in (default, low)]
    assert np.nanmean(amplitude[1]) < 0.5 * np.nanmean(amplitude[0])

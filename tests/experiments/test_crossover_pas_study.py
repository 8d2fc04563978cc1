"""The pas_crossover study kind: reading TOML, design, determinism, outputs, errors."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from synpharm.errors import InputError
from synpharm.experiments import STUDY_KINDS, load_experiment, study_from_dict
from synpharm.experiments import run as run_experiment
from synpharm.experiments._pas_simulation import _balanced_order
from synpharm.protocols import read_toml
from synpharm.protocols.library import library_protocol_path


def _data(name: str = "pas25_baclofen_crossover") -> dict:
    return read_toml(library_protocol_path(name))


@pytest.fixture(scope="module")
def small_run():
    study = study_from_dict(_data())
    return study, run_experiment(study, cohort=10, seed=3)


def test_the_kind_is_registered_and_library_studies_load():
    assert "pas_crossover" in STUDY_KINDS
    for name in ("pas25_baclofen_crossover", "pas25_baclofen_crossover_no_girk",
                 "baclofen_resting_mep"):
        study = load_experiment(library_protocol_path(name))
        assert study.name == name and study.cohort >= 12


def test_same_seed_same_result_and_another_seed_differs(small_run):
    study, first = small_run
    again = run_experiment(study, cohort=10, seed=3)
    other = run_experiment(study, cohort=10, seed=4)
    for a, b, c in zip(first.conditions, again.conditions, other.conditions, strict=True):
        np.testing.assert_array_equal(a.readouts["mep_ratio"].values,
                                      b.readouts["mep_ratio"].values)
        assert not np.array_equal(a.readouts["mep_ratio"].values, c.readouts["mep_ratio"].values)


def test_one_value_per_subject_in_both_arms_and_paired_analysis(small_run):
    _, result = small_run
    placebo, baclofen = result.conditions
    assert [c.name for c in result.conditions] == ["placebo", "baclofen 50 mg"]
    for readout in ("mep_ratio", "mep_ratio_0min", "mep_ratio_30min", "resting_mep_change_percent",
                    "pas_responder"):
        assert placebo.readouts[readout].values.shape == (10,)
        assert baclofen.readouts[readout].values.shape == (10,)
    assert np.all(placebo.readouts["concentration_at_pas_uM"].values < 1e-6)  # 7-day washout
    assert np.all(baclofen.readouts["concentration_at_pas_uM"].values > 0)
    stats = result.analyses["crossover"]["readouts"]["mep_ratio"]
    assert stats["n"] == 10 and np.isfinite(stats["paired_p"])
    assert result.summary()["provenance"]["study"] == "pas25_baclofen_crossover"


def test_order_is_balanced_and_random():
    order = _balanced_order(24, np.random.default_rng(0))
    assert order.shape == (24, 2) and np.all(order.sum(axis=1) == 1)
    assert order[:, 0].sum() == 12
    assert not np.array_equal(order, _balanced_order(24, np.random.default_rng(1)))


def test_short_washout_carries_drug_into_the_next_session():
    data = _data()
    data["study"]["washout"] = "2 h"
    result = run_experiment(study_from_dict(data), cohort=12, seed=0)
    placebo = result.conditions[0].readouts["concentration_at_pas_uM"].values
    after_drug = np.array(result.provenance["sequence_first_arm"]) == "baclofen 50 mg"
    assert np.all(placebo[after_drug] > 0) and np.all(placebo[~after_drug] == 0)
    week = run_experiment(study_from_dict(_data()), cohort=12, seed=0)
    assert np.all(week.conditions[0].readouts["concentration_at_pas_uM"].values < 1e-6)


def test_resting_study_has_no_pas_readouts():
    study = load_experiment(library_protocol_path("baclofen_resting_mep"))
    result = run_experiment(study, cohort=8, seed=0)
    readouts = result.conditions[1].readouts
    assert "mep_ratio" not in readouts and "resting_mep_change_percent" in readouts


def test_outputs_are_written_together(small_run, tmp_path):
    _, result = small_run
    out = result.write_outputs(tmp_path / "pas")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["mep_time_course.png", "mep_time_course.svg", "subjects.csv",
                     "summary.json", "synpharm-manifest.json"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["conditions"][1]["readouts"]["mep_ratio"]["n"] == 10
    rows = (out / "subjects.csv").read_text().splitlines()
    assert len(rows) == 1 + 2 * 10 * 6


@pytest.mark.parametrize(("path", "value", "field"), [
    (("arms",), [{"name": "placebo"}], "arms"),
    (("arms", 1, "dose"), "50 mg", "arms[1].dose"),
    (("arms", 1, "dose"), "50 mg intrathecal", "arms[1].dose"),
    (("arms", 1, "site"), "brain", "arms[1].site"),
    (("pas", "interval"), "25", "pas.interval"),
    (("pas", "pairs"), 0, "pas.pairs"),
    (("study", "washout"), "0 days", "study.washout"),
    (("study", "ablate"), ["NMDA"], "study.ablate"),
    (("study", "subjects"), -3, "study.subjects"),
    (("session", "drug_mep"), "-5 min", "session"),
    (("study", "preparation"), "ca1_slice", "study.preparation"),
])
def test_bad_study_fields_are_input_errors(path, value, field):
    data = copy.deepcopy(_data())
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(InputError) as error:
        study_from_dict(data)
    assert error.value.field == field

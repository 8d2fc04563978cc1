"""The ``signaling_time_course`` study kind (virtual cohort, PK-driven, arm comparisons)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synpharm.errors import InputError
from synpharm.experiments import run as run_experiment
from synpharm.experiments import study_from_dict

STUDY = {
    "study": {"kind": "signaling_time_course", "name": "mini", "cohort": 3, "seed": 4,
              "duration": "8 h", "sample_interval": "10 min"},
    "arms": [
        {"name": "saline"},
        {"name": "ketamine", "doses": [{"compound": "ketamine", "dose": "10 mg/kg i.p."}],
         "effect_reference": "saline"},
        {"name": "rapamycin",
         "brain_concentrations": [{"compound": "rapamycin", "concentration": "100 nM"}]},
        {"name": "ketamine + rapamycin",
         "doses": [{"compound": "ketamine", "dose": "10 mg/kg i.p."}],
         "brain_concentrations": [{"compound": "rapamycin", "concentration": "100 nM"}],
         "effect_reference": "rapamycin", "unblocked": "ketamine"},
    ],
}


@pytest.fixture(scope="module")
def result():
    return run_experiment(study_from_dict(STUDY))


def test_readouts_one_value_per_animal(result):
    assert [c.name for c in result.conditions] == [a["name"] for a in STUDY["arms"]]
    ketamine = result.conditions[1].readouts
    assert ketamine["mtorc1_peak_time_h"].values.shape == (3,)
    assert ketamine["mtorc1_peak_change_percent"].mean > 0
    assert np.all(np.isnan(ketamine["synaptic_protein_change_24h_percent"].values))  # 8 h study
    saline = result.conditions[0].readouts
    assert saline["mtorc1_peak_change_percent"].mean == pytest.approx(0.0, abs=1e-6)
    blocked = result.conditions[3].readouts
    assert blocked["mtorc1_effect_peak_remaining_percent"].mean < 10


def test_same_seed_same_result_and_seed_matters(result):
    again = run_experiment(study_from_dict(STUDY))
    name = "mtorc1_peak_change_percent"
    assert np.array_equal(result.conditions[1].readouts[name].values,
                          again.conditions[1].readouts[name].values)
    other = run_experiment(study_from_dict(STUDY), seed=5)
    assert not np.array_equal(result.conditions[1].readouts[name].values,
                              other.conditions[1].readouts[name].values)


def test_write_outputs(result, tmp_path):
    out = result.write_outputs(tmp_path / "mini")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["conditions"][1]["name"] == "ketamine"
    assert (out / "time_courses.png").stat().st_size > 1000
    assert (out / "time_courses.svg").exists()
    header = (out / "time_courses.csv").read_text().splitlines()[0]
    assert header.startswith("arm,time_h,") and "mtorc1_active" in header


@pytest.mark.parametrize(("change", "message"), [
    ({"arms": [{"name": "a", "effect_reference": "b"}]}, "unknown arm"),
    ({"arms": [{"name": "a", "ablations": ["nope"]}]}, "not a reaction"),
    ({"arms": [{"name": "a", "unblocked": "a"}]}, "needs effect_reference"),
    ({"arms": []}, "no \\[\\[arms\\]\\]"),
    ({"study": {"kind": "signaling_time_course", "duration": "8"}}, "no unit"),
    ({"study": {"kind": "signaling_time_course", "colour": "red"}}, "unknown keys"),
    ({"arms": 5}, "not a list of tables"),
    ({"study": {"kind": "signaling_time_course", "cohort": 0}}, "is 0"),
    ({"study": {"kind": "signaling_time_course", "duration": "10 min",
                "sample_interval": "7 min"}}, "whole number"),
    ({"arms": [{"name": "a", "doses": [{"compound": "ketamine", "dose": "10 mg/kg i.p.",
                                        "time": "-1 h"}]}]}, "before the start"),
])
def test_bad_studies_are_input_errors(change, message):
    data = {**STUDY, **change}
    with pytest.raises(InputError, match=message):
        study_from_dict(data)

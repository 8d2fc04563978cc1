"""In-vivo dosing study: reading the TOML, the ex-vivo slice parameters, running with stand-ins.

Pharmacokinetics and signalling are replaced by synthetic curves; the spine layer is the real
:mod:`synpharm.structure` with small cohorts. The real chain runs in
tests/science/test_ketamine_invivo.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.errors import InputError
from synpharm.experiments import STUDY_KINDS, study_from_dict
from synpharm.experiments import run as run_experiment
from synpharm.experiments._chain import Layers, default_layers
from synpharm.experiments.invivo import (
    InVivoStudy,
    exvivo_slice_parameters,
    study_time_grid,
)
from synpharm.parameters import load_parameter_set, package_parameter_file

SLICE = load_parameter_set(package_parameter_file("ca1_slice"))
CSDS = load_parameter_set(package_parameter_file("conditions_csds_mouse"))
HOUR, DAY = 3600.0, 86400.0


def _stand_in(protein_rise: float) -> Layers:
    """Exposure decaying over an hour; synaptic protein and BDNF up for ~2 days after it."""

    def exposure(compound, events, species, times, site):
        start = min(e.time for e in events)
        after = np.clip(times - start, 0.0, None)
        return np.where(times >= start, 0.02 * np.exp(-after / HOUR), 0.0)

    def signaling(concentrations, times, region, ablations):
        after = np.clip(times, 0.0, None)
        bump = protein_rise * (after / (6 * HOUR)) * np.exp(1.0 - after / (6 * HOUR))
        level = 1.0 + (0.0 if "block" in ablations else 1.0) * bump
        return {"synaptic_protein": level, "bdnf": level}

    real = default_layers(spines=True)
    return Layers(exposure, signaling, real.spines)


def _study(**changes) -> InVivoStudy:
    data = {
        "study": {"kind": "invivo_dosing", "name": "spines", "species": "mouse",
                  "region": "mpfc", "spines": "mouse_mpfc_l5", "cohort": 6, "seed": 2,
                  "segments_per_animal": 4},
        "arms": [
            {"name": "saline"},
            {"name": "ketamine",
             "doses": [{"compound": "ketamine", "dose": "10 mg/kg i.p.", "time": "0 h"}]},
        ],
        "imaging": {"sessions": ["0 h", "12 h", "2 d", "7 d"]},
        "golgi": {"times": ["24 h"]},
    }
    for key, value in changes.items():
        table, _, name = key.partition(".")
        if name:
            data[table][name] = value
        else:
            data[table] = value
    study = study_from_dict(data, "test")
    assert isinstance(study, InVivoStudy)
    return study


def test_golgi_cohort_counts_its_own_segments():
    study = _study(golgi={"times": ["24 h"], "segments_per_animal": 9})
    assert study.golgi_segments_per_animal == 9 and study.segments_per_animal == 4
    layers = _stand_in(0.6)
    assert layers.spines is not None
    real_simulate = layers.spines["simulate"]
    seen = []

    def simulate(params, clock, drive, n, segments, **kwargs):
        seen.append(segments)
        return real_simulate(params, clock, drive, n, segments, **kwargs)

    spines = {**layers.spines, "simulate": simulate}
    run_experiment(study, layers=Layers(layers.concentration, layers.signaling, spines))
    assert sorted(set(seen)) == [4, 9]  # imaging fields 4, Golgi cohort 9 (per arm)
    assert _study().golgi_segments_per_animal is None  # default: the study's segments


@pytest.mark.parametrize("value", [0, 2.5, "many"])
def test_bad_golgi_segments_are_input_errors(value):
    with pytest.raises(InputError, match=r"golgi\.segments_per_animal"):
        _study(golgi={"times": ["24 h"], "segments_per_animal": value})
    with pytest.raises(InputError, match="unknown keys"):
        _study(golgi={"times": ["24 h"], "segments_per_animal": 4, "stain": "Golgi-Cox"})


def test_kinds_are_registered():
    assert STUDY_KINDS["invivo_dosing"].endswith(":build_invivo_study")
    assert STUDY_KINDS["vep_ltp_crossover"].endswith(":build_vep_study")


# ---------------------------------------------------------------- ex-vivo slice parameters


def test_baseline_protein_leaves_the_healthy_slice_unchanged():
    params = exvivo_slice_parameters(SLICE, 1.0)
    for key in SLICE:
        assert params[key] == pytest.approx(SLICE[key], rel=1e-12)


def test_more_protein_raises_ampa_content_and_speeds_capture():
    params = exvivo_slice_parameters(SLICE, 1.3)
    assert params["quantal_conductance"] > SLICE["quantal_conductance"]
    assert params["field_gain"] > SLICE["field_gain"]
    assert params["late_phase_time_constant"] < SLICE["late_phase_time_constant"]
    assert params["calcium_per_open_nmda_synapse"] > SLICE["calcium_per_open_nmda_synapse"]


@given(st.floats(0.5, 2.0))
@settings(max_examples=30, deadline=None)
def test_nmda_conductance_follows_nmda_content_only(protein):
    """The NMDA conductance (ratio x quantal conductance) scales with the NMDA content."""
    params = exvivo_slice_parameters(SLICE, protein)
    nmda_conductance = params["nmda_to_ampa_conductance_ratio"] * params["quantal_conductance"]
    base = SLICE["nmda_to_ampa_conductance_ratio"] * SLICE["quantal_conductance"]
    calcium_ratio = params["calcium_per_open_nmda_synapse"] / SLICE["calcium_per_open_nmda_synapse"]
    assert nmda_conductance / base == pytest.approx(calcium_ratio, rel=1e-9)


def test_csds_lowers_nmda_content_and_not_ampa():
    params = exvivo_slice_parameters(SLICE, 1.0, CSDS)
    factor = CSDS["nmda_content_factor_ca1"]
    assert params["calcium_per_open_nmda_synapse"] == pytest.approx(
        factor * SLICE["calcium_per_open_nmda_synapse"]
    )
    assert params["quantal_conductance"] == pytest.approx(SLICE["quantal_conductance"])


def test_provenance_of_changed_slice_parameters_is_kept():
    params = exvivo_slice_parameters(SLICE, 1.2)
    assert params.parameter("quantal_conductance").source == SLICE.parameter(
        "quantal_conductance").source


# ---------------------------------------------------------------- time grid


@given(st.lists(st.floats(-2 * DAY, 20 * DAY), min_size=1, max_size=8))
@settings(max_examples=40, deadline=None)
def test_time_grid_holds_every_event_in_order(events):
    grid = study_time_grid(events)
    assert np.all(np.diff(grid) > 0)
    assert set(np.round(events, 6)) <= set(np.round(grid, 6))
    assert grid[0] <= min(0.0, *events) and grid[-1] >= max(events)


# ---------------------------------------------------------------- running with stand-ins


@pytest.fixture(scope="module")
def with_rise():
    return run_experiment(_study(), layers=_stand_in(0.6))


def _mean(result, condition, readout):
    return next(c for c in result.conditions if c.name == condition).readouts[readout].mean


def test_conditions_are_arm_by_session_and_golgi(with_rise):
    names = [c.name for c in with_rise.conditions]
    assert names == [
        "saline 0 h", "saline 12 h", "saline 2 d", "saline 7 d",
        "ketamine 0 h", "ketamine 12 h", "ketamine 2 d", "ketamine 7 d",
        "saline golgi 24 h", "ketamine golgi 24 h",
    ]
    first = with_rise.conditions[0].readouts
    assert "formation_percent_per_day" not in first
    later = with_rise.conditions[1].readouts
    for name in ("formation_percent_per_day", "elimination_percent_per_day",
                 "gained_since_first_percent", "lost_since_first_percent"):
        assert later[name].values.shape == (6,)


def test_a_synaptic_protein_rise_raises_density_and_formation(with_rise):
    assert _mean(with_rise, "ketamine 2 d", "density_change_percent") > _mean(
        with_rise, "saline 2 d", "density_change_percent")
    assert _mean(with_rise, "ketamine 2 d", "gained_since_first_percent") > _mean(
        with_rise, "saline 2 d", "gained_since_first_percent")


def _gain_effect(result) -> float:
    """Ketamine minus saline: spines gained since the first session, at 2 d [points]."""
    return _mean(result, "ketamine 2 d", "gained_since_first_percent") - _mean(
        result, "saline 2 d", "gained_since_first_percent")


def test_ablating_the_signal_removes_the_effect(with_rise):
    blocked = run_experiment(_study(arms=[
        {"name": "saline"},
        {"name": "ketamine", "ablations": ["block"],
         "doses": [{"compound": "ketamine", "dose": "10 mg/kg i.p."}]},
    ]), layers=_stand_in(0.6))
    intact = _gain_effect(with_rise)
    assert intact > 0.0
    assert abs(_gain_effect(blocked)) < 0.5 * intact


def test_same_seed_same_summary(with_rise):
    again = run_experiment(_study(), layers=_stand_in(0.6))
    assert again.summary() == with_rise.summary()


def test_summary_describes_arms_and_doses(with_rise):
    summary = with_rise.summary()
    described = {c["name"]: c for c in summary["conditions"]}
    assert described["ketamine 2 d"]["doses"][0]["dose"] == "10 mg/kg i.p."
    assert described["saline 2 d"]["doses"] == []
    assert summary["provenance"]["cohort"] == 6


def test_outputs(with_rise, tmp_path):
    out = with_rise.write_outputs(tmp_path / "study")
    assert {p.name for p in out.iterdir()} == {
        "summary.json", "readouts.csv", "figure.png", "figure.svg", "synpharm-manifest.json"
    }


def test_condition_without_spine_declaration_is_an_error():
    study = _study(arms=[{"name": "fsl", "condition": "fsl"}])
    with pytest.raises(InputError) as error:
        run_experiment(study, layers=_stand_in(0.0))
    assert "fsl" in error.value.problem


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"study.cohort": 1}, "study.cohort"),
        ({"study.colour": 1}, "study"),
        ({"imaging": {"sessions": ["1 d", "0 h"]}}, "imaging.sessions"),
        ({"imaging": {"sessions": ["1"]}}, "imaging.sessions[0]"),
        ({"arms": [{"name": "a", "condition": "sad"}]}, "arms[0].condition"),
        ({"arms": [{"name": "a", "condition": ["csds"]}]}, "arms[0].condition"),
        ({"arms": [{"name": "a"}, {"name": "a"}]}, "arms"),
        ({"arms": [{"name": "a", "doses": [{"compound": "ketamine", "dose": "10 mg"}]}]},
         "arms[0].doses[0].dose"),
        ({"arms": [{"name": "a", "doses": [{"compound": "ketamine", "dose": "10 mg/kg i.p.",
                                             "time": "1 kg"}]}]}, "arms[0].doses[0].time"),
        ({"slice_ltp": {"protocol": "no_such_protocol"}}, "slice_ltp.protocol"),
        ({"study.spines": None}, "study.spines"),
    ],
)
def test_bad_tables_name_the_field(change, field):
    with pytest.raises(InputError) as error:
        _study(**change)
    assert error.value.field.startswith(field)


def test_unknown_study_kind_is_an_error():
    with pytest.raises(InputError):
        study_from_dict({"study": {"kind": "in_vivo"}})


def test_real_exposure_starts_at_the_dose_and_doses_superpose():
    from synpharm.experiments._chain import DoseEvent, brain_exposure

    layers = default_layers()
    times = np.array([-HOUR, 0.0, 0.5 * HOUR, HOUR, 2 * HOUR, 3 * HOUR])
    dose = DoseEvent("ketamine", "10 mg/kg i.p.", 0.0)
    one = brain_exposure(layers, [dose], "mouse", times, "brain")["ketamine"]
    assert one[0] == 0.0 and one[1] == 0.0 and one[2] > 0.0
    twice = brain_exposure(layers, [dose, dose], "mouse", times, "brain")["ketamine"]
    np.testing.assert_allclose(twice, 2.0 * one, rtol=1e-9, atol=1e-15)
    later = DoseEvent("ketamine", "10 mg/kg i.p.", HOUR)
    shifted = brain_exposure(layers, [later], "mouse", times, "brain")["ketamine"]
    np.testing.assert_allclose(shifted[[3, 4, 5]], one[[1, 3, 4]], rtol=1e-9, atol=1e-15)
    assert np.all(shifted[:3] == 0.0)


# ---------------------------------------------------------------- constant brain levels (blockers)


def test_brain_concentrations_are_held_constant_and_reach_the_signalling_layer():
    seen = {}

    def exposure(compound, events, species, times, site):
        return np.zeros_like(times)

    def signaling(concentrations, times, region, ablations):
        seen.update({k: np.asarray(v).copy() for k, v in concentrations.items()})
        ones = np.ones_like(times)
        return {"synaptic_protein": ones, "bdnf": ones}

    study = _study(arms=[
        {"name": "saline"},
        {"name": "rapamycin",
         "brain_concentrations": [{"compound": "rapamycin", "concentration": "100 nM"}]},
    ])
    assert study.arms[1].brain_concentrations == (("rapamycin", pytest.approx(1e-4)),)
    run_experiment(study, layers=Layers(exposure, signaling, default_layers(spines=True).spines))
    assert np.allclose(seen["rapamycin"], 1e-4)


@pytest.mark.parametrize("bad", [
    [{"compound": "rapamycin", "concentration": "100 mg"}],
    [{"compound": "rapamycin"}],
    "rapamycin",
])
def test_bad_brain_concentrations_are_input_errors(bad):
    with pytest.raises(InputError):
        _study(arms=[{"name": "x", "brain_concentrations": bad}])

"""VEP-LTP crossover study: the closed-form calcium rule, session factors, the study object.

The pharmacokinetics and signalling layers are replaced by synthetic curves (stand-ins), so these
tests check the study's own logic; tests/science/test_ketamine_invivo.py runs the real chain.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.errors import InputError
from synpharm.experiments import run as run_experiment
from synpharm.experiments import study_from_dict
from synpharm.experiments._chain import Layers
from synpharm.experiments.vep import VepStudy, session_factors
from synpharm.model.plasticity.closed_form import (
    advance_quiet,
    calcium_rule,
    periodic_time_above,
    tetanus_early_phase,
)
from synpharm.parameters import load_parameter_set, package_parameter_file

SLICE = load_parameter_set(package_parameter_file("ca1_slice"))
VEP = load_parameter_set(package_parameter_file("vep_visual_cortex"))
COUPLING = load_parameter_set(package_parameter_file("synaptic_protein_coupling"))
MDD = load_parameter_set(package_parameter_file("conditions_major_depression"))
RULE = calcium_rule(SLICE)


def _stand_in(protein_rise: float, concentration: float = 1e-4) -> Layers:
    """Exponentially decaying exposure; synaptic protein rising to 1 + protein_rise."""

    def exposure(compound, events, species, times, site):
        return concentration * np.exp(-times / 7200.0)

    def signaling(concentrations, times, region, ablations):
        return {"synaptic_protein": 1.0 + protein_rise * (1.0 - np.exp(-times / 3600.0))}

    return Layers(exposure, signaling)


def _study(condition: str = "major_depression", cohort: int = 20, **study) -> VepStudy:
    data = {
        "study": {"kind": "vep_ltp_crossover", "name": "vep", "condition": condition,
                  "cohort": cohort, "seed": 3, **study},
        "arms": [
            {"name": "placebo"},
            {"name": "ketamine",
             "doses": [{"compound": "ketamine", "dose": "0.44 mg/kg IV over 40 min"}]},
        ],
    }
    study_object = study_from_dict(data, "test")
    assert isinstance(study_object, VepStudy)
    return study_object


# ---------------------------------------------------------------- closed forms


def test_time_above_of_an_isolated_transient_is_tau_log_ratio():
    # far-apart stimuli: the periodic peak equals the jump
    assert periodic_time_above(np.array(3.0), 1.0, 100.0, 0.014) == pytest.approx(
        0.014 * math.log(3.0), rel=1e-9
    )


def test_time_above_is_zero_below_threshold_and_whole_period_when_never_below():
    assert periodic_time_above(np.array(0.5), 1.0, 0.1, 0.014) == 0.0
    # tau >> period: calcium accumulates and never falls below the threshold
    assert periodic_time_above(np.array(1.0), 2.0, 0.001, 1.0) == pytest.approx(0.001)


@given(
    st.floats(0.01, 20.0), st.floats(0.01, 20.0), st.floats(0.01, 1.0), st.floats(0.002, 0.05)
)
@settings(max_examples=60, deadline=None)
def test_time_above_is_bounded_and_monotone_in_the_jump(a, b, period, tau):
    low, high = sorted((a, b))
    t_low = periodic_time_above(np.array(low), 3.0, period, tau)
    t_high = periodic_time_above(np.array(high), 3.0, period, tau)
    assert 0.0 <= t_low <= t_high <= period


def _brute_force_train(h0, jump, n, period, rule, dt=2e-5):
    """Step-by-step integration of the rule through a periodic train (reference)."""
    h, ca = h0, 0.0
    steps = round(period / dt)
    decay = math.exp(-dt / rule.tau_calcium)
    for _ in range(n):
        ca += jump
        for _ in range(steps):
            ca *= decay
            if ca > rule.theta_d:
                rate = -rule.gamma_d * h
                if ca > rule.theta_p:
                    rate += rule.gamma_p * (rule.h_max - h)
                h += dt * rate / rule.tau_h
    return h


@pytest.mark.parametrize("jump", [2.0, 4.0, 7.0])
def test_tetanus_closed_form_matches_step_integration(jump):
    no_noise = type(RULE)(**{**RULE.__dict__, "h_noise": 0.0})
    n, period = 30, 1.0 / 9.0
    rng = np.random.default_rng(0)
    closed = tetanus_early_phase(np.array([1.0]), np.array([jump]), n, period, no_noise, rng)
    reference = _brute_force_train(1.0, jump, n, period, no_noise)
    assert closed[0] == pytest.approx(reference, abs=2e-3)


def test_tetanus_potentiates_strong_and_depresses_intermediate_calcium():
    rng = np.random.default_rng(1)
    no_noise = type(RULE)(**{**RULE.__dict__, "h_noise": 0.0})
    h = tetanus_early_phase(np.ones(3), np.array([0.5, 2.0, 8.0]), 1080, 1 / 9, no_noise, rng)
    assert h[0] == 1.0  # below the depression threshold: untouched
    assert h[1] < 1.0 < h[2] <= RULE.h_max


@given(st.floats(0.0, 20.0), st.integers(1, 2000))
@settings(max_examples=40, deadline=None)
def test_tetanus_weights_stay_in_bounds(jump, n):
    h = tetanus_early_phase(np.ones(4), np.full(4, jump), n, 0.1, RULE,
                            np.random.default_rng(n))
    assert np.all((h >= 0.0) & (h <= RULE.h_max))


def test_quiet_period_relaxes_early_phase_and_captures_tagged_synapses():
    h = np.array([[1.0, 1.8, 0.4]])
    z = np.zeros((1, 3))
    protein = np.zeros(1)
    h1, z1, p1 = advance_quiet(h, z, protein, 600.0, RULE, np.ones(1))
    assert abs(h1[0, 1] - 1.0) < 0.8 and abs(h1[0, 2] - 1.0) < 0.6  # relaxing towards 1
    assert h1[0, 0] == 1.0 and z1[0, 0] == 0.0  # untagged: unchanged
    assert z1[0, 1] > 0.0 > z1[0, 2]  # potentiated and depressed tags capture
    assert 0.0 < p1[0] < 1.0


def test_capture_gate_speeds_late_phase():
    h = np.array([[1.8, 1.8]])
    z = np.zeros((1, 2))
    slow = advance_quiet(h, z, np.zeros(1), 1800.0, RULE, np.array([1.0]))[1]
    fast = advance_quiet(h, z, np.zeros(1), 1800.0, RULE, np.array([1.5]))[1]
    assert np.all(fast > slow)


# ---------------------------------------------------------------- session factors


def test_baseline_protein_and_no_drug_give_unit_factors():
    f = session_factors(np.ones(3), {}, None, VEP, SLICE, COUPLING)
    for key in ("ampa", "calcium", "capture", "nmda_available"):
        np.testing.assert_allclose(f[key], 1.0)


def test_more_synaptic_protein_raises_ampa_calcium_and_capture():
    low = session_factors(np.array([1.0]), {}, None, VEP, SLICE, COUPLING)
    high = session_factors(np.array([1.2]), {}, None, VEP, SLICE, COUPLING)
    for key in ("ampa", "calcium", "capture"):
        assert high[key][0] > low[key][0]


def test_residual_ketamine_blocks_nmda_channels_more_at_higher_concentration():
    weak = session_factors(np.ones(1), {"ketamine": 1e-4}, None, VEP, SLICE, COUPLING)
    strong = session_factors(np.ones(1), {"ketamine": 1e-2}, None, VEP, SLICE, COUPLING)
    assert 1.0 > weak["nmda_available"][0] > strong["nmda_available"][0]
    assert strong["calcium"][0] < weak["calcium"][0] < 1.0


def test_major_depression_lowers_the_calcium_factor():
    healthy = session_factors(np.ones(1), {}, None, VEP, SLICE, COUPLING)
    mdd = session_factors(np.ones(1), {}, MDD, VEP, SLICE, COUPLING)
    assert mdd["calcium"][0] < healthy["calcium"][0]


# ---------------------------------------------------------------- the study


def test_crossover_result_pairs_the_same_subjects_in_both_arms():
    result = run_experiment(_study(), layers=_stand_in(0.2))
    names = [c.name for c in result.conditions]
    assert names == ["placebo", "ketamine"]
    placebo, ketamine = result.conditions
    n = placebo.readouts["p2_potentiation_percent"].n
    assert n == ketamine.readouts["p2_potentiation_percent"].n == 20
    # each subject sees each arm once, orders counterbalanced
    sessions = placebo.readouts["session"].values + ketamine.readouts["session"].values
    np.testing.assert_array_equal(sessions, np.full(n, 3.0))
    assert set(placebo.readouts["session"].values) == {1.0, 2.0}


def test_more_synaptic_protein_enhances_p2_potentiation():
    none = run_experiment(_study(), layers=_stand_in(0.0))
    rise = run_experiment(_study(), layers=_stand_in(0.3))
    gain_none = _arm_mean(none, "ketamine") - _arm_mean(none, "placebo")
    gain_rise = _arm_mean(rise, "ketamine") - _arm_mean(rise, "placebo")
    assert gain_rise > gain_none + 5.0


def test_residual_drug_without_protein_change_does_not_enhance_potentiation():
    result = run_experiment(_study(cohort=30), layers=_stand_in(0.0, concentration=5e-3))
    assert _arm_mean(result, "ketamine") < _arm_mean(result, "placebo")


def test_major_depression_weakens_plasticity_under_placebo():
    healthy = run_experiment(_study("healthy"), layers=_stand_in(0.0))
    mdd = run_experiment(_study("major_depression"), layers=_stand_in(0.0))
    assert _arm_mean(mdd, "placebo") < _arm_mean(healthy, "placebo")


def test_same_seed_same_result_and_other_seed_differs():
    a = run_experiment(_study(), layers=_stand_in(0.2)).summary()
    b = run_experiment(_study(), layers=_stand_in(0.2)).summary()
    c = run_experiment(_study(), seed=4, layers=_stand_in(0.2)).summary()
    assert a == b
    assert a != c


def test_outputs_are_written_at_once(tmp_path):
    result = run_experiment(_study(cohort=4), layers=_stand_in(0.2))
    out = result.write_outputs(tmp_path / "vep")
    assert {p.name for p in out.iterdir()} == {
        "summary.json", "readouts.csv", "figure.png", "figure.svg", "synpharm-manifest.json"
    }
    assert "p2_potentiation_percent" in (out / "readouts.csv").read_text()


def _arm_mean(result, name):
    condition = next(c for c in result.conditions if c.name == name)
    return condition.readouts["p2_potentiation_percent"].mean


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"condition": "sad"}, "study.condition"),
        ({"condition": ["major_depression"]}, "study.condition"),
        ({"post_tetanus": ["4 min", "2 min"]}, "study.post_tetanus"),
        ({"post_tetanus": ["2"]}, "study.post_tetanus[0]"),
        ({"dose_to_tetanus": "3.5 mg"}, "study.dose_to_tetanus"),
        ({"cohort": 1}, "study.cohort"),
        ({"colour": "red"}, "study"),
    ],
)
def test_bad_study_tables_name_the_field(change, field):
    with pytest.raises(InputError) as error:
        _study(**change)
    assert error.value.field == field


def test_bad_dose_and_single_arm_are_errors():
    data = {"study": {"kind": "vep_ltp_crossover", "name": "x"},
            "arms": [{"name": "a"}, {"name": "b", "doses": [{"compound": "ketamine",
                                                             "dose": "0.44 IV"}]}]}
    with pytest.raises(InputError):
        study_from_dict(data)
    with pytest.raises(InputError) as error:
        study_from_dict({"study": {"kind": "vep_ltp_crossover", "name": "x"},
                         "arms": [{"name": "a"}]})
    assert error.value.field == "arms"

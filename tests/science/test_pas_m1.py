"""Human M1 / PAS25 science: timing-dependent calcium plasticity, GIRK mechanism, MEPs, numerics."""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.compounds import load_compound
from synpharm.experiments import load_experiment
from synpharm.experiments import run as run_experiment
from synpharm.model.plasticity import closed_form as rule
from synpharm.pharmacology import drug_effects
from synpharm.preparations import human_motor_cortex as m1
from synpharm.protocols.library import library_protocol_path

PARAMS = m1.load_parameters()
CONTROL = m1.gabab_state(PARAMS, np.zeros((1, 1)), np.zeros((1, 1)))


def _efficacy_after_pas(state, arrival=None, pairs=90, bap=None, params=PARAMS):
    arrival = params["n20_latency"] + params["sensorimotor_delay"] if arrival is None else arrival
    bap = params["bap_amplitude"] if bap is None else bap
    _, calcium = m1.pairing_calcium(params, np.full((1, 1), arrival), np.ones((1, 1)),
                                    np.full((1, 1), bap), state, 0.025)
    times = rule.threshold_times(params, calcium, m1.CALCIUM_GRID_STEP)
    h = np.ones((1, 1))
    for _ in range(pairs):
        h = rule.early_phase_after_pairing(params, h, times, 10.0)
    return float(h[0, 0]), float(calcium.max())


def _baclofen_state(uM, girk=True):
    effects = drug_effects([(load_compound("baclofen"), np.full((1, 1), uM * 1e-3))])
    return m1.gabab_state(PARAMS, effects.gabab_postsynaptic_occupancy,
                          effects.gabab_presynaptic_glutamatergic_occupancy, girk)


def test_afferent_input_before_the_tms_spike_potentiates_and_after_it_depresses():
    before, _ = _efficacy_after_pas(CONTROL, arrival=0.020)  # input 6.5 ms before the spike
    after, _ = _efficacy_after_pas(CONTROL, arrival=0.030)  # input 3.5 ms after the spike
    assert before > 1.1
    assert after < 0.95


def test_no_pairing_no_change_and_efficacy_stays_bounded():
    quiet = rule.relax_early_phase(PARAMS, np.array([1.0, 1.8, 0.4]), 1e6)
    np.testing.assert_allclose(quiet, 1.0, atol=1e-9)
    h, _ = _efficacy_after_pas(CONTROL, arrival=0.020, pairs=2000)
    assert 1.0 < h <= PARAMS["early_phase_max"]


def test_girk_activation_hyperpolarises_shunts_and_lowers_spine_calcium():
    rest, peaks = [], []
    for uM in (0.0, 0.2, 1.0, 5.0):
        state = _baclofen_state(uM)
        rest.append(float(state.resting_potential[0, 0]))
        peaks.append(_efficacy_after_pas(state)[1])
    assert all(np.diff(rest) < 0) and all(np.diff(peaks) < 0)
    assert rest[-1] > PARAMS["potassium_reversal"]


def test_baclofen_suppresses_pas_ltp_through_girk_not_presynaptic_inhibition():
    control, _ = _efficacy_after_pas(CONTROL)
    with_girk, _ = _efficacy_after_pas(_baclofen_state(0.3))
    without_girk, _ = _efficacy_after_pas(_baclofen_state(0.3, girk=False))
    assert with_girk < control - 0.05
    assert (control - without_girk) < 0.3 * (control - with_girk)


def test_more_magnesium_block_means_less_ltp():
    control, _ = _efficacy_after_pas(CONTROL)
    more_mg = PARAMS.with_values(mg_concentration=2.0e0)
    blocked, _ = _efficacy_after_pas(m1.gabab_state(more_mg, np.zeros((1, 1)), np.zeros((1, 1))),
                                     params=more_mg)
    assert blocked < control


def test_nmda_calcium_matches_the_closed_form_at_rest():
    grid = np.arange(0.0, 0.15, m1.CALCIUM_GRID_STEP)
    gating = np.exp(-grid / PARAMS["nmda_decay_time"])
    filtered = m1._filtered_nmda(PARAMS, gating)
    tn, tc = PARAMS["nmda_decay_time"], PARAMS["calcium_decay_time"]
    exact = tn * tc / (tn - tc) * (np.exp(-grid / tn) - np.exp(-grid / tc))
    assert np.max(np.abs(filtered - exact)) < 0.01 * exact.max()


def test_exact_plasticity_update_agrees_with_fine_euler_steps():
    times = rule.ThresholdTimes(np.array([0.004]), np.array([0.012]), np.array([0.009]))
    exact = rule.early_phase_after_pairing(PARAMS, np.array([1.2]), times, 10.0)[0]
    tau, r = PARAMS["early_phase_time_constant"], PARAMS["early_phase_relaxation"]
    gp, gd, hm = PARAMS["potentiation_rate"], PARAMS["depression_rate"], PARAMS["early_phase_max"]
    h, dt = 1.2, 1e-5
    for duration, p, d in ((0.004, 0, 1), (0.012, 1, 1), (0.009, 0, 1), (10.0 - 0.025, 0, 0)):
        step = dt if duration < 1 else 1e-3
        for _ in range(round(duration / step)):
            h += step * (r * (1 - h) + p * gp * (hm - h) - d * gd * h) / tau
    assert exact == pytest.approx(h, rel=1e-5)


def test_test_intensity_gives_the_test_mep_and_mep_rises_with_efficacy():
    subjects = m1.draw_subjects(PARAMS, 50, np.random.default_rng(0))
    shift = np.zeros(50)
    intensity = m1.intensity_for_test_mep(PARAMS, subjects, shift)
    baseline = m1.mep_amplitude(PARAMS, subjects, intensity, np.ones(50), shift, shift)
    np.testing.assert_allclose(baseline, PARAMS["test_mep_amplitude"], rtol=1e-9)
    potentiated = m1.mep_amplitude(PARAMS, subjects, intensity, np.full(50, 1.2), shift, shift)
    assert np.all(potentiated > baseline) and np.all(potentiated < subjects.mep_max)


def test_mep_trial_noise_is_log_normal_with_the_declared_spread():
    blocks = m1.observed_mep_block(PARAMS, np.full(4000, 1e-3), 1, np.random.default_rng(1))
    assert np.mean(blocks) == pytest.approx(1e-3, rel=0.05)
    assert np.std(blocks) / np.mean(blocks) == pytest.approx(PARAMS["mep_trial_cv"], rel=0.1)
    averaged = m1.observed_mep_block(PARAMS, np.full(4000, 1e-3), 20, np.random.default_rng(1))
    assert np.std(averaged) < 0.4 * np.std(blocks)


@pytest.fixture(scope="module")
def cohort():
    study = load_experiment(library_protocol_path("pas25_baclofen_crossover"))
    return run_experiment(study, cohort=96, seed=21)


def test_pas_responses_vary_with_a_realistic_share_of_non_responders(cohort):
    placebo = cohort.conditions[0].readouts
    responders = placebo["pas_responder"].mean
    assert 0.4 < responders < 0.85  # Muller-Dahlhaus et al. 2008: 14 of 27 LTP-like
    ratio = placebo["mep_ratio"].values
    assert ratio.min() < 0.9 and ratio.max() > 1.5


def test_baclofen_lowers_pas_potentiation_in_a_large_cohort(cohort):
    stats = cohort.analyses["crossover"]["readouts"]["mep_ratio"]
    assert stats["paired_difference"] < 0 and stats["paired_p"] < 0.05
    early = cohort.analyses["crossover"]["readouts"]["early_phase_efficacy"]
    assert early["paired_difference"] < 0


def test_resting_mep_changes_little_under_baclofen(cohort):
    stats = cohort.analyses["crossover"]["readouts"]["resting_mep_change_percent"]
    assert abs(stats["paired_difference"]) < 20.0  # McDonnell et al. 2006: no change


def test_calcium_blocks_setting_has_converged(monkeypatch):
    from synpharm.experiments import _pas_simulation

    study = load_experiment(library_protocol_path("pas25_baclofen_crossover"))
    coarse = run_experiment(study, cohort=12, seed=2).conditions[1].readouts[
        "early_phase_efficacy"].values
    monkeypatch.setattr(_pas_simulation, "CALCIUM_BLOCKS", 9)
    fine = run_experiment(study, cohort=12, seed=2).conditions[1].readouts[
        "early_phase_efficacy"].values
    np.testing.assert_allclose(coarse, fine, atol=0.02)

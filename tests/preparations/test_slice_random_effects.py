"""Slice-level random effects: their draws, and how each acts in the compiled kernels."""

from __future__ import annotations

import math

import numpy as np
import pytest

from synpharm.model import slice_state as L
from synpharm.preparations.ca1_slice import (
    _RANDOM_EFFECTS,
    ca1_slice,
    draw_slices,
    recorded_field_gain,
    slice_constants,
    slice_random_effects,
)
from synpharm.solvers.run import EngineSettings, run_schedule

_OFF = {name: 0.0 for name in _RANDOM_EFFECTS}


def _prep(**values: float):
    return ca1_slice(ca1_slice().parameters.with_values(**{**_OFF, **values}))


def _population(prep, n: int = 3, seed: int = 11):
    return draw_slices(prep, np.random.SeedSequence(seed).spawn(n))


def test_without_spread_the_effects_are_neutral_and_the_synapse_draws_unchanged():
    off, on = _population(_prep()), _population(ca1_slice())
    np.testing.assert_array_equal(off.slices[:, L.INHIBITION_SCALE], 1.0)
    np.testing.assert_array_equal(off.slices[:, L.EXPRESSION_SCALE], 1.0)
    np.testing.assert_array_equal(off.slices[:, L.THRESHOLD_SHIFT], 0.0)
    np.testing.assert_array_equal(off.slices[:, L.FIELD_DRIFT], 0.0)
    # the effects are drawn after everything else: synapses, gains and streams do not move
    for name in ("n_sites", "recruitment_threshold", "safety_factor", "ampa_weight", "rng"):
        np.testing.assert_array_equal(getattr(off, name), getattr(on, name))
    np.testing.assert_array_equal(off.slices[:, L.FIELD_GAIN], on.slices[:, L.FIELD_GAIN])


def test_a_parameter_missing_from_the_set_means_no_variability():
    rng = np.random.default_rng(0)
    assert slice_random_effects(rng, {}) == {
        "release_scale": 1.0, "inhibition_scale": 1.0, "threshold_shift": 0.0,
        "expression_scale": 1.0, "field_drift": 0.0,
    }


def test_factors_are_lognormal_with_mean_one_and_the_stated_cv():
    params = {"inhibition_between_slice_cv": 0.3, "spike_threshold_between_slice_sd": 0.002}
    draws = [slice_random_effects(np.random.default_rng(k), params) for k in range(20000)]
    factor = np.array([d["inhibition_scale"] for d in draws])
    shift = np.array([d["threshold_shift"] for d in draws])
    sigma = math.sqrt(math.log1p(0.3**2))
    assert factor.mean() == pytest.approx(1.0, abs=0.01)
    assert factor.std() / factor.mean() == pytest.approx(0.3, rel=0.05)
    assert np.log(factor).std() == pytest.approx(sigma, rel=0.03)
    assert shift.mean() == pytest.approx(0.0, abs=5e-5)
    assert shift.std() == pytest.approx(0.002, rel=0.03)


def test_the_release_factor_scales_every_synapse_of_a_slice():
    off, on = _population(_prep()), _population(_prep(release_probability_between_slice_cv=0.3))
    p_max = ca1_slice().parameters["release_probability_max"]
    p_off = p_max / (1.0 + off.release_half_power)
    p_on = p_max / (1.0 + on.release_half_power)
    free = (p_off > 2e-3) & (p_off < 0.5) & (p_on > 2e-3) & (p_on < 0.89)  # away from the clip
    for s in range(p_on.shape[0]):
        ratio = p_on[s, free[s]] / p_off[s, free[s]]
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)
    assert np.ptp([np.median(p_on[s] / p_off[s]) for s in range(3)]) > 0.01


def test_recorded_field_gain_runs_down_exponentially():
    slices = np.zeros((2, L.N_SLICE_COLUMNS))
    slices[:, L.FIELD_GAIN] = [1e-3, 2e-3]
    slices[:, L.FIELD_DRIFT] = [0.0, -1e-4]
    gain = recorded_field_gain(slices, np.array([0.0, 3600.0]))
    np.testing.assert_allclose(gain, [[1e-3, 1e-3], [2e-3, 2e-3 * math.exp(-0.36)]], rtol=1e-12)


def _pulses(pop, times, dense, end):
    prep = _prep()
    drugs = np.zeros((pop.slices.shape[0], L.N_DRUG_COLUMNS))
    drugs[:, [L.PRE_CALCIUM, L.GABA_PRE_CALCIUM, L.NMDA_AVAILABLE, L.NAV_AVAILABLE]] = 1.0
    p = prep.parameters
    settings = EngineSettings(p["pulse_window"], p["train_tail"], p["isolation_gap"])
    return run_schedule(slice_constants(prep), pop, np.asarray(times, dtype=float),
                        np.full(len(times), 0.5), np.asarray(dense), lambda t: drugs,
                        settings, end).drive


def test_expression_scale_multiplies_the_expressed_weight_change():
    """Same release draws: h = 2 at half expression gives the drive of h = 1.5 at full."""
    half, full = _population(_prep()), _population(_prep())
    half.early[:] = 2.0
    half.slices[:, L.EXPRESSION_SCALE] = 0.5
    full.early[:] = 1.5
    # the pulse comes first: no quiet relaxation (and capture) of h before it
    np.testing.assert_array_equal(_pulses(half, [0.0], [False], 0.5),
                                  _pulses(full, [0.0], [False], 0.5))


def test_inhibition_scale_scales_the_gaba_released_by_interneurons():
    pops = [_population(_prep(), n=1) for _ in range(3)]
    for pop, scale in zip(pops, (0.0, 1.0, 2.0), strict=True):
        pop.slices[:, L.INHIBITION_SCALE] = scale
        _pulses(pop, [1.0], [False], 1.5)
    bound = [pop.slices[0, L.GABAB_R] for pop in pops]
    assert bound[0] == 0.0 and bound[1] > 0.0
    assert bound[2] == pytest.approx(2.0 * bound[1], rel=1e-9)  # bound = b * gaba from zero


def test_a_higher_spike_threshold_means_fewer_spikes_during_a_train():
    times = 1.0 + np.arange(100) * 0.01
    spikes = []
    for shift in (0.0, 0.005, 0.05):
        pop = _population(_prep(), n=1)
        pop.slices[:, L.THRESHOLD_SHIFT] = shift
        _pulses(pop, times, np.ones(100, bool), 3.0)
        spikes.append(pop.slices[0, L.SPIKES])
    assert spikes[0] > spikes[1] > spikes[2] == 0.0

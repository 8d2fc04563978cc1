"""Spine parameter sets: closed-form rates reproduce the observables; numerics of the kernels."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.linalg import expm

from synpharm.errors import InputError
from synpharm.structure import (
    baseline_rates,
    expected_imaging_turnover,
    load_spine_parameters,
    steady_state,
)
from synpharm.structure._parameters import generator_matrices
from synpharm.structure._simulate import (
    _filtered_step_means,
    _step_means,
    step_boundaries,
    van_loan,
)

REGIONS = ["mouse_mpfc_l5", "rat_ca1_apical"]


@pytest.mark.parametrize("region", REGIONS)
def test_derived_rates_reproduce_the_observables(region):
    params = load_spine_parameters(region)
    state = steady_state(params)
    assert state["density_per_10um"] == pytest.approx(params["spine_density_per_10um"], rel=1e-9)
    for name in ("thin_fraction", "stubby_fraction", "mushroom_fraction"):
        assert state[name] == pytest.approx(params[name], rel=1e-9)
    per_day = params["formation_per_spine"] * 86400
    assert state["formation_per_spine_per_day"] == pytest.approx(per_day, rel=1e-9)
    rates = baseline_rates(params)
    assert all(value > 0 for value in vars(rates).values())
    # mushroom spines outlive thin ones (Holtmaat et al. 2005)
    assert rates.mushroom_elimination < rates.thin_elimination < rates.new_elimination


@pytest.mark.parametrize("region", REGIONS)
def test_every_parameter_has_provenance(region):
    params = load_spine_parameters(region)
    assert all(text.strip() for text in params.citations().values())


def test_density_is_the_balance_of_formation_and_elimination():
    params = load_spine_parameters("mouse_mpfc_l5")
    rates = baseline_rates(params)
    base = steady_state(params)["density_per_10um"]
    assert steady_state(params, {"formation_scale": 2.0})["density_per_10um"] == pytest.approx(
        2 * base
    )
    elimination = np.array(
        [
            rates.new_elimination,
            rates.thin_elimination,
            rates.stubby_elimination,
            rates.mushroom_elimination,
        ]
    )
    densities = []
    for scale in (0.5, 1.0, 2.0):
        state = steady_state(params, {"elimination_scale": scale})
        live = np.array(state["live_densities_per_um"])
        # spines formed per um per second = spines eliminated per um per second
        assert rates.formation_per_um == pytest.approx(scale * elimination @ live, rel=1e-9)
        densities.append(state["density_per_10um"])
    assert densities[0] > densities[1] > densities[2]


def test_conditions_lower_density():
    mouse = load_spine_parameters("mouse_mpfc_l5")
    rat = load_spine_parameters("rat_ca1_apical")
    assert "csds_susceptible" in mouse.conditions and "fsl" in rat.conditions
    for params, condition in ((mouse, "csds_susceptible"), (rat, "fsl")):
        modified = steady_state(params, params.condition_modifiers(condition))
        assert modified["density_per_10um"] < steady_state(params)["density_per_10um"]
    with pytest.raises(InputError, match="not declared"):
        mouse.condition_modifiers("fsl")


def test_unknown_region_and_modifier_are_input_errors():
    with pytest.raises(InputError, match="no parameter set"):
        load_spine_parameters("human_v1")
    params = load_spine_parameters("mouse_mpfc_l5")
    with pytest.raises(InputError, match="not a spine modifier"):
        steady_state(params, {"growth": 2.0})
    with pytest.raises(InputError, match=">= 0"):
        steady_state(params, {"formation_scale": -1.0})


def test_inconsistent_fractions_are_rejected():
    params = load_spine_parameters("mouse_mpfc_l5").with_values(thin_fraction=0.9)
    with pytest.raises(InputError, match="sum to 1"):
        baseline_rates(params)


@pytest.mark.parametrize("step_s", [60.0, 3600.0, 4 * 86400.0, 400 * 86400.0])
def test_van_loan_matches_scipy_block_exponential(step_s):
    rates = baseline_rates(load_spine_parameters("rat_ca1_apical"))
    q, _ = generator_matrices(
        rates, np.array([1.0, 3.0]), np.array([1.0, 2.0]), np.array([1.0, 0.5]),
        1.0, np.array([0.0, 2e-6]), np.array([1e-5, 1e-3]),  # collapse and (fast) recovery
    )
    n = q.shape[-1]
    assert n == 6
    transition, integral = van_loan(q, np.array(step_s))
    for i in range(2):
        block = np.zeros((2 * n, 2 * n))
        block[:n, :n], block[:n, n:] = q[i] * step_s, np.eye(n) * step_s
        reference = expm(block)
        np.testing.assert_allclose(transition[i], reference[:n, :n], atol=1e-12)
        np.testing.assert_allclose(integral[i] / step_s, reference[:n, n:] / step_s, atol=1e-12)
    np.testing.assert_allclose(transition.sum(axis=-1), 1.0, atol=1e-12)


def test_imaging_turnover_approaches_instantaneous_rate_for_short_intervals():
    params = load_spine_parameters("mouse_mpfc_l5")
    per_day = params["formation_per_spine"] * 86400
    short = expected_imaging_turnover(params, 60.0)
    assert short["formation_rate"] == pytest.approx(per_day, rel=1e-3)
    assert short["elimination_rate"] == pytest.approx(per_day, rel=1e-3)
    # transient new spines are missed by sparse imaging: apparent turnover falls with interval
    day, week = (expected_imaging_turnover(params, d * 86400.0) for d in (1, 7))
    assert week["formation_rate"] < day["formation_rate"] < per_day


def test_step_means_are_exact_for_piecewise_linear_drives():
    times = np.array([0.0, 100.0, 250.0, 1000.0])
    values = np.array([[1.0, 3.0, 2.0, 0.5]])
    boundaries = np.array([0.0, 60.0, 180.0, 700.0, 1000.0])
    fine = np.linspace(0, 1000, 2_000_001)
    curve = np.interp(fine, times, values[0])
    expected = [curve[(fine >= a) & (fine <= b)].mean() for a, b in itertools.pairwise(boundaries)]
    np.testing.assert_allclose(_step_means(times, values, boundaries)[0], expected, rtol=1e-5)


def test_drive_filter_is_exact_first_order_lag():
    tau, step = 7200.0, 900.0
    steps = np.full(40, step)
    means = _filtered_step_means(np.full((1, 40), 2.0), np.array([1.0]), steps, tau)[0]
    ends = np.arange(1, 41) * step
    exact = 2.0 - (tau / step) * (np.exp(-(ends - step) / tau) - np.exp(-ends / tau))
    np.testing.assert_allclose(means, exact, rtol=1e-12)


def test_step_boundaries_include_grid_and_records_and_respect_max_step():
    times = np.array([0.0, 1800.0, 7200.0, 2 * 86400.0])
    bounds = step_boundaries(times, np.array([5000.0]), 3600.0)
    assert np.all(np.isin(np.append(times, 5000.0), bounds))
    assert np.diff(bounds).max() <= 3600.0 + 1e-9
    assert np.all(np.diff(bounds) > 0)

"""The fast route: collapsed (restorable) spines of deficit conditions and their ERK-driven return.

Healthy animals carry no collapsed pool; a condition's ``collapse_rate`` creates one that
imaging and histology do not count; ERK activity above baseline restores it within the
``restoration_time_constant``/``restoration_rate_max`` time scale (minutes), while the slow
formation route lags the synaptic-protein drive by ``drive_time_constant`` (hours).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.errors import InputError
from synpharm.structure import golgi_readouts, load_spine_parameters, simulate_spines
from synpharm.structure._mean_field import expected_course
from synpharm.structure._parameters import check_modifiers, steady_state
from synpharm.structure._simulate import restoration_rate

HOUR, DAY = 3600.0, 86400.0
TIMES = np.concatenate([[0.0], np.arange(1, 25) * 600.0])  # 0-4 h in 10-min steps


def _step(level: float) -> np.ndarray:
    """A drive at baseline at t = 0 and at ``level`` from the first grid step on."""
    drive = np.full(TIMES.size, level)
    drive[0] = 1.0
    return drive


def test_healthy_animals_have_no_collapsed_pool():
    for name in ("mouse_mpfc_l5", "rat_ca1_apical"):
        params = load_spine_parameters(name)
        assert steady_state(params)["collapsed_per_10um"] == 0.0
        assert check_modifiers(None)["collapse_rate"] == 0.0


@pytest.mark.parametrize(("name", "condition"),
                         [("rat_ca1_apical", "fsl"), ("mouse_mpfc_l5", "csds_susceptible")])
def test_deficit_conditions_declare_a_restorable_pool(name, condition):
    params = load_spine_parameters(name)
    mods = params.condition_modifiers(condition)
    assert mods["collapse_rate"] > 0
    ill, healthy = steady_state(params, mods), steady_state(params)
    assert ill["collapsed_per_10um"] > 0
    assert ill["density_per_10um"] < healthy["density_per_10um"]


def test_erk_restores_collapsed_spines_within_an_hour_protein_does_not():
    params = load_spine_parameters("rat_ca1_apical")
    mods = params.condition_modifiers("fsl")
    base = steady_state(params, mods)
    erk = expected_course(params, TIMES, {"erk": _step(1.3)}, mods)
    protein = expected_course(params, TIMES, {"synaptic_protein": _step(1.3)}, mods)
    at_1h = int(np.argmin(np.abs(erk["times_s"] - HOUR)))
    restored = erk["density_per_10um"][0, at_1h] - base["density_per_10um"]
    assert restored > 0.5 * base["collapsed_per_10um"]
    assert erk["collapsed_per_10um"][0, at_1h] < 0.5 * base["collapsed_per_10um"]
    # the slow, protein-driven formation route changes density by far less within the hour
    slow = protein["density_per_10um"][0, at_1h] - base["density_per_10um"]
    assert abs(slow) < 0.1 * restored


def test_erk_does_nothing_without_a_collapsed_pool():
    params = load_spine_parameters("rat_ca1_apical")
    course = expected_course(params, TIMES, {"erk": _step(1.5)})
    np.testing.assert_allclose(course["density_per_10um"], 28.9, rtol=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 3.0), st.floats(0.0, 3.0))
def test_restoration_rate_is_monotone_and_saturating(a, b):
    params = load_spine_parameters("mouse_mpfc_l5")
    low, high = sorted((a, b))
    r_low, r_high = restoration_rate(params, 1.0 + low), restoration_rate(params, 1.0 + high)
    assert r_low <= r_high + 1e-18
    ceiling = params["collapsed_recovery_rate"] + params["restoration_rate_max"]
    assert r_high <= ceiling
    # ERK at or below baseline: only the spontaneous recovery
    assert restoration_rate(params, 1.0 - low) == pytest.approx(params["collapsed_recovery_rate"])


def test_collapsed_spines_are_not_counted_by_histology():
    params = load_spine_parameters("rat_ca1_apical").with_values(between_animal_density_cv=0.0)
    mods = params.condition_modifiers("fsl")
    times = np.array([0.0, HOUR])
    pop = simulate_spines(params, times, {}, 40, 6, seed=3, modifiers=mods)
    golgi = golgi_readouts(pop, HOUR)
    expected = steady_state(params, mods)["density_per_10um"]
    # Poisson counts: 40 animals x 6 segments x 30 um; 5 standard errors
    n_um = 40 * 6 * params.segment_length_um
    se = 10.0 * np.sqrt(expected / 10.0 / n_um)
    assert golgi["density_per_10um"].mean() == pytest.approx(expected, abs=5 * se)
    state, _ = pop.state_at(HOUR)
    assert (state == 5).sum() > 0  # the pool exists in the simulation, just unseen


def test_unknown_drive_is_rejected():
    params = load_spine_parameters("mouse_mpfc_l5")
    with pytest.raises(InputError, match="not a spine drive"):
        simulate_spines(params, TIMES, {"camp": np.ones(TIMES.size)}, 2, 2, seed=0)

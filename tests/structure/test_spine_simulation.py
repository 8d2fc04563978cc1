"""Stochastic spine populations: steady state, turnover, drive effects, identity, determinism."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.errors import InputError
from synpharm.structure import (
    expected_course,
    expected_imaging_turnover,
    golgi_readouts,
    imaging_readouts,
    load_spine_parameters,
    simulate_spines,
    steady_state,
)

DAY = 86400.0


def _no_animal_spread(region: str):
    return load_spine_parameters(region).with_values(between_animal_density_cv=0.0)


@pytest.fixture(scope="module")
def stationary():
    """100 mouse animals x 5 segments for 7 days at baseline drive (Poisson statistics)."""
    params = _no_animal_spread("mouse_mpfc_l5")
    times = np.arange(8) * DAY
    # constant rates: the transitions are exact for any step, so 6-h steps suffice
    population = simulate_spines(
        params, times, {}, n_animals=100, segments_per_animal=5, seed=11, max_step_s=6 * 3600.0
    )
    return params, times, population


def test_density_stays_at_the_analytic_steady_state(stationary):
    params, times, population = stationary
    expected = steady_state(params)["density_per_10um"]
    imaging = imaging_readouts(population, times)
    length = population.n_animals * population.segments_per_animal * population.segment_length_um
    n_spines = expected * length / 10.0
    standard_error = expected / np.sqrt(n_spines)  # the stationary counts are Poisson
    cohort_mean = imaging["density_per_10um"].mean(axis=0)
    assert np.all(np.abs(cohort_mean - expected) < 4 * standard_error)


def test_imaging_turnover_matches_the_closed_form(stationary):
    params, times, population = stationary
    expected = expected_imaging_turnover(params, DAY)
    imaging = imaging_readouts(population, times)
    for key in ("formation_rate", "elimination_rate"):
        measured = np.nanmean(imaging[key])
        # ~1,500 events over the 7 intervals: relative standard error ~3 %
        assert measured == pytest.approx(expected[key], rel=0.12)


def test_golgi_fractions_match_the_closed_form(stationary):
    params, times, population = stationary
    expected = steady_state(params)
    golgi = golgi_readouts(population, times[-1])
    n_total = golgi["n_spines"].sum()
    for name in ("thin_fraction", "stubby_fraction", "mushroom_fraction"):
        pooled = (golgi[name] * golgi["n_spines"]).sum() / n_total
        standard_error = np.sqrt(expected[name] * (1 - expected[name]) / n_total)
        assert abs(pooled - expected[name]) < 4 * standard_error


def test_gained_and_lost_spines_account_for_the_density_change(stationary):
    _, times, population = stationary
    imaging = imaging_readouts(population, times)
    length = population.segments_per_animal * population.segment_length_um
    counts = np.rint(imaging["density_per_10um"] * length / 10.0)
    gained = np.rint(imaging["gained_fraction"] * counts[:, :-1])
    lost = np.rint(imaging["lost_fraction"] * counts[:, :-1])
    np.testing.assert_array_equal(counts[:, 1:], counts[:, :-1] + gained - lost)


def test_drive_of_one_changes_nothing():
    params = load_spine_parameters("rat_ca1_apical")
    times = np.arange(0.0, 2 * DAY + 1, 1800.0)
    ones = np.ones(times.size)
    plain = simulate_spines(params, times, {}, 4, 3, seed=5)
    explicit = simulate_spines(
        params, times, {"synaptic_protein": ones, "bdnf": np.ones((4, times.size))}, 4, 3, seed=5
    )
    for name in ("initial_state", "initial_ids", "event_step", "event_state", "event_id"):
        np.testing.assert_array_equal(getattr(plain, name), getattr(explicit, name))


def _protein_step(times: np.ndarray, level: float) -> np.ndarray:
    return np.where(times > 0, level, 1.0)


def test_synaptic_protein_raises_formation_and_mushroom_fraction():
    params = load_spine_parameters("mouse_mpfc_l5")
    times = np.arange(0.0, 3 * DAY + 1, 3600.0)
    sessions = np.arange(4) * DAY
    results = {}
    for level in (1.0, 2.0):
        drive = {"synaptic_protein": _protein_step(times, level)}
        population = simulate_spines(params, times, drive, 60, 4, seed=21)
        results[level] = (
            imaging_readouts(population, sessions),
            golgi_readouts(population, 3 * DAY),
        )
    (image0, golgi0), (image1, golgi1) = results[1.0], results[2.0]

    def separated(high: np.ndarray, low: np.ndarray) -> bool:
        difference = np.nanmean(high) - np.nanmean(low)
        spread = np.sqrt(np.nanvar(high) / high.size + np.nanvar(low) / low.size)
        return bool(difference > 3 * spread)

    assert separated(
        image1["formation_rate"][:, 1:].mean(1), image0["formation_rate"][:, 1:].mean(1)
    )
    assert separated(golgi1["mushroom_fraction"], golgi0["mushroom_fraction"])
    # same seed and drive 1 at t = 0: the same animals, so density is compared pairwise
    gain = golgi1["density_per_10um"] - golgi0["density_per_10um"]
    assert gain.mean() > 3 * gain.std(ddof=1) / np.sqrt(gain.size)


def test_drive_acts_with_the_structural_lag():
    params = load_spine_parameters("mouse_mpfc_l5")
    times = np.arange(0.0, 2 * DAY + 1, 3600.0)
    population = simulate_spines(params, times, {"bdnf": _protein_step(times, 3.0)}, 2, 1, seed=0)
    formation = population.formation_per_um_per_day[0]
    tau_h = params["drive_time_constant"] / 3600.0
    # formation rises with the filtered drive: ~63 % of its final change after one time constant
    rise = (formation - formation[0]) / (formation[-1] - formation[0])
    assert rise[round(tau_h) - 1] == pytest.approx(1 - np.exp(-1), abs=0.05)


def test_maturation_follows_its_own_shorter_lag():
    """Existing spines enlarge with ``maturation_time_constant`` (1 h); formation keeps the
    12 h lag. Equal lags slow the early mushroom rise and leave formation unchanged."""
    params = load_spine_parameters("mouse_mpfc_l5")
    assert params["maturation_time_constant"] < params["drive_time_constant"]
    times = np.arange(0.0, 6 * 3600.0 + 1, 600.0)
    drive = {"synaptic_protein": _protein_step(times, 1.5)}
    fast = expected_course(params, times, drive)
    same_lag = params.with_values(maturation_time_constant=params["drive_time_constant"])
    slow = expected_course(same_lag, times, drive)
    np.testing.assert_allclose(fast["formation_per_um_per_day"], slow["formation_per_um_per_day"])
    gain_fast = fast["mushroom_fraction"][0, -1] - fast["mushroom_fraction"][0, 0]
    gain_slow = slow["mushroom_fraction"][0, -1] - slow["mushroom_fraction"][0, 0]
    assert gain_fast > 3 * gain_slow > 0


def test_per_animal_drive_and_callables():
    params = load_spine_parameters("mouse_mpfc_l5")
    times = np.arange(0.0, DAY + 1, 3600.0)
    per_animal = np.vstack([np.ones(times.size), _protein_step(times, 2.0)])
    population = simulate_spines(params, times, {"synaptic_protein": per_animal}, 2, 2, seed=3)
    first, second = population.formation_per_um_per_day[:, -1]
    assert second > first

    def wave(t):
        return 1.0 + 0.3 * np.sin(t / DAY * np.pi)

    from_callable = simulate_spines(params, times, {"bdnf": wave}, 3, 2, seed=4)
    from_array = simulate_spines(params, times, {"bdnf": wave(times)}, 3, 2, seed=4)
    np.testing.assert_array_equal(from_callable.event_id, from_array.event_id)


def test_condition_modifiers_lower_density():
    params = _no_animal_spread("mouse_mpfc_l5")
    times = np.array([0.0, DAY])
    control = simulate_spines(params, times, {}, 40, 5, seed=8)
    stressed = simulate_spines(
        params, times, {}, 40, 5, seed=8, modifiers=params.condition_modifiers("csds_susceptible")
    )
    expected = steady_state(params, params.condition_modifiers("csds_susceptible"))
    density = golgi_readouts(stressed, 0.0)["density_per_10um"]
    assert density.mean() < golgi_readouts(control, 0.0)["density_per_10um"].mean()
    assert density.mean() == pytest.approx(expected["density_per_10um"], rel=0.06)


def test_same_seed_same_population_other_seed_differs():
    params = load_spine_parameters("rat_ca1_apical")
    times = np.arange(0.0, DAY + 1, 7200.0)
    first = simulate_spines(params, times, {}, 3, 2, seed=42)
    second = simulate_spines(params, times, {}, 3, 2, seed=42)
    other = simulate_spines(params, times, {}, 3, 2, seed=43)
    for name in ("initial_state", "event_step", "event_segment", "event_slot", "event_id"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    assert not np.array_equal(first.initial_state, other.initial_state)


def test_strong_formation_grows_the_slot_grid_consistently():
    params = load_spine_parameters("mouse_mpfc_l5").with_values(drive_time_constant=0.0)
    times = np.arange(0.0, 2 * DAY + 1, 3600.0)
    population = simulate_spines(
        params, times, {"synaptic_protein": _protein_step(times, 60.0)}, 2, 2, seed=1
    )
    state0, _ = population.state_at(0.0)
    state, ids = population.state_at(2 * DAY)
    assert (state > 0).sum() > 3 * (state0 > 0).sum()
    present = ids[state > 0]
    assert np.unique(present).size == present.size
    assert np.all((ids > 0) == (state > 0))


def test_readout_times_must_be_recorded():
    params = load_spine_parameters("mouse_mpfc_l5")
    times = np.array([0.0, DAY])
    population = simulate_spines(params, times, {}, 2, 1, seed=0)
    with pytest.raises(InputError, match="not recorded"):
        golgi_readouts(population, 1800.0)
    with pytest.raises(InputError, match="outside"):
        imaging_readouts(population, [0.0, 2 * DAY])
    recorded = simulate_spines(params, times, {}, 2, 1, seed=0, record_times_s=[1800.0])
    assert golgi_readouts(recorded, 1800.0)["density_per_10um"].shape == (2,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"times_s": np.array([1.0, 2.0])}, "start at 0"),
        ({"times_s": np.array([0.0, 2.0, 1.0])}, "increase"),
        ({"drive": {"synaptic_protein": np.ones(3)}}, "shape"),
        ({"drive": {"bdnf": -np.ones(2)}}, ">= 0"),
        ({"drive": {"bdnf": np.array([1.0, np.nan])}}, "finite"),
        ({"drive": {"mtorc1": np.ones(2)}}, "not a spine drive"),
        ({"n_animals": 0}, "positive integer"),
        ({"segments_per_animal": 1.5}, "positive integer"),
        ({"modifiers": {"formation": 1.0}}, "not a spine modifier"),
        ({"modifiers": {"elimination_scale": 0.0}}, "steady state"),
    ],
)
def test_bad_input_is_an_input_error(kwargs, message):
    arguments = {
        "params": load_spine_parameters("mouse_mpfc_l5"),
        "times_s": np.array([0.0, DAY]),
        "drive": {},
        "n_animals": 2,
        "segments_per_animal": 1,
        "seed": 0,
    } | kwargs
    with pytest.raises(InputError, match=message):
        simulate_spines(**arguments)


@settings(max_examples=20, deadline=None)
@given(
    region=st.sampled_from(["mouse_mpfc_l5", "rat_ca1_apical"]),
    levels=st.lists(st.floats(0.0, 4.0), min_size=2, max_size=6),
    n_animals=st.integers(1, 3),
    segments=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_readouts_are_physical(region, levels, n_animals, segments, seed):
    params = load_spine_parameters(region)
    times = np.arange(len(levels)) * 6 * 3600.0
    drive = {"synaptic_protein": np.array(levels), "bdnf": np.array(levels[::-1])}
    population = simulate_spines(params, times, drive, n_animals, segments, seed)
    imaging = imaging_readouts(population, times)
    assert np.all(np.isfinite(imaging["density_per_10um"]))
    assert np.all(imaging["density_per_10um"] >= 0)
    for key in ("formation_rate", "elimination_rate", "gained_fraction"):
        values = imaging[key][np.isfinite(imaging[key])]
        assert np.all(values >= 0)
    lost = imaging["lost_fraction"][np.isfinite(imaging["lost_fraction"])]
    assert np.all((lost >= 0) & (lost <= 1))
    golgi = golgi_readouts(population, times[-1])
    total = golgi["thin_fraction"] + golgi["stubby_fraction"] + golgi["mushroom_fraction"]
    has_spines = golgi["n_spines"] > 0
    np.testing.assert_allclose(total[has_spines], 1.0, rtol=1e-12)
    assert np.all(np.isnan(total[~has_spines]))


def test_cohort_mean_follows_the_expected_course_under_a_drive():
    params = load_spine_parameters("mouse_mpfc_l5")
    times = np.arange(0.0, 3 * DAY + 1, 3600.0)
    drive = {"synaptic_protein": _protein_step(times, 3.0), "bdnf": _protein_step(times, 2.0)}
    course = expected_course(params, times, drive)
    population = simulate_spines(params, times, drive, 80, 4, seed=17)
    baseline = course["density_per_10um"][0, 0]
    assert course["density_per_10um"][0, -1] > 1.05 * baseline  # a clear effect to follow
    for day in (1, 2, 3):
        index = day * 24
        golgi = golgi_readouts(population, day * DAY)
        density = golgi["density_per_10um"]
        standard_error = density.std(ddof=1) / np.sqrt(density.size)
        assert abs(density.mean() - course["density_per_10um"][0, index]) < 4 * standard_error
        pooled = (golgi["mushroom_fraction"] * golgi["n_spines"]).sum() / golgi["n_spines"].sum()
        expected = course["mushroom_fraction"][0, index]
        fraction_error = np.sqrt(expected * (1 - expected) / golgi["n_spines"].sum())
        assert abs(pooled - expected) < 4 * fraction_error


def test_expected_course_is_flat_without_drive():
    params = load_spine_parameters("rat_ca1_apical")
    course = expected_course(params, np.arange(0.0, 5 * DAY + 1, DAY), {})
    steady = steady_state(params)
    np.testing.assert_allclose(course["density_per_10um"], steady["density_per_10um"], rtol=1e-9)
    np.testing.assert_allclose(course["mushroom_fraction"], steady["mushroom_fraction"], rtol=1e-9)

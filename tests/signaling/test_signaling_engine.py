"""The engine: closed-form agreement, fine-step reference, batching, positivity, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from synpharm.errors import InputError
from synpharm.signaling import compile_network, drive_from_concentrations, simulate_signaling


def test_no_drug_stays_at_baseline(network, hours_grid):
    result = simulate_signaling(network, hours_grid)
    for name, values in result.species.items():
        expected = network.species[network.species_names.index(name)].initial
        assert np.allclose(values, expected, atol=1e-9), name
    assert result.species["mtorc1_active"].shape == hours_grid.shape


def test_eef2k_follows_a_constant_block_in_closed_form(network):
    """eEF2K depends only on the block: x(t) = 1 - b (1 - exp(-k t)); peEF2 is its linear
    follower: closed form of two first-order stages."""
    times = np.linspace(0.0, 3600.0, 241)
    block = 0.4
    inputs = {"nmda_block_pyramidal": np.where(times > 0, block, block)}
    result = simulate_signaling(network, times, inputs)
    k1, k2 = network.parameters["k_eef2k"], network.parameters["k_eef2"]
    eef2k = 1 - block * (1 - np.exp(-k1 * times))
    peef2 = 1 - block * (1 - (k2 * np.exp(-k1 * times) - k1 * np.exp(-k2 * times)) / (k2 - k1))
    assert np.max(np.abs(result.species["eef2k_active"] - eef2k)) < 2e-3
    assert np.max(np.abs(result.species["peef2"] - peef2)) < 2e-3


def _reference(network, times, inputs):
    """Tight-tolerance Radau solution with dense input evaluation (the fine-step reference)."""
    compiled = compile_network(network)
    p = tuple(float(network.parameters[n]) for n in compiled.parameter_names)
    u = np.array([inputs.get(n, np.zeros_like(times)) for n in network.input_names])

    def rhs(t, y):
        ut = [float(np.interp(t, times, row)) for row in u]
        return compiled.species_derivative(y.tolist(), p, ut)

    y0 = [s.initial for s in network.species]
    solution = solve_ivp(rhs, (times[0], times[-1]), y0, method="Radau", t_eval=times,
                         rtol=1e-9, atol=1e-11, max_step=60.0)
    return dict(zip(network.species_names, solution.y, strict=True))


def test_agrees_with_a_fine_step_reference_on_a_short_run(network, bateman):
    times = np.linspace(0.0, 2 * 3600.0, 121)
    inputs = drive_from_concentrations({"ketamine": bateman(times, 0.02)}, times)
    fast = simulate_signaling(network, times, inputs).species
    reference = _reference(network, times, inputs)
    for name in ("mtorc1_active", "bdnf", "glutamate_release", "synaptic_protein", "pcreb"):
        assert np.max(np.abs(fast[name] - reference[name])) < 2e-3, name


def test_batch_equals_single_runs(network, bateman):
    times = np.linspace(0.0, 6 * 3600.0, 73)
    peaks = np.array([0.005, 0.02])
    concentrations = bateman(times, 1.0)[None, :] * peaks[:, None]
    k_mtorc1 = np.array([1.0, 1.5]) * network.parameters["k_mtorc1"]
    batch = simulate_signaling(network, times,
                               drive_from_concentrations({"ketamine": concentrations}, times),
                               parameters={"k_mtorc1": k_mtorc1})
    for i in range(2):
        single = simulate_signaling(
            network, times, drive_from_concentrations({"ketamine": concentrations[i]}, times),
            parameters={"k_mtorc1": float(k_mtorc1[i])})
        assert batch.species["mtorc1_active"].shape == (2, times.size)
        assert np.allclose(batch.species["mtorc1_active"][i], single.species["mtorc1_active"],
                           atol=2e-3)


def test_same_input_same_output(network, hours_grid, bateman):
    inputs = drive_from_concentrations({"ketamine": bateman(hours_grid, 0.02)}, hours_grid)
    first = simulate_signaling(network, hours_grid, inputs).species["bdnf"]
    second = simulate_signaling(network, hours_grid, inputs).species["bdnf"]
    assert np.array_equal(first, second)


_curves = st.lists(st.floats(0.0, 0.1), min_size=4, max_size=4)


@settings(max_examples=8, deadline=None)
@given(ketamine=_curves, rapamycin=_curves, baclofen=_curves)
def test_species_stay_non_negative_for_random_drug_curves(network, ketamine, rapamycin,
                                                          baclofen):
    times = np.linspace(0.0, 8 * 3600.0, 49)
    knots = np.linspace(0.0, times[-1], 4)
    concentrations = {
        "ketamine": np.interp(times, knots, ketamine),
        "rapamycin": np.interp(times, knots, rapamycin) * 1e-3,
        "baclofen": np.interp(times, knots, baclofen),
    }
    result = simulate_signaling(network, times, drive_from_concentrations(concentrations, times))
    for name, values in result.species.items():
        assert np.all(np.isfinite(values)), name
        assert values.min() > -1e-6, name


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"inputs": {"no_such_input": np.zeros(5)}}, "not an input"),
    ({"inputs": {"trkb_inhibition": np.zeros(4)}}, "shape"),
    ({"inputs": {"trkb_inhibition": np.full(5, 1.5)}}, r"\[0, 1\]"),
    ({"parameters": {"no_such_parameter": 1.0}}, "not a parameter"),
    ({"parameters": {"k_erk": -1.0}}, ">= 0"),
    ({"ablations": ("nope",)}, "not a reaction"),
])
def test_bad_arguments_are_input_errors(network, kwargs, message):
    with pytest.raises(InputError, match=message):
        simulate_signaling(network, np.linspace(0, 100, 5), **kwargs)


def test_bad_time_grid_is_an_input_error(network):
    with pytest.raises(InputError, match="increasing"):
        simulate_signaling(network, [0.0, 10.0, 5.0])

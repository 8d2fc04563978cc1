"""The declaration: loading, validation, baseline steady state, stability, ablations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.errors import InputError
from synpharm.signaling import compile_network, list_networks, load_network, load_network_file
from synpharm.signaling._network import formula_names

REQUIRED_OUTPUTS = ("mtorc1_active", "bdnf", "synaptic_protein", "pcreb", "camp")


def test_shipped_network_has_the_documented_outputs(network):
    assert "synaptic_signaling" in list_networks()
    for name in REQUIRED_OUTPUTS:
        assert name in network.species_names


def test_every_parameter_is_used_and_cited(network):
    used = {n for r in network.reactions for n in formula_names(r.rate)}
    for name in network.parameters:
        assert name in used, f"{name} is declared but no rate law uses it"
        assert network.parameters.parameter(name).provenance


def _baseline_derivative(network, parameter_values=None):
    compiled = compile_network(network)
    values = {n: float(network.parameters[n]) for n in network.parameters}
    values.update(parameter_values or {})
    p = tuple(values[n] for n in compiled.parameter_names)
    y = [s.initial for s in network.species]
    return np.array(compiled.species_derivative(y, p, [0.0] * len(network.inputs)))


def test_declared_initial_values_are_the_drug_free_steady_state(network):
    assert np.max(np.abs(_baseline_derivative(network))) < 1e-12


@settings(max_examples=30, deadline=None)
@given(factor=st.floats(0.2, 5.0), seed=st.integers(0, 2**16))
def test_baseline_is_steady_for_any_rate_constants(network, factor, seed):
    """Animal variability of rate constants never moves the baseline (normalised design)."""
    rates = [n for n in network.parameters if network.parameters.parameter(n).kind
             == "rate_constant"]
    rng = np.random.default_rng(seed)
    scaled = {n: network.parameters[n] * factor * rng.uniform(0.5, 2.0) for n in rates}
    assert np.max(np.abs(_baseline_derivative(network, scaled))) < 1e-9


def test_baseline_is_a_stable_steady_state(network):
    """All eigenvalues of the Jacobian at baseline have negative real parts."""
    compiled = compile_network(network)
    p = tuple(float(network.parameters[n]) for n in compiled.parameter_names)
    y0 = np.array([s.initial for s in network.species])
    u = [0.0] * len(network.inputs)
    jacobian = np.empty((y0.size, y0.size))
    for j in range(y0.size):
        step = np.zeros(y0.size)
        step[j] = 1e-6
        plus = np.array(compiled.species_derivative((y0 + step).tolist(), p, u))
        minus = np.array(compiled.species_derivative((y0 - step).tolist(), p, u))
        jacobian[:, j] = (plus - minus) / 2e-6
    assert np.max(np.linalg.eigvals(jacobian).real) < 0


def test_ablation_removes_named_reactions_only(network):
    ablated = network.without(("creb_bdnf_transcription",))
    assert "creb_bdnf_transcription" not in ablated.reaction_names
    assert len(ablated.reactions) == len(network.reactions) - 1
    assert ablated.ablations == ("creb_bdnf_transcription",)
    assert network.without(()) is network


def test_unknown_ablation_is_an_input_error(network):
    with pytest.raises(InputError, match="not a reaction"):
        network.without(("no_such_reaction",))


def test_unknown_network_is_an_input_error():
    with pytest.raises(InputError, match="unknown network"):
        load_network("no_such_network")


_MINIMAL = """
[network]
name = "toy"
parameters = "signaling_synaptic"
[[inputs]]
name = "drive"
[[species]]
name = "x"
initial = 1.0
unit = "1 (normalised)"
[[reactions]]
name = "make_x"
products = ["x"]
modifiers = MODIFIERS
rate = "RATE"
[[reactions]]
name = "lose_x"
reactants = ["x"]
rate = "k_eef2k * x"
"""


@pytest.mark.parametrize(("rate", "modifiers", "message"), [
    ("k_eef2k * (1 - drive)", "[]", "used in the rate"),
    ("k_eef2k * unknown_thing", "[]", "unknown name"),
    ("k_eef2k * abs(drive)", "['drive']", "not allowed"),
    ("k_eef2k * (", "['drive']", "cannot read"),
])
def test_bad_declarations_are_input_errors(tmp_path, rate, modifiers, message):
    path = tmp_path / "toy.toml"
    path.write_text(_MINIMAL.replace("RATE", rate).replace("MODIFIERS", modifiers))
    with pytest.raises(InputError, match=message):
        load_network_file(path)


def test_minimal_network_loads(tmp_path):
    path = tmp_path / "toy.toml"
    path.write_text(_MINIMAL.replace("RATE", "k_eef2k * (1 - drive)")
                    .replace("MODIFIERS", "['drive']"))
    toy = load_network_file(path)
    assert toy.species_names == ("x",)
    assert toy.input_names == ("drive",)

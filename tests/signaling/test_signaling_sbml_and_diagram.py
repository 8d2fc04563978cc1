"""SBML export (libsbml consistency: zero errors) and the diagram generated from the declaration."""

from __future__ import annotations

import libsbml
import numpy as np
import pytest
from typer.testing import CliRunner

from synpharm.cli.main import app
from synpharm.errors import InputError
from synpharm.signaling import draw_network, to_sbml
from synpharm.signaling._diagram import influence_edges, layered_layout
from synpharm.signaling._sbml import sbml_errors


def _model(text):
    return libsbml.readSBMLFromString(text).getModel()


def test_sbml_validates_without_errors(network):
    text = to_sbml(network)
    document = libsbml.readSBMLFromString(text)
    assert (document.getLevel(), document.getVersion()) == (3, 2)
    assert sbml_errors(text) == []


def test_sbml_holds_the_declaration(network):
    model = _model(to_sbml(network))
    assert model.getNumSpecies() == len(network.species)
    assert model.getNumReactions() == len(network.reactions)
    assert model.getNumParameters() == len(network.parameters) + len(network.inputs)
    k = model.getParameter("k_s6k")
    assert k.getValue() == pytest.approx(network.parameters["k_s6k"])
    assert "Fujita" in k.getNotesString()
    law = model.getReaction("creb_bdnf_transcription").getKineticLaw()
    assert "pcreb" in libsbml.formulaToL3String(law.getMath())


def test_ablated_export_lacks_the_reaction(network):
    model = _model(to_sbml(network.without(("creb_bdnf_transcription",))))
    assert model.getReaction("creb_bdnf_transcription") is None
    assert model.getNumReactions() == len(network.reactions) - 1


def test_edge_signs_come_from_the_rate_laws(network):
    edges = {(a, b): sign for a, b, sign in influence_edges(network)}
    assert edges[("nmda_block_pyramidal", "eef2k_active")] == -1
    assert edges[("peef2", "bdnf")] == -1
    assert edges[("p70s6k_active", "akt_active")] == -1  # negative feedback
    assert edges[("pcreb", "bdnf_mrna")] == +1  # positive feedback
    assert edges[("mtorc1_inhibition", "mtorc1_active")] == -1
    assert edges[("trkb_active", "erk_active")] == +1


def test_layout_places_the_pathway_left_to_right(network):
    signed = influence_edges(network)
    nodes = [*network.input_names, *network.species_names]
    positions, feedback = layered_layout(nodes, [(a, b) for a, b, _ in signed])
    assert ("pcreb", "bdnf_mrna") in feedback
    assert ("p70s6k_active", "akt_active") in feedback
    for a, b, _ in signed:
        if (a, b) not in feedback:
            assert positions[a][0] < positions[b][0], (a, b)


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_diagram_files(network, tmp_path, suffix):
    path = tmp_path / f"pathway{suffix}"
    draw_network(network, path)
    assert path.stat().st_size > 1000


def test_diagram_rejects_other_formats(network, tmp_path):
    with pytest.raises(InputError, match=r"png or \.svg"):
        draw_network(network, tmp_path / "pathway.pdf")


def test_cli_export(tmp_path):
    runner = CliRunner()
    sbml = tmp_path / "net.xml"
    result = runner.invoke(app, ["export", "sbml", "--out", str(sbml)])
    assert result.exit_code == 0, result.output
    assert sbml_errors(sbml.read_text()) == []
    printed = runner.invoke(app, ["export", "sbml", "--ablate", "creb_bdnf_transcription"])
    assert printed.exit_code == 0
    assert 'reaction id="creb_bdnf_transcription"' not in printed.stdout
    assert 'reaction id="bdnf_translation"' in printed.stdout
    figure = tmp_path / "net.svg"
    assert runner.invoke(app, ["export", "diagram", "--out", str(figure)]).exit_code == 0
    assert figure.read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize("arguments", [
    ["export", "diagram", "--out", "x.pdf"],
    ["export", "sbml", "--ablate", "no_such_reaction"],
    ["export", "sbml", "--network", "no_such_network"],
    ["export", "sbml", "--out", "{folder}"],
])
def test_cli_export_errors_exit_2_and_write_nothing(tmp_path, arguments):
    arguments = [str(tmp_path) if a == "{folder}" else a for a in arguments]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2
    assert "error:" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_sbml_rate_laws_give_the_engine_rates(network):
    """Evaluating the exported kinetic laws reproduces the engine's reaction rates."""
    from synpharm.signaling import compile_network

    model = _model(to_sbml(network))
    compiled = compile_network(network)
    rng = np.random.default_rng(3)
    state = rng.uniform(0.2, 2.0, len(network.species))
    inputs = rng.uniform(0.0, 0.9, len(network.inputs))
    values = {**{n: float(network.parameters[n]) for n in network.parameters},
              **dict(zip(network.species_names, state, strict=True)),
              **dict(zip(network.input_names, inputs, strict=True))}
    p = tuple(values[n] for n in compiled.parameter_names)
    engine = compiled.rates(state.tolist(), p, inputs.tolist())
    for index, reaction in enumerate(network.reactions):
        math = model.getReaction(reaction.name).getKineticLaw().getMath()
        text = libsbml.formulaToL3String(math).replace("^", "**")
        assert eval(text, {"__builtins__": {}}, values) == pytest.approx(engine[index]), \
            reaction.name

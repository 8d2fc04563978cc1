"""Reading sweep files: the grid they declare, and bad fields named in one error line."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest
from sweep_fixtures import CONCENTRATIONS, tiny_text
from typer.testing import CliRunner

from synpharm.cli.main import app
from synpharm.errors import InputError
from synpharm.protocols import Protocol
from synpharm.protocols.library import library_protocol_path
from synpharm.sweep import load_sweep, plan_chunks, sweep_from_dict

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sweeps"


def _base() -> dict:
    return tomllib.loads(tiny_text())


def test_tiny_sweep_expands_to_control_plus_each_concentration():
    sweep = sweep_from_dict(_base())
    (entry,) = sweep.protocols
    names = [c.name for c in entry.protocol.conditions]
    assert names == ["control", *(f"baclofen {c}" for c in CONCENTRATIONS)]
    assert entry.protocol.conditions[0].drugs == ()
    assert [c.drugs[0].concentration for c in entry.protocol.conditions[1:]] == pytest.approx(
        [float(c.split()[0]) * 1e-3 for c in CONCENTRATIONS]
    )
    assert len(plan_chunks(sweep)) == 1 + len(CONCENTRATIONS)


def test_without_concentrations_each_protocol_keeps_its_own_conditions():
    doc = _base()
    del doc["concentrations"]
    doc["protocols"] = [{"library": "baclofen_paired_pulse"}]
    sweep = sweep_from_dict(doc)
    library = Protocol.from_toml(library_protocol_path("baclofen_paired_pulse"))
    assert sweep.protocols[0].protocol.conditions == library.conditions
    assert sweep.protocols[0].label == library.name


def test_control_can_be_left_out():
    doc = _base()
    doc["sweep"]["control"] = False
    conditions = sweep_from_dict(doc).protocols[0].protocol.conditions
    assert all(c.drugs for c in conditions)


def test_step_overrides_replace_only_the_named_fields():
    doc = _base()
    doc["protocols"] = [
        {"library": "control_ltp", "overrides": [{"step": 2, "duration": "30 min"}]}
    ]
    changed = sweep_from_dict(doc).protocols[0].protocol
    original = Protocol.from_toml(library_protocol_path("control_ltp"))
    assert changed.steps[2].duration == 1800.0 != original.steps[2].duration
    assert changed.steps[:2] == original.steps[:2]
    assert changed.steps[2].test_rate == original.steps[2].test_rate


def test_parameter_grid_is_the_product_of_its_lists():
    doc = _base()
    doc["parameter_grid"] = {
        "quantal_conductance": ["0.1 nS", "0.2 nS", "0.4 nS"],
        "release_probability_max": [0.5, 0.95],
    }
    doc["parameter_sets"] = [{"name": "default"}]
    sweep = sweep_from_dict(doc)
    assert len(sweep.parameter_sets) == 1 + 3 * 2
    assert sweep.parameter_sets[1].values == (
        ("quantal_conductance", "0.1 nS"),
        ("release_probability_max", 0.5),
    )
    assert len(plan_chunks(sweep)) == 7 * (1 + len(CONCENTRATIONS))


def test_seed_and_cohort_lists_are_grid_axes():
    doc = _base()
    doc["sweep"].update(seeds=[0, 1, 2], cohort=[2, 3])
    chunks = plan_chunks(sweep_from_dict(doc))
    assert len(chunks) == 3 * 2 * (1 + len(CONCENTRATIONS))
    assert {(c.seed, c.cohort) for c in chunks} == {(s, n) for s in (0, 1, 2) for n in (2, 3)}


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_example_sweeps_load(path: Path):
    sweep = load_sweep(path)
    assert sweep.protocols and plan_chunks(sweep)


def test_acceptance_example_is_8_concentrations_x_3_protocols_x_12_slices():
    sweep = load_sweep(EXAMPLES / "baclofen_three_protocols.toml")
    assert len(sweep.protocols) == 3 and sweep.cohorts == (12,)
    for entry in sweep.protocols:
        assert sum(1 for c in entry.protocol.conditions if c.drugs) == 8


def _set(doc: dict, path: tuple, value) -> dict:
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


_DELETE = object()

BAD = [
    (("sweep",), _DELETE, "sweep"),
    (("sweep", "name"), _DELETE, "sweep.name"),
    (("sweep", "name"), "a/b", "sweep.name"),
    (("sweep", "cohort"), 0, "sweep.cohort"),
    (("sweep", "cohort"), [2, 2], "sweep.cohort"),
    (("sweep", "seeds"), [-1], "sweep.seeds"),
    (("sweep", "seeds"), "0", "sweep.seeds"),
    (("sweep", "control"), "yes", "sweep.control"),
    (("sweep", "slices"), 3, "sweep.slices"),
    (("concentrations", "values", 1), "10", "concentrations.values[1]"),
    (("concentrations", "values", 0), "10 mV", "concentrations.values[0]"),
    (("concentrations", "values", 2), "0 uM", "concentrations.values[2]"),
    (("concentrations", "values", 3), "1 uM", "concentrations.values[3]"),
    (("concentrations", "values"), [], "concentrations.values"),
    (("concentrations", "compound"), "no_such_drug", "concentrations.compound"),
    (("concentrations", "unit"), "uM", "concentrations.unit"),
    (("protocols",), _DELETE, "protocols"),
    (("protocols",), [], "protocols"),
    (("protocols", 0, "library"), "control_ltp", "protocols[0]"),
    (("protocols", 0, "steps", 0, "duration"), "1", "protocols[0].steps[0].duration"),
    (("protocols", 0, "steps", 1, "type"), "warp", "protocols[0].steps[1].type"),
    (("protocols", 0, "overrides"), [{"step": 5, "duration": "1 min"}],
     "protocols[0].overrides[0].step"),
    (("protocols", 0, "overrides"), [{"step": 0, "duration": "1 kg"}],
     "protocols[0].overrides[0].duration"),
    (("protocols", 0, "overrides"), [{"step": 0}], "protocols[0].overrides[0]"),
    (("protocols", 0, "experiment"), {"name": "x", "preparation": "brain"},
     "protocols[0].experiment.preparation"),
    (("protocols", 0, "colour"), "red", "protocols[0].colour"),
    (("parameter_sets",), [{"name": "a", "values": {"not_a_parameter": 1}}],
     "parameter_sets[0].values.not_a_parameter"),
    (("parameter_sets",), [{"name": "a"}, {"name": "b", "values": {"quantal_conductance": "1 mV"}}],
     "parameter_sets[1].values.quantal_conductance"),
    (("parameter_sets",), [{"name": "a"}, {"name": "a"}], "parameter_sets"),
    (("parameter_sets",), [{"values": {}}], "parameter_sets[0].name"),
    (("parameter_grid",), {"quantal_conductance": "0.2 nS"}, "parameter_grid.quantal_conductance"),
    (("parameter_grid",), {"quantal_conductance": ["0.2"]}, "parameter_grid.quantal_conductance"),
    (("results",), {}, "results"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value", "field"), BAD, ids=[b[2] for b in BAD])
def test_bad_sweep_field_is_named(path, value, field):
    doc = _set(_base(), path, value)
    with pytest.raises(InputError) as caught:
        sweep_from_dict(doc)
    assert caught.value.field == field, str(caught.value)
    assert "\n" not in str(caught.value)


def test_library_and_file_protocols_errors(tmp_path: Path):
    doc = _base()
    doc["protocols"] = [{"library": "no_such_protocol"}]
    with pytest.raises(InputError, match=r"^protocols\[0\]\.library: "):
        sweep_from_dict(doc)
    doc["protocols"] = [{"file": "missing.toml"}]
    with pytest.raises(InputError, match=r"^protocols\[0\]\.file: "):
        sweep_from_dict(doc, base=tmp_path)
    (tmp_path / "p.toml").write_text('[experiment]\nname = "p"\n[[steps]]\ntype = "wait"\n')
    doc["protocols"] = [{"file": "p.toml"}]
    with pytest.raises(InputError, match=r"^protocols\[0\]\.steps\[0\]\.duration: "):
        sweep_from_dict(doc, base=tmp_path)


def test_duplicate_protocol_labels_are_rejected():
    doc = _base()
    doc["protocols"] = [{"library": "control_ltp"}, {"library": "control_ltp"}]
    with pytest.raises(InputError, match=r"^protocols\[1\]\.label: "):
        sweep_from_dict(doc)


def test_cli_bad_sweep_file_prints_one_error_line_and_writes_nothing(tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text(tiny_text().replace('"3 uM"', '"3"'), encoding="utf-8")
    out, store = tmp_path / "out", tmp_path / "store"
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "--store", str(store)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: concentrations.values[1]: ")
    assert not out.exists() and not store.exists()


@pytest.mark.parametrize(
    ("options", "field"),
    [(["--workers", "0"], "--workers"), (["--workers", "2", "--scheduler", "x:1"], "--workers")],
)
def test_cli_bad_executor_options(tmp_path: Path, tiny_file: Path, options, field):
    result = CliRunner().invoke(
        app, ["sweep", str(tiny_file), "--store", str(tmp_path / "s"), *options]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {field}: ")
    assert not (tmp_path / "s" / "chunks").exists()


def test_cli_missing_file(tmp_path: Path):
    result = CliRunner().invoke(app, ["sweep", str(tmp_path / "none.toml")])
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_the_sweep_file_in_the_documentation_is_valid():
    import re

    text = (Path(__file__).resolve().parents[2] / "docs" / "sweep.md").read_text()
    block = re.search(r"```toml\n(.*?)```", text, re.S)
    assert block is not None
    sweep = sweep_from_dict(tomllib.loads(block.group(1)))
    assert [e.label for e in sweep.protocols] == ["paired_pulse", "short_depression"]
    assert len(sweep.parameter_sets) == 2 + 4

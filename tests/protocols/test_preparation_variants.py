"""Preparation variants: base + unit-checked overrides, inline or from a variant file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from synpharm.cli.main import app
from synpharm.errors import InputError
from synpharm.experiments.slice import preparation, protocol_preparation
from synpharm.preparations.variants import build_preparation, read_variant
from synpharm.protocols import Protocol

STEPS = [{"type": "baseline", "duration": "2 min", "test_rate": "0.1 Hz"}]


def _protocol(preparation, source: str = "<dict>") -> Protocol:
    return Protocol.from_dict({"experiment": {"name": "v"}, "preparation": preparation,
                               "steps": STEPS}, source=source)


def test_overrides_are_parsed_with_the_parameter_unit():
    prep = protocol_preparation(_protocol({"base": "ca1_slice", "name": "ventral", "overrides": {
        "girk_conductance_max": "3 nS",
        "gabab_max_calcium_inhibition_glutamatergic": {"value": 0.9, "source": "Doe 2020"}}}))
    assert prep.parameters["girk_conductance_max"] == pytest.approx(3e-9)
    assert prep.parameters.parameter("gabab_max_calcium_inhibition_glutamatergic").source == \
        "Doe 2020"
    assert "ventral" in prep.parameters.name


def test_a_protocol_without_variant_gets_the_published_preparation():
    assert protocol_preparation(_protocol(None)).parameters["girk_conductance_max"] == \
        pytest.approx(6e-9)


@pytest.mark.parametrize(
    ("table", "field", "hint"),
    [({"base": "ca1_slice", "overides": {}}, "preparation.overides", "overrides"),
     ({"base": "ca1_slice", "overrides": {"girk_conductance_maxx": "1 nS"}},
      "preparation.overrides.girk_conductance_maxx", "girk_conductance_max"),
     ({"base": "ca1_slice", "overrides": {"girk_conductance_max": "1 uM"}},
      "preparation.overrides.girk_conductance_max", "conductance"),
     ({"base": "ca1_slice", "overrides": {"protein_trigger_summed": "0.5"}},
      "preparation.overrides.protein_trigger_summed", "0 (off) or 1 (on)")],
)
def test_bad_variants_name_the_key_and_the_nearest_valid_ones(table, field, hint):
    with pytest.raises(InputError) as error:
        build_preparation(read_variant(table, Path("."), "preparation"), preparation)
    assert error.value.field == field and hint in str(error.value)


def test_a_variant_file_relative_to_the_protocol(tmp_path):
    (tmp_path / "ventral.toml").write_text(
        '[preparation]\nbase = "ca1_slice"\n[preparation.overrides]\n'
        'girk_conductance_max = "2 nS"\n')
    protocol = tmp_path / "p.toml"
    protocol.write_text('preparation = "ventral.toml"\n[experiment]\nname = "v"\n'
                        '[[steps]]\ntype = "baseline"\nduration = "2 min"\ntest_rate = "0.1 Hz"\n')
    prep = protocol_preparation(Protocol.from_toml(protocol))
    assert prep.parameters["girk_conductance_max"] == pytest.approx(2e-9)
    assert "ventral" in prep.parameters.name


def test_experiment_preparation_must_agree_with_the_variant_base():
    with pytest.raises(InputError, match="differs"):
        Protocol.from_dict({"experiment": {"name": "v", "preparation": "dentate_gyrus_slice"},
                            "preparation": {"base": "ca1_slice"}, "steps": STEPS})


def test_run_with_an_unknown_override_writes_nothing(tmp_path):
    protocol = tmp_path / "p.toml"
    protocol.write_text('[experiment]\nname = "v"\n[preparation]\nbase = "ca1_slice"\n'
                        'overrides = {girk_conductance_maxx = "2 nS"}\n'
                        '[[steps]]\ntype = "baseline"\nduration = "2 min"\ntest_rate = "0.1 Hz"\n')
    result = CliRunner().invoke(app, ["run", str(protocol), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: {protocol}: preparation.overrides.girk_conductance")
    assert "nearest valid: girk_conductance_max" in result.stderr


def test_sweep_chunks_start_from_the_protocol_variant():
    from synpharm.sweep._chunk import _preparation_fingerprint, _prepared

    variant = _protocol({"base": "ca1_slice", "overrides": {"girk_conductance_max": "3 nS"}})
    plain = _protocol(None)
    prep = _prepared(variant, (("leak_conductance", 5e-9),))
    assert prep.parameters["girk_conductance_max"] == pytest.approx(3e-9)
    assert prep.parameters["leak_conductance"] == pytest.approx(5e-9)
    assert _preparation_fingerprint(variant, ()) != _preparation_fingerprint(plain, ())

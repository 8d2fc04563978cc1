"""Compound library: every registered compound passes the common checks; strict validation."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from synpharm.compounds import (
    MECHANISMS,
    Compound,
    citations,
    describe_compound,
    list_compounds,
    load_compound,
    load_compound_file,
)
from synpharm.errors import InputError
from synpharm.units import KINDS, parse_quantity

EXPECTED = {"baclofen", "ketamine", "s_ketamine", "r_ketamine", "d_apv", "cgp55845"}


def _all_parameters(compound: Compound):
    yield compound.molecular_weight
    for effect in compound.targets:
        yield from effect.parameters


def test_shipped_compounds_are_registered():
    assert EXPECTED <= set(list_compounds())
    assert list_compounds() == sorted(list_compounds())


# ----------------------------------------------------------------------------- common checks


@pytest.mark.parametrize("name", list_compounds())
def test_common_checks(name: str):
    compound = load_compound(name)
    assert compound.name == name
    assert compound.compound_class and compound.description
    assert compound.targets
    for effect in compound.targets:
        assert effect.mechanism in MECHANISMS
        assert {p.name for p in effect.parameters} == set(MECHANISMS[effect.mechanism])
        for parameter in effect.parameters:
            assert parameter.kind == MECHANISMS[effect.mechanism][parameter.name]
        if effect.mechanism == "open_channel_blocker":
            assert isinstance(effect.trapping, bool) and effect.trapping_provenance
        else:
            assert effect.trapping is None
    for parameter in _all_parameters(compound):
        # exactly one of a citation or a calibration tag
        assert bool(parameter.source) != bool(parameter.calibrated), parameter.name
        assert math.isfinite(parameter.value) and parameter.value > 0
        # every number carries its unit: the text re-parses to the stored SI value
        if parameter.kind == "molar_mass":
            number, unit = parameter.text.split()
            assert unit == "g/mol"
            assert parameter.value == pytest.approx(float(number) / 1000)
        elif parameter.kind != "dimensionless":
            assert parameter.kind in KINDS
            assert parse_quantity(parameter.text, parameter.kind, "t") == pytest.approx(
                parameter.value)
            assert any(ch.isalpha() for ch in parameter.text)
    text = describe_compound(compound)
    for parameter in _all_parameters(compound):
        assert parameter.text in text
        assert parameter.provenance in text
    assert all(isinstance(s, str) and s for s in citations(compound))
    assert len(citations(compound)) == len(set(citations(compound)))


@pytest.mark.parametrize("name", list_compounds())
def test_sources_look_like_citations(name: str):
    """A source names its origin with a year or a derivation, never a bare word."""
    for parameter in _all_parameters(load_compound(name)):
        if parameter.source:
            assert len(parameter.source) > 20
            assert any(ch.isdigit() for ch in parameter.source)


# ----------------------------------------------------------------------------- lookup


@pytest.mark.parametrize(("alias", "name"), [
    ("esketamine", "s_ketamine"), ("(S)-ketamine", "s_ketamine"), ("ESKETAMINE", "s_ketamine"),
    ("arketamine", "r_ketamine"), ("(R)-ketamine", "r_ketamine"), ("Ketamine", "ketamine"),
    ("D-AP5", "d_apv"), ("APV", "d_apv"), ("d-apv", "d_apv"), (" Baclofen ", "baclofen"),
    ("CGP 55845", "cgp55845"),
])
def test_aliases(alias: str, name: str):
    assert load_compound(alias).name == name


def test_unknown_compound_names_the_choices():
    with pytest.raises(InputError) as info:
        load_compound("aspirin")
    assert info.value.field == "compound"
    assert "unknown compound 'aspirin'" in str(info.value)
    assert "baclofen" in info.value.fix and "s_ketamine" in info.value.fix


def test_loading_twice_returns_equal_objects():
    assert load_compound("baclofen") == load_compound("BACLOFEN")


# ----------------------------------------------------------------------------- values


def _nmda_kd(name: str) -> float:
    (effect,) = load_compound(name).effects(target="NMDA")
    return effect.value("kd_0mV")


def test_s_ketamine_more_potent_than_r_and_racemate_between():
    s, r, racemic = _nmda_kd("s_ketamine"), _nmda_kd("r_ketamine"), _nmda_kd("ketamine")
    assert s < racemic < r
    assert s / r == pytest.approx(0.30 / 1.4, rel=0.01)  # Ebert et al. 1997 Ki ratio
    assert racemic == pytest.approx(2 * s * r / (s + r), rel=0.01)


def test_s_ketamine_more_potent_at_sodium_channels():
    def ic50(name: str) -> float:
        return load_compound(name).effects(target="NaV_axonal")[0].value("ic50")
    assert ic50("s_ketamine") < ic50("ketamine") < ic50("r_ketamine")


def test_ketamine_is_a_trapping_blocker_with_positive_e_fold_voltage():
    (effect,) = load_compound("ketamine").effects(mechanism="open_channel_blocker")
    assert effect.trapping is True
    assert effect.value("voltage_e_fold") > 0
    assert effect.value("k_on") == pytest.approx(150.0)  # 1.5e5 /M/s (Gilling 2009) in SI


def test_baclofen_declares_three_gabab_sites():
    targets = {e.target for e in load_compound("baclofen").effects(mechanism="agonist")}
    assert targets == {"GABAB_presynaptic_glutamatergic", "GABAB_presynaptic_gabaergic",
                       "GABAB_postsynaptic_GIRK"}


# ----------------------------------------------------------------------------- strict files

VALID = """
name = "testamine"
aliases = ["TA"]
class = "test"
description = "A test compound."

[molecular_weight]
value = "100 g/mol"
kind = "molar_mass"
source = "computed from the formula X 2024"

[[targets]]
target = "NMDA_glutamate_site"
mechanism = "competitive_antagonist"

[targets.kd]
value = "1 uM"
kind = "concentration"
source = "Author et al. 2001 J Neurosci 21:1"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "testamine.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_loads(tmp_path: Path):
    compound = load_compound_file(_write(tmp_path, VALID))
    assert compound.targets[0].value("kd") == pytest.approx(1e-3)
    assert compound.molecular_weight.value == pytest.approx(0.1)


@pytest.mark.parametrize(("old", "new", "field"), [
    ('value = "1 uM"', "value = 1.0", "targets[0].kd"),  # missing unit
    ('value = "1 uM"', 'value = "1 mV"', "targets[0].kd"),  # wrong unit
    ('source = "Author et al. 2001 J Neurosci 21:1"', "", "targets[0].kd"),  # no citation
    ('source = "Author et al. 2001 J Neurosci 21:1"',
     'source = "Author 2001"\ncalibrated = "X-1"', "targets[0].kd"),  # both
    ('kind = "concentration"', 'kind = "time"', "targets[0].kd"),  # wrong kind
    ('mechanism = "competitive_antagonist"', 'mechanism = "magic"', "targets[0].mechanism"),
    ('value = "100 g/mol"', 'value = "100"', "molecular_weight"),
    ('class = "test"', 'klass = "test"', "testamine.toml"),  # unknown key
    ('value = "1 uM"', 'value = "-1 uM"', "targets[0].kd"),  # not positive
])
def test_invalid_files_name_file_and_field(tmp_path: Path, old: str, new: str, field: str):
    assert old in VALID
    with pytest.raises(InputError) as info:
        load_compound_file(_write(tmp_path, VALID.replace(old, new, 1)))
    assert info.value.field.startswith("testamine.toml")
    assert field in info.value.field


def test_blocker_needs_trapping_declaration(tmp_path: Path):
    text = VALID.replace('target = "NMDA_glutamate_site"', 'target = "NMDA"').replace(
        'mechanism = "competitive_antagonist"', 'mechanism = "open_channel_blocker"').replace(
        "[targets.kd]", "[targets.kd_0mV]")
    text += """
[targets.k_on]
value = "1e8 /M/s"
kind = "second_order_rate"
calibrated = "X-1: seed"

[targets.voltage_e_fold]
value = "30 mV"
kind = "voltage"
calibrated = "X-1: seed"
"""
    with pytest.raises(InputError, match="trapping"):
        load_compound_file(_write(tmp_path, text))
    loaded = load_compound_file(_write(tmp_path, text + """
[targets.trapping]
value = false
calibrated = "X-1: assumed"
"""))
    assert loaded.targets[0].trapping is False
    assert loaded.targets[0].trapping_provenance == "calibrated: X-1: assumed"


def test_unreadable_toml(tmp_path: Path):
    with pytest.raises(InputError, match="cannot read"):
        load_compound_file(_write(tmp_path, "name = "))

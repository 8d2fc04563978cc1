"""Pharmacokinetics: closed-form agreement, mass balance, superposition, properties, errors."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from synpharm.compounds import Compound, list_compounds, load_compound, load_compound_file
from synpharm.errors import InputError
from synpharm.pharmacokinetics import (
    Dose,
    concentration_time_course,
    draw_subjects,
    parse_dose,
    pharmacokinetic_model,
    pharmacokinetic_species,
)
from synpharm.pharmacokinetics._solution import compartment_amounts

MOLAR_MASS = 0.2  # kg/mol of the synthetic test compound

_HEADER = """
name = "pktest"
class = "test compound"
description = "synthetic compound for pharmacokinetic tests"
[molecular_weight]
value = "200 g/mol"
kind = "molar_mass"
source = "test"
[[targets]]
target = "GABAB_postsynaptic_GIRK"
mechanism = "agonist"
[targets.ec50]
value = "1 uM"
kind = "concentration"
source = "test"
[targets.hill]
value = 1.0
kind = "dimensionless"
source = "test"
"""


def _q(name: str, value: str, kind: str) -> str:
    quoted = value if kind == "dimensionless" else f'"{value}"'
    return f'[{name}]\nvalue = {quoted}\nkind = "{kind}"\nsource = "test"\n'


def _compound(tmp_path: Path, compartments: int = 1, rates: dict[str, str] | None = None,
              ka: str = "2 /h", f: float = 0.8, volume: str = "10 L",
              site_rate: str | None = "0.5 /h") -> Compound:
    rates = rates or {"elimination_rate": "0.3 /h"}
    kind = "volume_per_body_mass" if "/kg" in volume else "volume"
    p = "pharmacokinetics"
    text = _HEADER + f'[[{p}]]\nspecies = "human"\ncompartments = {compartments}\n'
    text += _q(f"{p}.central_volume", volume, kind)
    for name, value in rates.items():
        text += _q(f"{p}.{name}", value, "rate_constant")
    text += _q(f"{p}.body_mass", "70 kg", "mass")
    text += _q(f"{p}.cv_clearance", "0.3", "dimensionless")
    text += _q(f"{p}.cv_volume", "0.2", "dimensionless")
    text += _q(f"{p}.routes.oral.bioavailability", str(f), "dimensionless")
    text += _q(f"{p}.routes.oral.absorption_rate", ka, "rate_constant")
    text += f"[{p}.routes.intravenous]\n"
    text += _q(f"{p}.sites.csf.ratio", "0.1", "dimensionless")
    if site_rate:
        text += _q(f"{p}.sites.csf.equilibration_rate", site_rate, "rate_constant")
    path = tmp_path / "pktest.toml"
    path.write_text(text)
    return load_compound_file(path)


HOURS = np.linspace(0.0, 24.0, 97) * 3600.0


# ----------------------------------------------------------------------------- doses


@pytest.mark.parametrize(("text", "amount", "per_kg", "route", "duration"), [
    ("10 mg/kg i.p.", 1e-5, True, "intraperitoneal", 0.0),
    ("50 mg p.o.", 5e-5, False, "oral", 0.0),
    ("0.5 mg/kg IV over 40 min", 5e-7, True, "intravenous", 2400.0),
    ("15 mg/kg i.p.", 1.5e-5, True, "intraperitoneal", 0.0),
    ("3 mg i.v.", 3e-6, False, "intravenous", 0.0),
    ("20 mg oral", 2e-5, False, "oral", 0.0),
])
def test_parse_dose(text, amount, per_kg, route, duration):
    dose = parse_dose(text)
    assert math.isclose(dose.amount, amount, rel_tol=1e-12)
    assert (dose.per_body_mass, dose.route, dose.infusion_duration) == (per_kg, route, duration)


@pytest.mark.parametrize("text", ["10 mg/kg", "10 i.p.", "10 uM i.p.", "ten mg p.o.",
                                  "10 mg/kg intrathecal", "50 mg p.o. over 10 min",
                                  "1 mg IV over 0 min", "1 mg IV over 5 mV", "", "-5 mg p.o."])
def test_bad_dose_text_is_an_input_error(text):
    with pytest.raises(InputError):
        parse_dose(text)


# ----------------------------------------------------------------------------- closed forms


def test_one_compartment_oral_is_the_bateman_function(tmp_path):
    compound = _compound(tmp_path)
    c = concentration_time_course(compound, "100 mg p.o.", "human", HOURS)
    ka, k, f, v = 2 / 3600, 0.3 / 3600, 0.8, 0.010
    moles = 1e-4 / MOLAR_MASS
    bateman = f * moles * ka / (v * (ka - k)) * (np.exp(-k * HOURS) - np.exp(-ka * HOURS))
    np.testing.assert_allclose(c, bateman, rtol=1e-10, atol=1e-15)


def test_absorption_rate_equal_to_elimination_rate_gives_the_limit(tmp_path):
    compound = _compound(tmp_path, ka="0.3 /h")
    c = concentration_time_course(compound, "100 mg p.o.", "human", HOURS)
    k, f, v, moles = 0.3 / 3600, 0.8, 0.010, 1e-4 / MOLAR_MASS
    limit = f * moles * k / v * HOURS * np.exp(-k * HOURS)
    np.testing.assert_allclose(c, limit, rtol=1e-5, atol=1e-12)


def test_long_infusion_reaches_the_plateau_rate_over_clearance(tmp_path):
    compound = _compound(tmp_path)
    duration = 100 * 3600.0
    times = np.array([duration - 1.0])
    c = concentration_time_course(compound, "100 mg IV over 100 h", "human", times)
    clearance = 0.3 / 3600 * 0.010  # k10 V [m^3/s]
    plateau = (1e-4 / MOLAR_MASS / duration) / clearance
    assert c[0] == pytest.approx(plateau, rel=1e-9)
    # and the site follows with its ratio at steady state
    csf = concentration_time_course(compound, "100 mg IV over 100 h", "human", times, "csf")
    assert csf[0] == pytest.approx(0.1 * plateau, rel=1e-9)


def test_infusion_is_the_time_average_of_staggered_boluses(tmp_path):
    compound = _compound(tmp_path, compartments=2,
                         rates={"elimination_rate": "0.3 /h", "rate_central_to_peripheral":
                                "0.8 /h", "rate_peripheral_to_central": "0.4 /h"})
    infusion = concentration_time_course(compound, "60 mg IV over 1 h", "human", HOURS)
    starts = (np.arange(600) + 0.5) * 6.0
    boluses = [Dose(1e-4 / 1000, False, "intravenous", start=s) for s in starts]
    staggered = concentration_time_course(compound, boluses, "human", HOURS)
    np.testing.assert_allclose(infusion[HOURS > 3600], staggered[HOURS > 3600], rtol=1e-5)


def _full_matrix(k10, k12, k21, k13, k31, ka, ke0):
    """Depot, central, peripheral, deep, effect site (amount units; effect site per V1)."""
    m = np.zeros((5, 5))
    m[0, 0] = -ka
    m[1, 0] = ka
    m[1, 1] = -(k10 + k12 + k13)
    m[1, 2], m[2, 1], m[2, 2] = k21, k12, -k21
    m[1, 3], m[3, 1], m[3, 3] = k31, k13, -k31
    m[4, 1], m[4, 4] = ke0, -ke0
    return m


def test_three_compartments_with_absorption_and_site_agree_with_the_matrix_exponential(tmp_path):
    rates = {"elimination_rate": "0.4 /h", "rate_central_to_peripheral": "0.6 /h",
             "rate_peripheral_to_central": "0.25 /h", "rate_central_to_deep": "0.5 /h",
             "rate_deep_to_central": "0.02 /h"}
    compound = _compound(tmp_path, compartments=3, rates=rates, ka="1.5 /h", site_rate="0.7 /h")
    got = concentration_time_course(compound, "100 mg p.o.", "human", HOURS, "csf")
    per_h = [0.4, 0.6, 0.25, 0.5, 0.02, 1.5, 0.7]
    matrix = _full_matrix(*(r / 3600 for r in per_h))
    start = np.array([0.8 * 1e-4 / MOLAR_MASS, 0, 0, 0, 0])
    expected = np.array([(expm(matrix * t) @ start)[4] for t in HOURS]) / 0.010 * 0.1
    np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-14)


def test_mass_balance_after_an_intravenous_bolus():
    model = pharmacokinetic_model("ketamine", "human")
    subjects = draw_subjects(model, 5, np.random.default_rng(1))
    amounts = compartment_amounts(subjects, HOURS)
    np.testing.assert_allclose(amounts.sum(axis=1), 1.0, rtol=1e-10)
    assert np.all(amounts > -1e-12)


def test_superposition_of_two_doses(tmp_path):
    compound = _compound(tmp_path)
    first, second = parse_dose("50 mg p.o."), dataclasses.replace(parse_dose("30 mg p.o."),
                                                                   start=4 * 3600.0)
    both = concentration_time_course(compound, [first, second], "human", HOURS)
    separate = (concentration_time_course(compound, first, "human", HOURS)
                + concentration_time_course(compound, second, "human", HOURS))
    np.testing.assert_allclose(both, separate, rtol=1e-12)
    assert np.all(both[HOURS < 4 * 3600] == concentration_time_course(
        compound, first, "human", HOURS)[HOURS < 4 * 3600])


@settings(max_examples=30, deadline=None)
@given(mg=st.floats(0.1, 500.0), scale=st.floats(0.01, 100.0),
       route=st.sampled_from(["p.o.", "IV", "IV over 30 min"]),
       site=st.sampled_from(["plasma", "csf"]))
def test_concentrations_are_non_negative_and_linear_in_dose(mg, scale, route, site):
    c1 = concentration_time_course("baclofen", f"{mg} mg {route}", "human", HOURS, site)
    c2 = concentration_time_course("baclofen", f"{mg * scale} mg {route}", "human", HOURS, site)
    assert np.all(c1 >= 0) and np.all(np.isfinite(c1))
    np.testing.assert_allclose(c2, scale * c1, rtol=1e-9, atol=1e-300)


# ----------------------------------------------------------------------------- cohorts


def test_subjects_are_reproducible_and_vary_log_normally():
    times = np.array([1.5 * 3600.0])
    a = concentration_time_course("baclofen", "50 mg p.o.", "human", times, subjects=400, rng=7)
    b = concentration_time_course("baclofen", "50 mg p.o.", "human", times, subjects=400, rng=7)
    assert a.shape == (400, 1)
    np.testing.assert_array_equal(a, b)
    typical = concentration_time_course("baclofen", "50 mg p.o.", "human", times)
    assert 0.6 < np.median(a) / typical[0] < 1.4
    assert 0.1 < np.std(np.log(a)) < 0.8


def test_dose_normalised_area_falls_as_one_over_clearance():
    model = pharmacokinetic_model("baclofen", "human")
    subjects = draw_subjects(model, 6, np.random.default_rng(3))
    times = np.linspace(0, 96 * 3600, 20001)
    c = concentration_time_course("baclofen", "50 mg IV", "human", times, subjects=subjects)
    auc = np.trapezoid(c, times, axis=1)
    clearance = subjects.rates["elimination_rate"] * subjects.central_volume
    np.testing.assert_allclose(auc, 5e-5 / model.molar_mass / clearance, rtol=1e-3)


# ----------------------------------------------------------------------------- library data


def test_every_pharmacokinetic_table_of_the_library_is_valid_and_cited():
    found = 0
    for name in list_compounds():
        for species in pharmacokinetic_species(name):
            model = pharmacokinetic_model(name, species)
            found += 1
            for parameter in model.parameters():
                assert parameter.source or parameter.calibrated.startswith("seed:"), parameter
    assert found >= 7


@pytest.mark.parametrize(("compound", "dose", "species", "site"), [
    ("baclofen", "50 mg p.o.", "human", "csf"),
    ("ketamine", "10 mg/kg i.p.", "mouse", "brain"),
    ("ketamine", "15 mg/kg i.p.", "rat", "brain"),
    ("s_ketamine", "15 mg/kg i.p.", "rat", "plasma"),
    ("r_ketamine", "10 mg/kg i.p.", "mouse", "brain"),
    ("ketamine", "0.5 mg/kg IV over 40 min", "human", "effect_site"),
])
def test_the_needed_compound_routes_and_sites_exist(compound, dose, species, site):
    times = np.linspace(0, 6 * 3600, 361)
    c = concentration_time_course(compound, dose, species, times, site)
    assert c[0] == 0.0 and c.max() > 0 and c[-1] < c.max()


def test_baclofen_csf_is_about_twelve_percent_of_plasma_late_after_an_oral_dose():
    times = np.array([12 * 3600.0])
    plasma = concentration_time_course("baclofen", "50 mg p.o.", "human", times)
    csf = concentration_time_course("baclofen", "50 mg p.o.", "human", times, "csf")
    assert 0.10 < csf[0] / plasma[0] < 0.20  # lags plasma, so slightly above 12 % when falling


def test_ketamine_effect_site_lags_plasma_during_an_infusion():
    times = np.array([300.0, 2400.0])
    plasma = concentration_time_course("ketamine", "0.5 mg/kg IV over 40 min", "human", times)
    effect = concentration_time_course("ketamine", "0.5 mg/kg IV over 40 min", "human", times,
                                       "effect_site")
    assert effect[0] < plasma[0]
    assert effect[1] == pytest.approx(plasma[1], rel=0.1)


@pytest.mark.parametrize("compound", ["ketamine", "s_ketamine", "r_ketamine"])
def test_human_ketamine_brain_site_is_the_effect_site_on_the_rodent_tissue_scale(compound):
    times = np.linspace(0.0, 6 * 3600.0, 73)
    dose = "0.44 mg/kg IV over 40 min"
    effect = concentration_time_course(compound, dose, "human", times, "effect_site")
    brain = concentration_time_course(compound, dose, "human", times, "brain")
    # same ratio as the mouse brain site, same equilibration as the effect site
    mouse_ratio = pharmacokinetic_model(compound, "mouse").sites["brain"].ratio.value
    assert mouse_ratio == 6.5
    np.testing.assert_allclose(brain, mouse_ratio * effect, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize(("args", "field"), [
    (("baclofen", "50 mg p.o.", "dog", [0.0]), "species"),
    (("baclofen", "50 mg i.p.", "human", [0.0]), "dose.route"),
    (("baclofen", "50 mg p.o.", "human", [0.0], "brain"), "site"),
    (("baclofen", "50 mg p.o.", "human", [-1.0]), "times"),
    (("nonexistent", "50 mg p.o.", "human", [0.0]), "compound"),
])
def test_unknown_species_route_site_and_bad_times_are_input_errors(args, field):
    with pytest.raises(InputError) as error:
        concentration_time_course(*args)
    assert error.value.field == field


def test_missing_citation_in_a_pharmacokinetic_table_is_rejected(tmp_path):
    compound = _compound(tmp_path)
    path = tmp_path / "pktest.toml"
    path.write_text(path.read_text().replace('kind = "mass"\nsource = "test"', 'kind = "mass"'))
    with pytest.raises(InputError, match="body_mass"):
        pharmacokinetic_model(load_compound_file(path), "human")
    assert compound.name == "pktest"


def test_compounds_without_pharmacokinetics_still_load():
    assert load_compound("d_apv").pharmacokinetics == ()


@pytest.mark.parametrize(("options", "field"), [
    ({"subjects": 2.5}, "subjects"),
    ({"subjects": True}, "subjects"),
    ({"subjects": 0}, "subjects"),
    ({"subjects": 3, "rng": -1}, "rng"),
])
def test_bad_subject_counts_and_seeds_are_input_errors(options, field):
    with pytest.raises(InputError) as error:
        concentration_time_course("baclofen", "50 mg p.o.", "human", np.array([0.0, 3600.0]),
                                  **options)
    assert error.value.field == field

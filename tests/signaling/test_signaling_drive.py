"""Concentrations -> network inputs, through the declared compound effects only."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from synpharm.compounds import TargetEffect, load_compound
from synpharm.errors import InputError
from synpharm.parameters import Parameter, load_parameter_set, package_parameter_file
from synpharm.pharmacology import hill_inhibition
from synpharm.signaling import drive_from_concentrations, list_regions

TIMES = np.linspace(0.0, 12 * 3600.0, 145)


def test_no_drug_gives_zero_inputs():
    drive = drive_from_concentrations({}, TIMES)
    assert set(drive) >= {"nmda_block_pyramidal", "nmda_block_interneuron", "gabab_occupancy",
                          "mtorc1_inhibition", "trkb_inhibition", "erk_direct_activation"}
    assert all(np.all(v == 0) for v in drive.values())


def test_constant_ketamine_reaches_the_mg_competitive_equilibrium():
    """At constant c the resting block approaches (c/Kd(V)) / (1 + m(V) + c/Kd(V))."""
    c = 0.01
    drive = drive_from_concentrations({"ketamine": np.full(TIMES.size, c)}, TIMES)
    region = load_parameter_set(package_parameter_file("signaling_drive_mpfc"))
    blocker = load_compound("ketamine").effects(target="NMDA")[0]
    v = region["resting_potential_pyramidal"]
    kd = blocker.value("kd_0mV") * np.exp(v / blocker.value("voltage_e_fold"))
    m = region["extracellular_magnesium"] * np.exp(-region["mg_block_voltage_slope"] * v) \
        / region["mg_block_half_concentration"]
    expected = (c / kd) / (1 + m + c / kd)
    assert drive["nmda_block_pyramidal"][-1] == pytest.approx(expected, rel=1e-3)
    assert drive["nmda_block_pyramidal"][0] == 0.0
    assert np.all(np.diff(drive["nmda_block_pyramidal"]) >= -1e-12)


def test_interneurons_are_blocked_more_than_pyramidal_cells():
    drive = drive_from_concentrations({"ketamine": np.full(TIMES.size, 0.005)}, TIMES)
    assert drive["nmda_block_interneuron"][-1] > drive["nmda_block_pyramidal"][-1] > 0


def test_enantiomers_differ_through_their_declared_targets():
    """(S) blocks NMDA more; only (R) declares an NMDA-independent ERK drive (Yang et al. 2018)."""
    s = drive_from_concentrations({"s_ketamine": np.full(TIMES.size, 0.005)}, TIMES)
    r = drive_from_concentrations({"r_ketamine": np.full(TIMES.size, 0.005)}, TIMES)
    assert s["nmda_block_pyramidal"][-1] > r["nmda_block_pyramidal"][-1]
    assert s["erk_direct_activation"].max() == 0.0
    erk = next(t for t in load_compound("r_ketamine").targets if t.target == "ERK_pathway")
    occupancy = hill_occupancy_reference(0.005, erk.value("ec50"), erk.value("hill"))
    assert r["erk_direct_activation"][0] == pytest.approx(occupancy)


def hill_occupancy_reference(c: float, ec50: float, hill: float) -> float:
    """Hill occupancy written out independently of the code under test."""
    return c**hill / (c**hill + ec50**hill)


def test_blockers_map_to_their_inputs_by_hill_inhibition():
    c = np.full(TIMES.size, 1e-6)  # 1 nM
    drive = drive_from_concentrations({"rapamycin": c, "ANA-12": c * 50}, TIMES)
    rapamycin = load_compound("rapamycin").targets[0]
    expected = hill_inhibition(1e-6, rapamycin.value("ic50"), rapamycin.value("hill"))
    assert drive["mtorc1_inhibition"][0] == pytest.approx(float(expected))
    assert 0 < drive["trkb_inhibition"][0] < 1
    assert drive["nmda_block_pyramidal"].max() == 0.0


def test_baclofen_occupies_gabab():
    drive = drive_from_concentrations({"baclofen": np.full(TIMES.size, 0.01)}, TIMES)
    assert 0 < drive["gabab_occupancy"][0] < 1


def test_a_declared_erk_pathway_target_drives_its_input():
    """A compound property (not code) carries an NMDA-independent ERK drive."""
    base = load_compound("s_ketamine")  # declares no ERK target of its own
    assert not any(t.target == "ERK_pathway" for t in base.targets)
    ec50 = Parameter("ec50", 1e-3, "concentration", "1 uM", calibrated="test")
    hill = Parameter("hill", 1.0, "dimensionless", "1", calibrated="test")
    extra = TargetEffect("ERK_pathway", "agonist", (ec50, hill))
    compound = replace(base, targets=(*base.targets, extra))
    drive = drive_from_concentrations({compound: np.full(TIMES.size, 1e-3)}, TIMES)
    assert drive["erk_direct_activation"][0] == pytest.approx(0.5)


def test_cohort_axis_is_kept():
    c = np.outer([0.5, 1.0, 2.0], np.full(TIMES.size, 0.005))
    drive = drive_from_concentrations({"ketamine": c}, TIMES)
    assert drive["nmda_block_pyramidal"].shape == (3, TIMES.size)
    assert np.all(np.diff(drive["nmda_block_pyramidal"][:, -1]) > 0)


def test_regions():
    assert {"mpfc", "ca1"} <= set(list_regions())
    with pytest.raises(InputError, match="unknown region"):
        drive_from_concentrations({}, TIMES, region="cerebellum")


@pytest.mark.parametrize(("concentration", "message"), [
    (np.zeros(3), "shape"), (np.full(TIMES.size, -1.0), "negative")])
def test_bad_concentrations_are_input_errors(concentration, message):
    with pytest.raises(InputError, match=message):
        drive_from_concentrations({"ketamine": concentration}, TIMES)


def test_unknown_compound_is_an_input_error():
    with pytest.raises(InputError, match="unknown compound"):
        drive_from_concentrations({"no_such_drug": np.zeros(TIMES.size)}, TIMES)

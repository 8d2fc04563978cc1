"""Direction and timing of the pathway effects (synthetic brain concentration curves).

Each test states a published qualitative result; the numbers compared are simulated.
"""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.signaling import drive_from_concentrations, simulate_signaling

KETAMINE_PEAK = 0.02  # 20 uM brain peak, the order of a 10 mg/kg i.p. dose in mice


def _run(network, times, concentrations, ablations=()):
    inputs = drive_from_concentrations(concentrations, times)
    return simulate_signaling(network, times, inputs, ablations=ablations).species


def _constant(times, value):
    return np.full(times.size, value)


@pytest.fixture(scope="module")
def ketamine_runs(network, hours_grid, bateman):
    c = bateman(hours_grid, KETAMINE_PEAK)
    return {
        "saline": _run(network, hours_grid, {}),
        "ketamine": _run(network, hours_grid, {"ketamine": c}),
        "rapamycin": _run(network, hours_grid, {"rapamycin": _constant(hours_grid, 1e-4)}),
        "ketamine+rapamycin": _run(network, hours_grid, {
            "ketamine": c, "rapamycin": _constant(hours_grid, 1e-4)}),
        "ana12": _run(network, hours_grid, {"ana_12": _constant(hours_grid, 4e-4)}),
        "ketamine+ana12": _run(network, hours_grid, {
            "ketamine": c, "ana_12": _constant(hours_grid, 4e-4)}),
        "no_creb_link": _run(network, hours_grid, {"ketamine": c},
                             ablations=("creb_bdnf_transcription",)),
    }


def _at(times, values, hours):
    return float(np.interp(hours * 3600.0, times, values))


def test_mtorc1_activation_is_rapid_and_transient(ketamine_runs, hours_grid):
    """SEED-KET-8: peak within ~1 h, near baseline by ~3 h (Li et al. 2010)."""
    mtorc1 = ketamine_runs["ketamine"]["mtorc1_active"]
    peak_rise = mtorc1.max() - 1.0
    assert peak_rise > 0.05
    assert hours_grid[np.argmax(mtorc1)] / 3600 <= 1.25
    assert abs(_at(hours_grid, mtorc1, 3.0) - 1.0) < 0.2 * peak_rise


def test_synaptic_proteins_rise_and_outlast_mtorc1(ketamine_runs, hours_grid):
    protein = ketamine_runs["ketamine"]["synaptic_protein"]
    mtorc1 = ketamine_runs["ketamine"]["mtorc1_active"]
    rise_24h = _at(hours_grid, protein, 24.0) - 1.0
    assert rise_24h > 0
    assert rise_24h > 0.5 * (protein.max() - 1.0)  # still up at 24 h
    assert abs(_at(hours_grid, mtorc1, 24.0) - 1.0) < 0.1 * rise_24h + 1e-4


def _effect(runs, arm, reference, species, times, hours):
    return _at(times, runs[arm][species] - runs[reference][species], hours)


def test_rapamycin_abolishes_the_mtorc1_and_protein_rise(ketamine_runs, hours_grid):
    full = _effect(ketamine_runs, "ketamine", "saline", "synaptic_protein", hours_grid, 6)
    blocked = _effect(ketamine_runs, "ketamine+rapamycin", "rapamycin", "synaptic_protein",
                      hours_grid, 6)
    assert full > 0
    assert abs(blocked) < 0.1 * full
    mtorc1_full = np.max(ketamine_runs["ketamine"]["mtorc1_active"] - 1)
    mtorc1_blocked = np.max(ketamine_runs["ketamine+rapamycin"]["mtorc1_active"]
                            - ketamine_runs["rapamycin"]["mtorc1_active"])
    assert mtorc1_blocked < 0.1 * mtorc1_full


def test_ana12_abolishes_the_bdnf_dependent_rise(ketamine_runs, hours_grid):
    """TrkB block removes the downstream synaptic-protein and pCREB rise, not BDNF itself."""
    full = _effect(ketamine_runs, "ketamine", "saline", "synaptic_protein", hours_grid, 6)
    blocked = _effect(ketamine_runs, "ketamine+ana12", "ana12", "synaptic_protein",
                      hours_grid, 6)
    assert abs(blocked) < 0.1 * full
    pcreb_rise = np.max(ketamine_runs["ketamine+ana12"]["pcreb"]
                        - ketamine_runs["ana12"]["pcreb"])
    # 400 nM ANA-12 removes ~90 % of TrkB activation (IC50 45.6 nM), so ~10 % may remain
    assert pcreb_rise < 0.2 * (ketamine_runs["ketamine"]["pcreb"].max() - 1)
    assert ketamine_runs["ketamine+ana12"]["bdnf"].max() > 1.0  # translation upstream of TrkB


def _elevation_hours(times, values):
    change = values - values[0]
    above = times[change >= 0.5 * change.max()]
    return (above[-1] - above[0]) / 3600.0


def test_removing_creb_to_bdnf_shortens_the_bdnf_elevation(ketamine_runs, hours_grid):
    intact = _elevation_hours(hours_grid, ketamine_runs["ketamine"]["bdnf"])
    ablated = _elevation_hours(hours_grid, ketamine_runs["no_creb_link"]["bdnf"])
    assert ablated < intact - 0.25
    assert ketamine_runs["ketamine"]["pcreb"].max() > 1.02


def test_ablated_network_starts_from_its_own_steady_state(ketamine_runs):
    bdnf = ketamine_runs["no_creb_link"]["bdnf"]
    assert bdnf[0] < 1.0  # less basal transcription without the CREB-dependent share
    assert abs(bdnf[1] - bdnf[0]) < 1e-3


def test_baclofen_lowers_camp_pka_and_pcreb(network, hours_grid):
    species = _run(network, hours_grid, {"baclofen": _constant(hours_grid, 0.01)})
    for name in ("camp", "pka_active", "pcreb"):
        assert species[name][-1] < 0.99, name
    assert species["gi_active"][-1] > 0


def test_glutamate_surge_is_largest_at_subanaesthetic_concentrations(network, bateman):
    """Inverted U (Moghaddam et al. 1997): interneuron-preferring block disinhibits at moderate
    concentrations; at high concentrations pyramidal NMDA block dominates."""
    times = np.linspace(0.0, 4 * 3600.0, 97)
    surge = {peak: _run(network, times, {"ketamine": bateman(times, peak)})[
        "glutamate_release"].max() for peak in (0.002, 0.02, 2.0)}
    assert surge[0.02] > surge[2.0]
    assert surge[0.02] > 1.1


def test_s_ketamine_acts_more_than_r_ketamine_at_equal_concentration(network, hours_grid,
                                                                     bateman):
    """Without a declared downstream target, only NMDA affinity separates the enantiomers."""
    c = bateman(hours_grid, 0.005)
    s = _run(network, hours_grid, {"s_ketamine": c})["bdnf"].max()
    r = _run(network, hours_grid, {"r_ketamine": c})["bdnf"].max()
    assert s > r > 1.0

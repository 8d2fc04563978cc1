"""Bath mechanisms: Dodge & Rahamimoff release site (Ca2+ cooperativity, Mg2+ competition),
NMDA Mg2+ block from the bath, Q10 on synaptic decay, defaults that change nothing."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from synpharm.errors import InputError
from synpharm.model import slice_state as L
from synpharm.model.bath import bath_calcium_influx, calcium_site_occupancy, q10_rate_factor
from synpharm.model.channels import mg_unblocked_fraction, release_probability
from synpharm.parameters import ParameterSet
from synpharm.preparations.bath import bath_effects, reference_bath, temperature_constants
from synpharm.preparations.ca1_slice import ca1_slice, draw_slices, slice_constants
from synpharm.preparations.dentate_gyrus import dentate_gyrus_slice
from synpharm.protocols import Bath
from synpharm.solvers._neuron import bath_magnesium, nmda_calcium_drive
from synpharm.solvers.run import EngineSettings, run_schedule

P = ca1_slice().parameters
N = P["release_calcium_cooperativity"]
P_MAX = P["release_probability_max"]


def _release(calcium_mM: float, magnesium_mM: float, p_control: float = 0.25) -> float:
    """Release probability of a site (control p at the reference ACSF) in another bath."""
    influx = bath_calcium_influx(calcium_mM, magnesium_mM, P["calcium_concentration"],
                                 P["mg_concentration"], P["release_site_calcium_kd"],
                                 P["release_site_magnesium_kd"])
    half_power = (P_MAX - p_control) / p_control
    return release_probability(influx, half_power, N, P_MAX)


def _log_slope(magnesium_mM: float, low: float, high: float) -> float:
    return math.log(_release(high, magnesium_mM) / _release(low, magnesium_mM)) / math.log(
        high / low)


@pytest.mark.parametrize("magnesium_mM", [0.0, 1.3, 4.0])
def test_release_scales_with_calcium_to_the_cooperativity_power_at_low_calcium(magnesium_mM):
    """Dodge & Rahamimoff: log release vs log [Ca] has slope n at low [Ca], with or without Mg."""
    assert _log_slope(magnesium_mM, 0.001, 0.002) == pytest.approx(N, abs=0.02)


def test_the_slope_flattens_towards_normal_calcium():
    """The site saturates and p approaches p_max: the slope falls as [Ca] rises."""
    slopes = [_log_slope(1.3, c, 1.1 * c) for c in (0.05, 0.5, 2.5, 10.0)]
    assert all(a > b for a, b in itertools.pairwise(slopes))
    assert slopes[-1] < 1.0


def test_magnesium_competes_a_shift_along_the_calcium_axis():
    """Mg2+ divides the effective Ca2+ by (1 + Mg/K_Mg) at low [Ca] (competition at X)."""
    k_mg = P["release_site_magnesium_kd"]
    for mg in (1.3, 4.0):
        shift = 1.0 + mg / k_mg
        assert _release(0.05 * shift, mg) == pytest.approx(_release(0.05, 0.0), rel=0.02)
        assert _release(0.5, mg) < _release(0.5, 0.0)


def test_site_occupancy_closed_form():
    assert calcium_site_occupancy(1.0, 0.0, 1.0, 3.0) == 0.5
    assert calcium_site_occupancy(1.0, 3.0, 1.0, 3.0) == pytest.approx(1.0 / 3.0)


def test_reference_bath_changes_nothing_bit_for_bit():
    for bath in (Bath(), reference_bath(P)):
        assert bath_effects(P, bath) == (1.0, 0.0)
    c = slice_constants(ca1_slice())
    assert temperature_constants(c, P, Bath()) is c
    assert temperature_constants(c, P, Bath(temperature=P["recording_temperature"])) is c


def test_q10_scales_synaptic_decay():
    assert q10_rate_factor(3.0, 305.15, 295.15) == pytest.approx(3.0)
    assert q10_rate_factor(2.4, 300.0, 300.0) == 1.0
    c = slice_constants(ca1_slice())
    cold = temperature_constants(c, P, Bath(temperature=P["recording_temperature"] - 10.0))
    assert cold.ampa_tau == pytest.approx(c.ampa_tau * P["ampa_decay_q10"])
    assert cold.nmda_tau == pytest.approx(c.nmda_tau * P["nmda_decay_q10"])
    assert cold.calcium_tau == c.calcium_tau  # no Q10 declared: unchanged


def test_nmda_block_reads_the_bath_magnesium():
    c = slice_constants(ca1_slice())
    drug = np.zeros((2, L.N_DRUG_COLUMNS))
    drug[1, L.BATH_MAGNESIUM_CHANGE] = bath_effects(P, Bath(magnesium=0.0)).magnesium_change
    assert bath_magnesium(c, drug, 0) == c.mg
    assert bath_magnesium(c, drug, 1) == 0.0
    v = -0.065
    _, unblock_ref = nmda_calcium_drive(c, v, bath_magnesium(c, drug, 0))
    _, unblock_free = nmda_calcium_drive(c, v, bath_magnesium(c, drug, 1))
    assert unblock_free == 1.0
    assert unblock_ref == pytest.approx(mg_unblocked_fraction(v, c.mg, c.mg_slope, c.mg_scale))


def _spine_calcium_after_a_pulse(magnesium_change: float) -> float:
    prep = ca1_slice()
    pop = draw_slices(prep, np.random.SeedSequence(3).spawn(1))
    drugs = np.zeros((1, L.N_DRUG_COLUMNS))
    drugs[:, [L.PRE_CALCIUM, L.GABA_PRE_CALCIUM, L.NMDA_AVAILABLE, L.NAV_AVAILABLE]] = 1.0
    drugs[:, L.BATH_MAGNESIUM_CHANGE] = magnesium_change
    p = prep.parameters
    settings = EngineSettings(p["pulse_window"], p["train_tail"], 1.0)
    run_schedule(slice_constants(prep), pop, np.array([1.0]), np.array([0.5]),
                 np.array([True]), lambda t: drugs, settings, 1.05)
    return float(pop.calcium.sum())


def test_zero_bath_magnesium_raises_spine_calcium_in_the_engine():
    ref = _spine_calcium_after_a_pulse(0.0)
    free = _spine_calcium_after_a_pulse(-P["mg_concentration"])
    assert free > 2.0 * ref > 0.0


def test_lower_calcium_lowers_the_terminal_influx():
    low = bath_effects(P, Bath(calcium=1.3))
    no_mg = bath_effects(P, Bath(magnesium=0.0))
    assert 0.0 < low.influx < 1.0
    assert no_mg.influx > 1.0  # Mg2+ no longer competes at X
    assert no_mg.magnesium_change == -P["mg_concentration"]


def test_a_preparation_without_reference_acsf_refuses_a_bath():
    bare = ParameterSet("bare")
    assert reference_bath(bare) is None
    assert bath_effects(bare, Bath()) == (1.0, 0.0)
    with pytest.raises(InputError, match=r"experiment\.bath"):
        bath_effects(bare, Bath(calcium=1.3), "experiment.bath")


def test_dentate_gyrus_declares_the_same_reference_acsf():
    dg = dentate_gyrus_slice().parameters
    assert reference_bath(dg) == reference_bath(P)
    assert bath_effects(dg, Bath(calcium=1.3)).influx < 1.0

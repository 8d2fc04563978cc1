"""Pharmacology: closed forms, ODE references (solve_ivp) and properties (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad, solve_ivp

from synpharm.compounds import load_compound
from synpharm.pharmacology import (
    ExposureEvent,
    bath_concentration,
    blocker_unbinding_rate,
    closed_channel_block_step,
    competitive_fraction_available,
    drug_effects,
    gaddum_occupancy,
    hill_inhibition,
    hill_occupancy,
    open_channel_block_equilibrium,
    open_channel_block_step,
)

UM = 1e-3  # 1 uM in mol/m^3
MV = 1e-3  # 1 mV in V

concentrations = st.floats(min_value=0.0, max_value=1e3, allow_nan=False)
positive = st.floats(min_value=1e-9, max_value=1e2, allow_nan=False)
hills = st.floats(min_value=0.3, max_value=4.0)


# ----------------------------------------------------------------------------- binding


@pytest.mark.parametrize("hill", [0.5, 1.0, 2.0, 4.0])
def test_half_occupancy_at_ec50(hill: float):
    assert hill_occupancy(3.8 * UM, 3.8 * UM, hill) == pytest.approx(0.5)
    assert hill_inhibition(128 * UM, 128 * UM, hill) == pytest.approx(0.5)


def test_hill_closed_form_and_limits():
    c = np.array([0.0, 1 * UM, 10 * UM, 1.0, 1e6])
    expected = c**2 / (c**2 + (3 * UM) ** 2)
    np.testing.assert_allclose(hill_occupancy(c, 3 * UM, 2.0), expected, rtol=1e-12)
    assert hill_occupancy(0.0, 3 * UM) == 0.0
    assert hill_occupancy(1e300, 3 * UM) == 1.0


def test_competitive_fraction_available_closed_form():
    assert competitive_fraction_available(0.0, 1.4 * UM) == 1.0
    assert competitive_fraction_available(1.4 * UM, 1.4 * UM) == pytest.approx(0.5)
    assert competitive_fraction_available(50 * UM, 1.4 * UM) == pytest.approx(1 / (1 + 50 / 1.4))


@pytest.mark.parametrize("hill", [1.0, 2.0])
def test_gaddum_dose_ratio_shifts_ec50(hill: float):
    ec50, kd, c_ant = 3 * UM, 5e-3 * UM, 1 * UM
    dose_ratio = 1 + c_ant / kd
    assert gaddum_occupancy(ec50 * dose_ratio, ec50, hill, [(c_ant, kd)]) == pytest.approx(0.5)
    # two antagonists add their c/Kd terms
    two = gaddum_occupancy(ec50 * (1 + 2 * c_ant / kd), ec50, hill, [(c_ant, kd), (c_ant, kd)])
    assert two == pytest.approx(0.5)
    # no antagonists: plain Hill
    assert gaddum_occupancy(ec50, ec50, hill) == pytest.approx(0.5)


@settings(max_examples=200, deadline=None)
@given(st.lists(concentrations, min_size=2, max_size=20), positive, hills, concentrations, positive)
def test_occupancy_monotone_bounded_no_nan(cs, ec50, hill, c_ant, kd):
    c = np.sort(np.array(cs))
    with_antagonist = gaddum_occupancy(c, ec50, hill, [(c_ant, kd)])
    for occupancy in (hill_occupancy(c, ec50, hill), with_antagonist):
        assert not np.any(np.isnan(occupancy))
        assert np.all((occupancy >= 0) & (occupancy <= 1))
        assert np.all(np.diff(occupancy) >= -1e-15)
    # an antagonist never increases occupancy
    assert np.all(gaddum_occupancy(c, ec50, hill, [(c_ant, kd)]) <= hill_occupancy(c, ec50, hill)
                  + 1e-15)


# ----------------------------------------------------------------------------- exposure

EVENTS = [
    ExposureEvent(time=600.0, compound="baclofen", target_concentration=0.0, exchange_time=90.0),
    ExposureEvent(time=0.0, compound="baclofen", target_concentration=10 * UM, exchange_time=60.0),
    ExposureEvent(time=100.0, compound="d_apv", target_concentration=50 * UM, exchange_time=30.0),
]


def test_wash_in_closed_form():
    t = np.array([-10.0, 0.0, 60.0, 600.0, 690.0])
    c = bath_concentration(t, EVENTS, "baclofen")
    c600 = 10 * UM * (1 - np.exp(-10))
    expected = [0.0, 0.0, 10 * UM * (1 - np.exp(-1)), c600, c600 * np.exp(-1)]
    np.testing.assert_allclose(c, expected, rtol=1e-12, atol=1e-18)
    assert c.shape == t.shape


def test_wash_in_matches_ode():
    def rhs(time, y):
        active = [e for e in EVENTS if e.compound == "baclofen" and e.time <= time]
        event = max(active, key=lambda e: e.time) if active else None
        if event is None:
            return [0.0]
        return [(event.target_concentration - y[0]) / event.exchange_time]

    t_eval = np.linspace(0, 1200, 241)
    solution = solve_ivp(rhs, (0, 1200), [0.0], t_eval=t_eval, rtol=1e-10, atol=1e-14,
                         max_step=5.0)
    np.testing.assert_allclose(bath_concentration(t_eval, EVENTS, "baclofen"), solution.y[0],
                               rtol=1e-6, atol=1e-10)


def test_exposure_other_compounds_aliases_steps():
    apv = bath_concentration(np.array([50.0, 100.0, 1e4]), EVENTS, load_compound("D-AP5"))
    np.testing.assert_allclose(apv, [0.0, 0.0, 50 * UM])
    assert np.all(bath_concentration(np.linspace(0, 1e3, 5), EVENTS, "ketamine") == 0.0)
    step = [ExposureEvent(5.0, "esketamine", 1 * UM, 0.0)]
    np.testing.assert_allclose(bath_concentration([4.9, 5.0, 9.0], step, "s_ketamine"),
                               [0.0, 1 * UM, 1 * UM])
    assert float(bath_concentration(3.0, [], "ketamine", initial=2 * UM)) == 2 * UM


def test_exposure_event_validation():
    with pytest.raises(ValueError):
        ExposureEvent(0.0, "ketamine", -1.0, 10.0)
    with pytest.raises(ValueError):
        ExposureEvent(0.0, "ketamine", 1.0, float("nan"))


# ----------------------------------------------------------------------------- open-channel block

KON, KD0, VE, C = 1.4e5, 0.494 * UM, 30 * MV, 10 * UM


def test_block_stronger_when_hyperpolarised_and_at_equilibrium_formula():
    b_rest = open_channel_block_equilibrium(C, KD0, -70 * MV, VE)
    b_dep = open_channel_block_equilibrium(C, KD0, 0.0, VE)
    assert b_rest > b_dep
    assert b_dep == pytest.approx(C / (C + KD0))
    koff = blocker_unbinding_rate(KD0, KON, -70 * MV, VE)
    assert koff == pytest.approx(KON * KD0 * np.exp(-70 / 30))
    assert b_rest == pytest.approx(KON * C / (KON * C + koff))
    # the exact step converges to the equilibrium after a long open time
    assert open_channel_block_step(0.0, 10.0, C, KON, koff) == pytest.approx(b_rest)


def _open_probability(t):
    return 0.4 * np.exp(-t / 0.05) * (1 - np.exp(-t / 0.005)) + 0.02 * (1 + np.sin(40 * t))


@pytest.mark.parametrize("v", [-70 * MV, -30 * MV, 20 * MV])
@pytest.mark.parametrize("b0", [0.0, 0.3, 0.95])
def test_block_step_matches_ode(v: float, b0: float):
    koff = float(blocker_unbinding_rate(KD0, KON, v, VE))
    t_end = 0.3

    def rhs(t, b):
        return _open_probability(t) * (KON * C * (1 - b) - koff * b)

    solution = solve_ivp(rhs, (0, t_end), [b0], rtol=1e-11, atol=1e-13, max_step=1e-3)
    open_time, _ = quad(_open_probability, 0, t_end, limit=500, epsabs=1e-13)
    assert open_channel_block_step(b0, open_time, C, KON, koff) == pytest.approx(
        solution.y[0, -1], rel=1e-7, abs=1e-10)


@settings(max_examples=100, deadline=None)
@given(st.floats(0, 1), st.floats(0, 0.2), st.floats(0, 0.2), st.floats(0, 1),
       st.floats(-0.1, 0.05))
def test_block_steps_compose_and_stay_bounded(b0, t1, t2, c, v):
    koff = blocker_unbinding_rate(KD0, KON, v, VE)
    two = open_channel_block_step(open_channel_block_step(b0, t1, c, KON, koff), t2, c, KON, koff)
    one = open_channel_block_step(b0, t1 + t2, c, KON, koff)
    assert two == pytest.approx(one, abs=1e-12)
    assert 0.0 <= one <= 1.0


def test_block_step_vectorised_and_washout():
    b = open_channel_block_step(np.array([0.0, 0.5, 1.0]), 0.1, 0.0, KON, 5.0)
    np.testing.assert_allclose(b, np.array([0.0, 0.5, 1.0]) * np.exp(-0.5))


def test_closed_channel_step_trapping():
    assert closed_channel_block_step(0.6, 100.0, 5.0, trapping=True) == 0.6
    assert closed_channel_block_step(0.6, 0.2, 5.0, trapping=False) == pytest.approx(
        0.6 * np.exp(-1.0))


# ----------------------------------------------------------------------------- declared effects


def test_no_drug_means_no_effect():
    effects = drug_effects([])
    assert effects.gabab_postsynaptic_occupancy == 0.0
    assert effects.nmda_glutamate_site_available == 1.0
    assert effects.nav_available == 1.0
    assert effects.nmda_blockers == ()


def test_baclofen_with_and_without_cgp55845():
    baclofen, cgp = load_compound("baclofen"), load_compound("cgp55845")
    c = np.linspace(0, 100 * UM, 11)
    alone = drug_effects([(baclofen, c)])
    (post,) = baclofen.effects(target="GABAB_postsynaptic_GIRK")
    np.testing.assert_allclose(alone.gabab_postsynaptic_occupancy,
                               hill_occupancy(c, post.value("ec50"), post.value("hill")))
    assert alone.gabab_postsynaptic_occupancy.shape == (11,)
    blocked = drug_effects([(baclofen, c), (cgp, 1 * UM)])
    kd = cgp.targets[0].value("kd")
    for field, site in [("gabab_presynaptic_glutamatergic_occupancy",
                         "GABAB_presynaptic_glutamatergic"),
                        ("gabab_presynaptic_gabaergic_occupancy", "GABAB_presynaptic_gabaergic"),
                        ("gabab_postsynaptic_occupancy", "GABAB_postsynaptic_GIRK")]:
        (effect,) = baclofen.effects(target=site)
        np.testing.assert_allclose(
            getattr(blocked, field),
            gaddum_occupancy(c, effect.value("ec50"), effect.value("hill"), [(1 * UM, kd)]))
        assert np.all(getattr(blocked, field)[1:] < getattr(alone, field)[1:])


def test_apv_and_ketamine_effects():
    ketamine, apv = load_compound("ketamine"), load_compound("D-APV")
    c_ket = np.array([0.0, 10 * UM, 500 * UM])
    effects = drug_effects([(ketamine, c_ket), (apv, 50 * UM)])
    np.testing.assert_allclose(effects.nmda_glutamate_site_available, 1 / (1 + 50 / 1.4))
    assert effects.nmda_glutamate_site_available.shape == (3,)
    (blocker,) = effects.nmda_blockers
    np.testing.assert_allclose(blocker.concentration, c_ket)
    assert blocker.trapping and blocker.compound == "ketamine"
    c, kd0, kon, ve, trapping, _ = blocker  # unpacks like the tuple the engine expects
    assert c is blocker.concentration
    assert (kd0, kon, ve, trapping) == (blocker.kd_0mV, blocker.k_on, blocker.voltage_e_fold, True)
    nav = effects.nav_available
    assert nav[0] == 1.0 and nav[1] > 0.9 and nav[2] < 0.35
    assert any("HCN1" in text for text in effects.ignored_effects)


def test_ampa_antagonists_compete_at_one_site():
    """CNQX and NBQX: 1/(1 + sum c/Kd) of AMPA receptors free; nothing else changes."""
    cnqx, nbqx = load_compound("CNQX"), load_compound("NBQX")
    kd_c = cnqx.effects(target="AMPA")[0].value("kd")
    kd_n = nbqx.effects(target="AMPA")[0].value("kd")
    c = np.array([0.0, 1 * UM, 10 * UM])
    alone = drug_effects([(cnqx, c)])
    np.testing.assert_allclose(alone.ampa_available, 1 / (1 + c / kd_c))
    assert alone.ampa_available[2] < 0.05  # 10 uM CNQX: > 95 % of receptors held
    assert np.all(alone.gabaa_available == 1.0) and np.all(alone.nav_available == 1.0)
    both = drug_effects([(cnqx, 1 * UM), (nbqx, 1 * UM)])
    np.testing.assert_allclose(both.ampa_available, 1 / (1 + 1 * UM / kd_c + 1 * UM / kd_n))
    assert any("kainate" in text for text in alone.ignored_effects)


def test_gabaa_competitive_antagonist_and_channel_blocker_multiply():
    """Bicuculline (GABA site) and picrotoxin (pore) act at different sites: fractions multiply."""
    bic, ptx = load_compound("bicuculline"), load_compound("picrotoxin")
    kd = bic.effects(target="GABAA")[0].value("kd")
    (block,) = ptx.effects(target="GABAA")
    c = np.array([0.0, 10 * UM, 100 * UM])
    np.testing.assert_allclose(drug_effects([(bic, c)]).gabaa_available, 1 / (1 + c / kd))
    free = 1 - hill_inhibition(c, block.value("ic50"), block.value("hill"))
    np.testing.assert_allclose(drug_effects([(ptx, c)]).gabaa_available, free)
    both = drug_effects([(bic, 10 * UM), (ptx, 100 * UM)])
    np.testing.assert_allclose(both.gabaa_available, free[2] / (1 + 10 * UM / kd))
    assert drug_effects([]).ampa_available == 1.0 and drug_effects([]).gabaa_available == 1.0


def test_s_ketamine_blocks_more_than_r_at_equal_concentration():
    def block(name: str) -> float:
        (blocker,) = drug_effects([(load_compound(name), 1 * UM)]).nmda_blockers
        return float(open_channel_block_equilibrium(blocker.concentration, blocker.kd_0mV,
                                                    -70 * MV, blocker.voltage_e_fold))
    assert block("s_ketamine") > block("ketamine") > block("r_ketamine")


@settings(max_examples=100, deadline=None)
@given(st.lists(concentrations, min_size=2, max_size=10))
def test_effects_bounded_and_monotone(cs):
    c = np.sort(np.array(cs))
    ket = drug_effects([(load_compound("ketamine"), c)])
    bac = drug_effects([(load_compound("baclofen"), c)])
    for values, sign in [(ket.nav_available, -1), (bac.gabab_postsynaptic_occupancy, 1),
                         (bac.gabab_presynaptic_gabaergic_occupancy, 1)]:
        assert not np.any(np.isnan(values))
        assert np.all((values >= 0) & (values <= 1))
        assert np.all(sign * np.diff(values) >= -1e-15)


def test_two_gabab_agonists_compete():
    baclofen = load_compound("baclofen")
    (glu,) = baclofen.effects(target="GABAB_presynaptic_glutamatergic")
    ec50 = glu.value("ec50")
    # the same agonist given as two halves equals one dose (Hill coefficient 1)
    twice = drug_effects([(baclofen, ec50 / 2), (baclofen, ec50 / 2)])
    assert twice.gabab_presynaptic_glutamatergic_occupancy == pytest.approx(0.5)

"""Acceptance of the CA1 slice experiments against the published targets (TARGETS.md).

Targets used to calibrate parameters (docs/calibration.md) are marked; the others are
validation. Expected values come from the literature, never from the model's own output.
"""

from __future__ import annotations

import itertools

import numpy as np

KETAMINE_LTP_SERIES = ["ketamine 3 uM", "ketamine 10 uM", "ketamine 30 uM", "ketamine 100 uM"]


def test_control_three_trains_give_lasting_ltp(control_3x):
    """LIT-GEN-1 (calibration): 3 x 100 Hz gives 130-180 % at 60 min."""
    assert 130.0 <= control_3x["ltp_percent"] <= 180.0


def test_one_train_gives_less_ltp_than_three(control_1x, control_3x):
    """LIT-GEN-1 (calibration): 1 x 100 Hz gives smaller LTP at 60 min."""
    assert control_1x["ltp_percent"] < control_3x["ltp_percent"] - 5.0


def test_apv_abolishes_ltp_without_changing_baseline(ketamine_series):
    """LIT-KET-2 (validation): D-APV 50 uM, LTP abolished, baseline unchanged."""
    apv = ketamine_series[1]["D-APV 50 uM"]
    assert apv["ltp_percent"] < 110.0
    assert abs(apv["baseline_change_percent"]) <= 10.0


def test_ketamine_lowers_ltp_with_concentration(ketamine_series):
    """SEED-KET-1 (validation): LTP non-increasing over 3-100 uM, >= 20 points down at 100 uM."""
    means = ketamine_series[1]
    ltp = [means[name]["ltp_percent"] for name in KETAMINE_LTP_SERIES]
    # slack 5 points as in SEED-KET-1 (targets.toml): with real slice-to-slice spread (SD ~20
    # points, PHYS-VAR-1) the SEM of a 12-slice mean is ~6 points, so 1 point is noise
    assert all(b <= a + 5.0 for a, b in itertools.pairwise(ltp)), ltp
    assert means["control"]["ltp_percent"] - ltp[-1] >= 20.0


def test_ketamine_basal_transmission_only_at_high_concentration(ketamine_series):
    """SEED-KET-1 (validation up to 100 uM; the 600 uM point calibrates the NaV safety factor)."""
    means = ketamine_series[1]
    for name in KETAMINE_LTP_SERIES:
        assert abs(means[name]["baseline_change_percent"]) <= 10.0, name
    assert means["ketamine 600 uM"]["baseline_change_percent"] < -10.0
    assert means["ketamine 600 uM"]["fiber_volley_change_percent"] < -10.0


def test_ketamine_leaves_paired_pulse_ratio_unchanged(ketamine_pairs):
    """SEED-KET-1 (validation): PPR within +-10 % of control up to 100 uM."""
    control = ketamine_pairs["control"]["ppr"]
    for name in ("ketamine 10 uM", "ketamine 100 uM"):
        assert abs(ketamine_pairs[name]["ppr"] / control - 1.0) <= 0.10


def test_control_paired_pulse_facilitation(ketamine_pairs):
    """Control PPR at 50 ms is facilitating (calibration of residual Ca: ~1.5)."""
    assert 1.3 <= ketamine_pairs["control"]["ppr"] <= 1.7


def test_baclofen_concentration_response_olpe(baclofen_series):
    """LIT-BAC-2 (calibration): none at 0.1 uM, clear at 1 uM, >= 90 % at 25 uM."""
    means = baclofen_series[1]
    assert means["baclofen 0.1 uM"]["baseline_change_percent"] > -10.0
    assert means["baclofen 1 uM"]["baseline_change_percent"] < -10.0
    assert means["baclofen 25 uM"]["baseline_change_percent"] <= -90.0


def test_baclofen_ic50_lanthorn(baclofen_series):
    """LIT-BAC-1 (validation): IC50 from a Hill fit within 1.9-7.6 uM (3.8 uM +- 2x)."""
    fit = baclofen_series[0].analyses["concentration_response"][0]
    assert fit["compound"] == "baclofen"
    assert 1.9 <= fit["ic50_uM"] <= 7.6
    low, high = fit["ic50_ci_uM"]
    assert low <= fit["ic50_uM"] <= high


def test_baclofen_spares_fiber_volley_at_subsaturating_doses(baclofen_series):
    """Wu & Saggau 1995: baclofen acts on presynaptic Ca influx, not on axonal recruitment."""
    for name in ("baclofen 1 uM", "baclofen 3 uM", "baclofen 10 uM"):
        assert abs(baclofen_series[1][name]["fiber_volley_change_percent"]) < 5.0


def test_fiber_volley_does_not_follow_the_abolished_fepsp(baclofen_series):
    """Issue 13: at 25-100 uM baclofen the fEPSP is >= 90 % gone but the axons are untouched;
    the volley, read at a fixed cursor, stays within +-10 % (it "fell" 50-93 % when the
    detector searched before the vanishing fEPSP's onset)."""
    for name in ("baclofen 25 uM", "baclofen 100 uM"):
        assert baclofen_series[1][name]["baseline_change_percent"] < -85.0
        assert abs(baclofen_series[1][name]["fiber_volley_change_percent"]) < 10.0


def test_baclofen_raises_ppr_and_cgp55845_reverses(baclofen_pairs):
    """LIT-BAC-3 (validation): PPR up under baclofen 10 uM; a GABA-B antagonist reverses it."""
    control = baclofen_pairs["control"]["ppr"]
    baclofen = baclofen_pairs["baclofen 10 uM"]["ppr"]
    reversed_ = baclofen_pairs["baclofen 10 uM + CGP55845 1 uM"]["ppr"]
    assert baclofen > control * 1.1
    assert abs(reversed_ - control) < 0.5 * (baclofen - control)


def test_readouts_have_cohort_statistics(ketamine_series):
    """Every readout reports n = cohort and a finite SEM; drugs are tested against control."""
    result = ketamine_series[0]
    for condition in result.conditions:
        for readout in condition.readouts.values():
            assert readout.n == 12
            assert np.isfinite(readout.sem)
    assert np.isfinite(result.conditions[-1].readouts["ltp_percent"].welch_p)

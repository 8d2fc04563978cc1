"""The NMDA charge the kernels record per stimulus (source of the NMDA part of the field)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from synpharm.model import slice_state as L
from synpharm.model.channels import mg_unblocked_fraction
from synpharm.preparations.ca1_slice import ca1_slice, draw_slices, slice_constants
from synpharm.solvers.run import EngineSettings, run_schedule


def _drugs(n: int, nmda: float = 1.0, mg_change: float = 0.0) -> np.ndarray:
    drugs = np.zeros((n, L.N_DRUG_COLUMNS))
    drugs[:, [L.PRE_CALCIUM, L.GABA_PRE_CALCIUM, L.NAV_AVAILABLE]] = 1.0
    drugs[:, L.NMDA_AVAILABLE] = nmda
    drugs[:, L.BATH_MAGNESIUM_CHANGE] = mg_change
    return drugs


def _record(dense: bool, intensity: float = 0.5, n: int = 3, **drug):
    prep = ca1_slice()
    c = slice_constants(prep)
    pop = draw_slices(prep, np.random.SeedSequence(11).spawn(n))
    p = prep.parameters
    settings = EngineSettings(p["pulse_window"], p["train_tail"], 1.0,
                              isolate_spaced_trains=not dense)
    drugs = _drugs(n, **drug)
    rec = run_schedule(c, pop, np.array([5.0]), np.array([intensity]), np.array([dense]),
                       lambda t: drugs, settings, 10.0)
    return c, rec


@pytest.mark.parametrize("dense", [False, True])
def test_nmda_charge_scales_with_the_mg_unblock_at_rest(dense):
    """A weak pulse leaves the dendrite near rest: Q(1.3 mM) / Q(0 mM) -> B(V_rest, 1.3 mM)."""
    c, blocked = _record(dense, intensity=0.2)
    _, free = _record(dense, intensity=0.2, mg_change=-c.mg)
    ratio = blocked.nmda_charge[:, 0] / free.nmda_charge[:, 0]
    expected = mg_unblocked_fraction(c.e_leak, c.mg, c.mg_slope, c.mg_scale)
    np.testing.assert_allclose(ratio, expected, rtol=0.05)


def test_nmda_charge_closed_form_in_zero_mg_at_rest():
    """0 Mg2+, weak pulse: Q = g_open tau_N (E_NMDA - V_rest) (exponential closing)."""
    c, rec = _record(False, intensity=0.2, mg_change=-ca1_slice().parameters["mg_concentration"])
    expected = rec.nmda[:, 0] * c.nmda_tau * (c.e_nmda - c.e_leak)
    np.testing.assert_allclose(rec.nmda_charge[:, 0], expected, rtol=0.03)


@pytest.mark.parametrize("dense", [False, True])
def test_nmda_antagonist_removes_the_charge_not_the_drive(dense):
    _, control = _record(dense)
    _, apv = _record(dense, nmda=0.0)
    assert np.all(control.nmda_charge[:, 0] > 0)
    np.testing.assert_array_equal(apv.nmda_charge[:, 0], 0.0)
    np.testing.assert_array_equal(apv.drive, control.drive)  # same release draws


def test_window_and_isolated_pulse_record_the_same_charge():
    """The step-by-step window and the isolated-pulse path agree for one stimulus."""
    _, isolated = _record(False)
    _, window = _record(True)
    np.testing.assert_array_equal(isolated.drive, window.drive)
    np.testing.assert_allclose(window.nmda_charge, isolated.nmda_charge, rtol=0.02)


def test_charges_of_a_pair_are_attributed_to_each_stimulus():
    """Two pulses 50 ms apart: each stimulus carries the charge of the conductance it opened;
    in 0 Mg2+ at a weak intensity each is the closed form of its opening at rest (the EPSP
    lowers the driving force by a few %)."""
    prep = ca1_slice()
    c = slice_constants(prep)
    n = 3
    pop = draw_slices(prep, np.random.SeedSequence(5).spawn(n))
    p = prep.parameters
    drugs = _drugs(n, mg_change=-c.mg)
    rec = run_schedule(c, pop, np.array([5.0, 5.05]), np.array([0.2, 0.2]),
                       np.array([False, False]), lambda t: drugs,
                       EngineSettings(p["pulse_window"], p["train_tail"], 1.0), 10.0)
    first_open = rec.nmda[:, 0]
    second_opened = rec.nmda[:, 1] - first_open * math.exp(-0.05 / c.nmda_tau)
    drive_force = c.e_nmda - c.e_leak
    np.testing.assert_allclose(rec.nmda_charge[:, 0], first_open * c.nmda_tau * drive_force,
                               rtol=0.05)
    np.testing.assert_allclose(rec.nmda_charge[:, 1], second_opened * c.nmda_tau * drive_force,
                               rtol=0.05)

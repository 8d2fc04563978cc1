"""The NMDA part of the simulated radiatum field (``run_protocol(..., nmda_field=True)``)."""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.protocols import Protocol
from synpharm.experiments.slice import run_protocol


def _protocol(magnesium: str) -> Protocol:
    return Protocol.from_dict({
        "experiment": {"name": "nmda_field", "preparation": "ca1_slice", "cohort": 2, "seed": 4,
                       "bath": {"magnesium": magnesium}},
        "conditions": [{"name": "control"},
                       {"name": "D-APV", "compound": "D-APV", "concentration": "50 uM"}],
        "steps": [{"type": "baseline", "duration": "2 min", "test_rate": "0.05 Hz"},
                  {"type": "wash_in", "duration": "6 min", "test_rate": "0.05 Hz",
                   "exchange_time": "1 min"}],
    })


@pytest.fixture(scope="module")
def runs():
    out = {}
    for mg in ("1.3 mM", "0 mM"):
        protocol = _protocol(mg)
        out[mg] = (run_protocol(protocol), run_protocol(protocol, nmda_field=True))
    return out


def test_default_field_is_the_ampa_drive_only(runs):
    """Without the NMDA part the slopes are those of the AMPA drive; with it, D-APV removes
    exactly what the NMDA part added: the AMPA-only slope of the same slices is recovered."""
    ampa, full = runs["0 mM"]
    apv_ampa, apv_full = ampa.conditions[1].pulses, full.conditions[1].pulses
    late = apv_ampa.time > apv_ampa.time.max() - 120.0  # NMDA sites held by D-APV by then
    np.testing.assert_allclose(apv_full.fepsp_slope[:, late], apv_ampa.fepsp_slope[:, late],
                               rtol=0.01)
    assert np.all(np.abs(full.conditions[0].pulses.fepsp_area)
                  > np.abs(ampa.conditions[0].pulses.fepsp_area))


def test_nmda_share_follows_the_mg_unblock_and_shows_in_the_area(runs):
    """0 Mg2+ raises the NMDA share; D-APV lowers the area more than the slope there."""
    share = {}
    for mg, (ampa, full) in runs.items():
        a, f = ampa.conditions[0].pulses, full.conditions[0].pulses
        share[mg] = float(np.mean(f.fepsp_area[:, :6] / a.fepsp_area[:, :6])) - 1.0
    assert share["0 mM"] > 5 * share["1.3 mM"] > 0
    readouts = runs["0 mM"][1].conditions[1].readouts
    area = float(np.mean(readouts["area_change_percent"].values))
    slope = float(np.mean(readouts["baseline_change_percent"].values))
    assert area < slope < 0

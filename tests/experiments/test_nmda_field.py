"""The NMDA part of the simulated radiatum field (``run_protocol(..., nmda_field=True)``)."""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.experiments.slice import run_protocol
from synpharm.protocols import Protocol


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


def test_d_apv_removes_the_nmda_part_only(runs):
    """The NMDA part is the field's difference with and without it (same slices, same noise);
    D-APV 50 uM removes it in proportion to the NMDA sites it holds (> 90 %), and the AMPA
    part is untouched."""
    ampa, full = runs["0 mM"]
    added = {}
    for k in (0, 1):
        a, f = ampa.conditions[k].pulses, full.conditions[k].pulses
        late = a.time > a.time.max() - 120.0  # D-APV equilibrated by then
        added[k] = np.mean(f.fepsp_area[:, late] - a.fepsp_area[:, late], axis=1)
    assert np.all(added[0] > 0)
    assert np.all(added[1] < 0.1 * added[0])
    assert np.all(added[1] >= 0)


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

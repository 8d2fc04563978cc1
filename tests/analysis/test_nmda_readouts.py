"""The isolated-NMDA readouts around a drug (simulated recordings carry nmda_conductance)."""

from __future__ import annotations

import numpy as np

from synpharm.analysis.readouts import slice_readouts
from synpharm.analysis.results import PulseTable


def _table(nmda: np.ndarray | None, times: np.ndarray) -> PulseTable:
    n = times.size
    ones = np.ones((2, n))
    return PulseTable(times, np.full(n, "test"), np.full(n, 0.5), -ones, ones, ones,
                      nmda_conductance=nmda)


def test_first_response_after_a_quiet_wash_in_and_late_change():
    """Baseline 0-600 s at 1e-9 S; nothing from 600 to 1200 s (wash-in at 0 Hz); the first
    pulse in the drug keeps 90 %, the last 5 min 20 %."""
    times = np.r_[np.arange(0, 600, 20.0), np.arange(1200, 1800, 20.0)]
    nmda = np.where(times < 600, 1e-9, 0.2e-9)[None, :].repeat(2, axis=0)
    nmda[:, times == 1200] = 0.9e-9
    readouts = slice_readouts(_table(nmda, times), induction=None, drug=600.0)
    np.testing.assert_allclose(readouts["nmda_first_percent"][0], 90.0)
    np.testing.assert_allclose(readouts["nmda_change_percent"][0], -80.0)


def test_real_recordings_have_no_nmda_readouts():
    times = np.arange(0, 1800, 20.0)
    readouts = slice_readouts(_table(None, times), induction=None, drug=600.0)
    assert "nmda_first_percent" not in readouts and "baseline_change_percent" in readouts

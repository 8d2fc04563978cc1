"""Input-output and population-spike readouts on a hand-made pulse table (pure functions)."""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.analysis.input_output import input_output_readouts, population_spike_readouts
from synpharm.analysis.results import PulseTable


def _table() -> PulseTable:
    # two slices; IO at 50 % and 100 % twice before (t < 100 s) and once after induction
    time = np.array([10.0, 20.0, 30.0, 40.0, 200.0, 210.0])
    kind = np.array(["io"] * 6)
    intensity = np.array([0.5, 1.0, 0.5, 1.0, 0.5, 1.0])
    slope = -np.array([[1.0, 2.0, 1.0, 2.0, 1.5, 3.0], [1.0, 2.0, 1.0, 2.0, 1.2, 2.4]])
    spikes = 1e-3 * np.array([[0.0, 1.0, 0.0, 1.0, 1.0, 3.0], [0.0, 1.0, 0.0, 1.0, 0.0, 2.0]])
    zeros = np.zeros_like(slope)
    return PulseTable(time, kind, intensity, slope, zeros, zeros, spikes, (spikes > 0) * 1.0)


def test_io_readouts_per_phase_and_intensity() -> None:
    out = input_output_readouts(_table(), induction=100.0)
    np.testing.assert_allclose(out["io_pre_fepsp_slope_100"][0], [-2.0, -2.0])
    np.testing.assert_allclose(out["io_post_population_spike_50"][0], [1.0, 0.0])
    np.testing.assert_allclose(out["io_post_population_spike_fraction_50"][0], [1.0, 0.0])
    assert out["io_pre_population_spike_fraction_50"][1] == "1"


def test_io_change_compares_curve_means() -> None:
    out = input_output_readouts(_table(), induction=100.0)
    # slice 0: slope curve mean 1.5 -> 2.25 (+50 %), spike 0.5 -> 2.0 mV (+300 %)
    assert out["io_fepsp_slope_change_percent"][0][0] == pytest.approx(50.0)
    assert out["io_population_spike_change_percent"][0][0] == pytest.approx(300.0)


def test_radiatum_tables_have_slope_readouts_only() -> None:
    t = _table()
    radiatum = PulseTable(t.time, t.kind, t.intensity, t.fepsp_slope, t.fepsp_amplitude,
                          t.fiber_volley_amplitude)
    out = input_output_readouts(radiatum, induction=None)
    assert set(out) == {"io_fepsp_slope_50", "io_fepsp_slope_100"}
    assert population_spike_readouts(radiatum, (0.0, 1e3)) == {}


def test_change_is_undefined_without_a_response_before() -> None:
    t = _table()
    spikes = t.population_spike_amplitude.copy()
    spikes[:, :4] = 0.0
    silent = PulseTable(t.time, t.kind, t.intensity, t.fepsp_slope, t.fepsp_amplitude,
                        t.fiber_volley_amplitude, spikes, t.population_spike_count)
    out = input_output_readouts(silent, induction=100.0)
    assert np.isnan(out["io_population_spike_change_percent"][0]).all()

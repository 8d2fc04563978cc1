"""Postsynaptic current/potential measurement on synthetic sweeps with known responses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from synpharm.analysis.psc import measure_psc
from synpharm.errors import InputError

RATE = 10e3
T_STIM = 0.04
TIME = np.arange(1000) / RATE  # 100 ms sweeps


def _dual_exponential(amplitude, latency=0.002, rise=0.0005, decay=0.009):
    s = np.clip(TIME - T_STIM - latency, 0.0, None)
    shape = np.exp(-s / decay) - np.exp(-s / rise)
    return amplitude * shape / shape.max()


@pytest.mark.parametrize(("amplitude", "direction"), [(-80e-12, "negative"), (2e-3, "positive")])
def test_noiseless_response_is_measured_at_its_peak(amplitude, direction):
    sweeps = np.stack([_dual_exponential(amplitude * k) for k in (0.0, 1.0, 2.0)]) - 0.065
    m = measure_psc(sweeps, RATE, T_STIM, direction=direction, peak_width=1e-4)
    expected = abs(amplitude) * np.array([0.0, 1.0, 2.0])
    np.testing.assert_allclose(m.amplitude, expected, rtol=2e-3, atol=1e-6 * abs(amplitude))
    np.testing.assert_allclose(m.baseline, -0.065)
    np.testing.assert_allclose(m.noise_amplitude, 0.0, atol=1e-15)
    assert m.peak_time == pytest.approx(0.0035, abs=1e-4)  # 2 ms latency + time to peak


def test_wrong_direction_gives_negative_amplitudes():
    sweep = _dual_exponential(-50e-12)
    m = measure_psc(sweep, RATE, T_STIM, direction="positive", peak_time=0.0035)
    assert m.amplitude[0] == pytest.approx(-50e-12, rel=0.01)
    assert measure_psc(sweep, RATE, T_STIM, direction="positive").amplitude[0] <= 0


def test_failures_scatter_around_zero_with_the_predicted_noise():
    """White noise of SD s: amplitude noise SD = s sqrt(1/k_peak + 1/k_baseline)."""
    rng = np.random.default_rng(0)
    sd = 3e-12
    sweeps = rng.normal(0.0, sd, (4000, TIME.size))
    m = measure_psc(sweeps, RATE, T_STIM, direction="negative", peak_time=0.004)
    expected = sd * math.sqrt(1 / 10 + 1 / 200)  # 1 ms and 20 ms windows at 10 kHz
    assert np.mean(m.amplitude) == pytest.approx(0.0, abs=4 * expected / math.sqrt(4000))
    assert np.std(m.amplitude) == pytest.approx(expected, rel=0.05)
    assert m.noise_sd == pytest.approx(expected, rel=0.05)
    assert np.mean(m.baseline_sd) == pytest.approx(sd, rel=0.02)
    assert np.mean(m.noise_amplitude <= 0) == pytest.approx(0.5, abs=0.03)


def test_peak_time_comes_from_the_average_not_single_sweeps():
    rng = np.random.default_rng(1)
    sweeps = _dual_exponential(-40e-12) + rng.normal(0.0, 5e-12, (200, TIME.size))
    m = measure_psc(sweeps, RATE, T_STIM, direction="negative")
    assert m.peak_time == pytest.approx(0.0035, abs=0.0006)
    assert np.mean(m.amplitude) == pytest.approx(40e-12, rel=0.05)


def test_single_sweep_gives_length_one_arrays():
    m = measure_psc(_dual_exponential(1e-3), RATE, T_STIM, direction="positive")
    assert m.amplitude.shape == (1,) and math.isnan(m.noise_sd)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sweeps": np.full(1000, np.nan)}, "sweeps"),
        ({"sweeps": np.zeros((2, 2, 2))}, "sweeps"),
        ({"sampling_rate": 0.0}, "sampling_rate"),
        ({"stimulus_time": -1.0}, "stimulus_time"),
        ({"direction": "inward"}, "direction"),
        ({"baseline_duration": 0.03}, "baseline_duration"),
        ({"peak_window": (0.005, 0.001)}, "peak_window"),
        ({"peak_window": (0.001, 0.07)}, "peak_window"),
        ({"peak_window": (0.001, 0.025)}, "peak_window"),
        ({"peak_time": 0.5}, "peak_time"),
        ({"peak_width": -1e-3}, "peak_width"),
    ],
)
def test_bad_input_is_rejected_with_the_field_named(kwargs, field):
    arguments = {
        "sweeps": np.zeros(1000),
        "sampling_rate": RATE,
        "stimulus_time": T_STIM,
        "direction": "negative",
    }
    arguments.update(kwargs)
    sweeps = arguments.pop("sweeps")
    with pytest.raises(InputError) as error:
        measure_psc(sweeps, **arguments)
    assert error.value.field == field

"""Population-spike measurement: tangent amplitude, counting, false detections on noise."""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.analysis.population_spike import measure_population_spikes
from synpharm.errors import InputError
from synpharm.model.field_potential import field_waveform_from_parameters, synthesize_field_sweeps
from synpharm.parameters import load_parameter_set, package_parameter_file

RATE, STIM = 20e3, 0.005
T = np.arange(600) / RATE - STIM


def _spike(centre: float, depth: float, width: float = 0.3e-3) -> np.ndarray:
    return -depth * np.exp(-0.5 * ((T - centre) / width) ** 2)


def test_amplitude_is_measured_from_the_line_joining_the_flanking_peaks() -> None:
    """On a linear ramp the tangent depth is the spike depth, whatever the ramp, within the
    ~2 % the 0.2-ms moving average takes off a 0.3-ms Gaussian (w^2 / (24 sigma^2)) and the
    shift of the flanking maxima on a steep ramp."""
    for ramp in (0.0, 0.05, -0.03):  # V/s
        sweep = ramp * np.clip(T, 0, None) + _spike(0.007, 1e-3)
        m = measure_population_spikes(sweep[None, :], RATE, STIM)
        assert m.amplitude[0] == pytest.approx(1e-3, rel=0.035)
        assert m.latency[0] == pytest.approx(0.007, abs=1e-4)
        assert m.count[0] == 1


def test_repeated_population_spikes_are_counted() -> None:
    sweep = _spike(0.006, 1e-3) + _spike(0.0115, 0.5e-3)
    m = measure_population_spikes(sweep[None, :], RATE, STIM)
    assert m.count[0] == 2
    assert m.amplitude[0] == pytest.approx(1e-3, rel=0.05)


def test_fiber_volley_and_smooth_fepsp_are_not_population_spikes() -> None:
    """A somatic sweep without firing (volley, positive fEPSP, recording noise) reads 0."""
    params = load_parameter_set(package_parameter_file("field_potential"))
    wave = field_waveform_from_parameters(params)
    n = 400
    sweeps = synthesize_field_sweeps(np.full(n, -0.3e-3), np.full(n, 0.2e-3), waveform=wave,
                                     sampling_rate=RATE, sweep_duration=0.03,
                                     stimulus_time=STIM, rng=np.random.default_rng(0))
    m = measure_population_spikes(sweeps, RATE, STIM)
    assert (m.count > 0).mean() < 0.01
    assert np.isnan(m.latency[m.count == 0]).all() and (m.amplitude[m.count == 0] == 0).all()


def test_bad_window_is_an_input_error() -> None:
    with pytest.raises(InputError, match="window"):
        measure_population_spikes(np.zeros((1, 600)), RATE, STIM, window=(0.01, 0.005))

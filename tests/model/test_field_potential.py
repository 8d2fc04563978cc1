"""Synthesised stratum-radiatum field sweeps: parameters, components, linearity, noise."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from synpharm.errors import InputError
from synpharm.model.field_potential import (
    FieldWaveform,
    fepsp_rise_window,
    fepsp_unit_waveform,
    fiber_volley_unit_waveform,
    field_waveform_from_parameters,
    peak_rising_slope,
    stimulus_artifact_waveform,
    synthesize_field_sweeps,
    true_initial_slope,
)
from synpharm.parameters import load_parameter_set, package_parameter_file

RATE = 20e3
DURATION = 0.03
STIMULUS = 0.01


@pytest.fixture(scope="module")
def params():
    return load_parameter_set(package_parameter_file("field_potential"))


@pytest.fixture(scope="module")
def waveform(params) -> FieldWaveform:
    return field_waveform_from_parameters(params)


def _sweeps(waveform, fepsp, volley, noise_sd=0.0, rng=None):
    return synthesize_field_sweeps(
        np.asarray(fepsp, dtype=float),
        np.asarray(volley, dtype=float),
        waveform=waveform,
        sampling_rate=RATE,
        sweep_duration=DURATION,
        stimulus_time=STIMULUS,
        noise_sd=noise_sd,
        rng=rng,
    )


def test_parameter_file_covers_waveform_and_cites_every_value(params):
    names = {f.name for f in dataclasses.fields(FieldWaveform)}
    assert names <= set(params)
    for name in names:
        assert params.parameter(name).provenance.strip()


def test_time_course_matches_ca1_field_recordings(waveform):
    t = np.linspace(0, 0.03, 30001)
    fepsp = fepsp_unit_waveform(t, waveform)
    assert fepsp.min() == pytest.approx(-1.0, abs=1e-6)
    peak_time = t[np.argmin(fepsp)]
    assert 3e-3 < peak_time < 8e-3
    onset = t[np.argmax(fepsp < -0.05)]  # 5 % of peak: visible onset
    assert 1.5e-3 < onset < 2.5e-3
    volley = fiber_volley_unit_waveform(t, waveform)
    assert 0.5e-3 < t[np.argmin(volley)] < 1.5e-3
    assert volley.min() == pytest.approx(-1.0, abs=1e-6)
    # the volley is over before the fEPSP starts
    assert abs(volley[t > onset]).max() < 0.01


def test_artifact_is_biphasic_and_shorter_than_conventional_blanking(waveform):
    t = np.linspace(-1e-3, 2e-3, 30001)
    artifact = stimulus_artifact_waveform(t, waveform)
    assert artifact.max() > 0 > artifact.min()
    assert np.all(artifact[(t < 0) | (t >= 1e-3)] == 0)


def test_sweeps_are_linear_in_fepsp_scale(waveform):
    artifact_only = _sweeps(waveform, [0.0], [0.0])
    single = _sweeps(waveform, [1e-3], [0.0]) - artifact_only
    triple = _sweeps(waveform, [3e-3], [0.0]) - artifact_only
    np.testing.assert_allclose(triple, 3 * single, rtol=1e-12, atol=1e-15)


def test_true_initial_slope_is_proportional_and_negative(waveform):
    scales = np.array([0.5e-3, 1e-3, 2e-3])
    slopes = true_initial_slope(waveform, scales)
    assert np.all(slopes < 0)
    np.testing.assert_allclose(slopes / scales, slopes[0] / scales[0], rtol=1e-12)
    # a 1 mV CA1 fEPSP rises at roughly 0.3-0.6 mV/ms (V/s is numerically mV/ms)
    assert -0.8 < slopes[1] < -0.2
    # the steepest point is steeper than the 20-80 % average
    assert peak_rising_slope(waveform, 1e-3) < slopes[1]


def test_true_initial_slope_matches_finite_difference_of_the_waveform(waveform):
    start, end = fepsp_rise_window(waveform)
    t = np.linspace(start, end, 200001)
    values = 1e-3 * fepsp_unit_waveform(t, waveform)
    np.testing.assert_allclose(values[[0, -1]], [-0.2e-3, -0.8e-3], rtol=1e-9)
    slope = np.polyfit(t, values, 1)[0]
    assert true_initial_slope(waveform, 1e-3) == pytest.approx(slope, rel=1e-4)


def test_noise_has_requested_rms_zero_mean_and_is_reproducible(waveform):
    rng = np.random.default_rng(7)
    sweeps = _sweeps(waveform, np.zeros(400), np.zeros(400), noise_sd=20e-6, rng=rng)
    baseline = sweeps[:, : int(STIMULUS * RATE)]
    assert baseline.std() == pytest.approx(20e-6, rel=0.03)
    assert abs(baseline.mean()) < 1e-6
    again = _sweeps(waveform, np.zeros(400), np.zeros(400), 20e-6, np.random.default_rng(7))
    np.testing.assert_array_equal(sweeps, again)


def test_noise_is_low_pass_filtered(waveform):
    sweeps = _sweeps(waveform, np.zeros(200), np.zeros(200), 20e-6, np.random.default_rng(1))
    lag1 = np.mean(sweeps[:, 1:] * sweeps[:, :-1]) / np.mean(sweeps**2)
    assert lag1 > 0.5  # white noise would give ~0


def test_default_noise_comes_from_the_waveform(waveform):
    sweeps = synthesize_field_sweeps(
        np.zeros(300),
        np.zeros(300),
        waveform=waveform,
        sampling_rate=RATE,
        sweep_duration=DURATION,
        stimulus_time=STIMULUS,
        rng=np.random.default_rng(2),
    )
    assert sweeps[:, :150].std() == pytest.approx(waveform.recording_noise_sd, rel=0.05)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sampling_rate": 0.0}, "sampling_rate"),
        ({"stimulus_time": 0.05}, "stimulus_time"),
        ({"noise_sd": 1e-5, "rng": None}, "rng"),
        ({"noise_sd": -1.0}, "noise_sd"),
    ],
)
def test_bad_acquisition_settings_raise_input_error(waveform, kwargs, field):
    settings = {
        "sampling_rate": RATE,
        "sweep_duration": DURATION,
        "stimulus_time": STIMULUS,
        "noise_sd": 0.0,
        "rng": None,
    } | kwargs
    with pytest.raises(InputError) as error:
        synthesize_field_sweeps([1e-3], [1e-4], waveform=waveform, **settings)
    assert error.value.field == field


def test_waveform_rejects_rise_slower_than_decay(waveform):
    with pytest.raises(InputError):
        dataclasses.replace(waveform, fepsp_rise_time_constant=0.02)

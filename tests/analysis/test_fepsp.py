"""fEPSP measurement on synthesised sweeps whose true slope, amplitude and volley are known."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from synpharm.analysis.fepsp import blank_stimulus_artifact, detect_fiber_volley, measure_fepsp
from synpharm.errors import InputError
from synpharm.model.field_potential import (
    FieldWaveform,
    fepsp_rise_window,
    field_waveform_from_parameters,
    peak_rising_slope,
    synthesize_field_sweeps,
    true_initial_slope,
)
from synpharm.parameters import load_parameter_set, package_parameter_file

RATE = 20e3
DURATION = 0.03
STIMULUS = 0.01
N_SAMPLES = round(RATE * DURATION)


@pytest.fixture(scope="module")
def waveform() -> FieldWaveform:
    return field_waveform_from_parameters(
        load_parameter_set(package_parameter_file("field_potential"))
    )


def _sweeps(waveform, fepsp, volley, noise_sd=0.0, seed=0):
    return synthesize_field_sweeps(
        np.asarray(fepsp, dtype=float),
        np.asarray(volley, dtype=float),
        waveform=waveform,
        sampling_rate=RATE,
        sweep_duration=DURATION,
        stimulus_time=STIMULUS,
        noise_sd=noise_sd,
        rng=np.random.default_rng(seed),
    )


SCALES = np.linspace(0.2e-3, 2.5e-3, 12)


# ---------------------------------------------------------------------------- slope accuracy


@pytest.mark.parametrize("method", ["rise", "window"])
def test_noiseless_slope_equals_true_initial_slope(waveform, method):
    sweeps = _sweeps(waveform, SCALES, 0.2 * SCALES)
    measures = measure_fepsp(
        sweeps, RATE, STIMULUS, slope_method=method, window=fepsp_rise_window(waveform)
    )
    assert (measures.flag == "").all()
    np.testing.assert_allclose(
        measures.fepsp_slope, true_initial_slope(waveform, SCALES), rtol=0.05
    )


def test_noiseless_max_slope_equals_steepest_slope(waveform):
    sweeps = _sweeps(waveform, SCALES, 0.2 * SCALES)
    measures = measure_fepsp(sweeps, RATE, STIMULUS, slope_method="max", max_slope_span=0.3e-3)
    np.testing.assert_allclose(measures.fepsp_slope, peak_rising_slope(waveform, SCALES), rtol=0.05)


@pytest.mark.parametrize("method", ["rise", "window", "max"])
def test_slope_is_linear_in_fepsp_scale(waveform, method):
    sweeps = _sweeps(waveform, SCALES, np.full(SCALES.size, 0.2e-3))
    slope = measure_fepsp(
        sweeps, RATE, STIMULUS, slope_method=method, window=fepsp_rise_window(waveform)
    ).fepsp_slope
    ratio = slope / SCALES
    assert np.all(slope < 0)
    np.testing.assert_allclose(ratio, ratio.mean(), rtol=0.02)


@pytest.mark.parametrize("method", ["rise", "window"])
def test_noise_bias_is_small(waveform, method):
    scale, n = 1e-3, 400
    sweeps = _sweeps(waveform, np.full(n, scale), np.full(n, 0.2e-3), noise_sd=20e-6, seed=3)
    measures = measure_fepsp(
        sweeps, RATE, STIMULUS, slope_method=method, window=fepsp_rise_window(waveform)
    )
    assert (measures.flag == "").all()
    truth = true_initial_slope(waveform, scale)
    mean = measures.fepsp_slope.mean()
    standard_error = measures.fepsp_slope.std(ddof=1) / np.sqrt(n)
    assert abs(mean - truth) < max(0.03 * abs(truth), 4 * standard_error)
    assert measures.fepsp_slope.std() < 0.15 * abs(truth)


def test_amplitude_and_peak_time_are_recovered(waveform):
    sweeps = _sweeps(waveform, SCALES, 0.2 * SCALES)
    measures = measure_fepsp(sweeps, RATE, STIMULUS)
    np.testing.assert_allclose(measures.fepsp_amplitude, SCALES, rtol=0.01)
    assert np.all((measures.peak_time > 3e-3) & (measures.peak_time < 8e-3))
    low, high = fepsp_rise_window(waveform)
    np.testing.assert_allclose(
        measures.slope_window, np.tile([low, high], (SCALES.size, 1)), atol=1.5 / RATE
    )


# ---------------------------------------------------------------------------- fiber volley


def test_fiber_volley_is_proportional_to_volley_scale(waveform):
    volley = np.linspace(0.05e-3, 0.5e-3, 10)
    sweeps = _sweeps(waveform, np.full(volley.size, 1e-3), volley)
    measures = measure_fepsp(sweeps, RATE, STIMULUS)
    ratio = measures.fiber_volley_amplitude / volley
    np.testing.assert_allclose(ratio, ratio.mean(), rtol=0.01)
    assert 0.85 < ratio.mean() <= 1.0  # light smoothing only
    np.testing.assert_allclose(
        measures.fiber_volley_time, waveform.fiber_volley_latency, atol=1 / RATE
    )
    amplitude, when = detect_fiber_volley(sweeps, RATE, STIMULUS)
    np.testing.assert_allclose(amplitude, measures.fiber_volley_amplitude)
    np.testing.assert_allclose(when, measures.fiber_volley_time)


def test_fiber_volley_does_not_track_the_fepsp(waveform):
    sweeps = _sweeps(waveform, SCALES, np.full(SCALES.size, 0.2e-3))
    amplitude, _ = detect_fiber_volley(sweeps, RATE, STIMULUS)
    np.testing.assert_allclose(amplitude, amplitude[0], rtol=0.01)


def test_volley_at_a_fixed_time_is_independent_of_a_vanishing_fepsp(waveform):
    """A drug that abolishes the fEPSP but not the axons (baclofen, CNQX) leaves the volley
    read at a fixed cursor unchanged, and it stays unbiased when the volley goes too (TTX)."""
    fepsp = np.r_[np.full(50, 1e-3), np.full(50, 0.0)]
    kept = _sweeps(waveform, fepsp, np.full(100, 0.2e-3), noise_sd=20e-6, seed=1)
    gone = _sweeps(waveform, fepsp, np.r_[np.full(50, 0.2e-3), np.zeros(50)], 20e-6, seed=2)
    options = {"slope_method": "window", "window": fepsp_rise_window(waveform), "min_snr": 0.0}
    fixed = {"volley_time": waveform.fiber_volley_latency, **options}
    kept_fixed = measure_fepsp(kept, RATE, STIMULUS, **fixed).fiber_volley_amplitude
    ratio = kept_fixed[50:].mean() / kept_fixed[:50].mean()
    assert abs(ratio - 1.0) < 0.05
    gone_fixed = measure_fepsp(gone, RATE, STIMULUS, **fixed).fiber_volley_amplitude
    assert abs(gone_fixed[50:].mean()) < 0.05 * gone_fixed[:50].mean()  # abolished, no bias
    # the search before the fEPSP onset reads the largest noise dip once the fEPSP is gone
    gone_search = measure_fepsp(gone, RATE, STIMULUS, **options).fiber_volley_amplitude
    assert gone_search[50:].mean() > 0.1 * gone_search[:50].mean()
    np.testing.assert_allclose(
        measure_fepsp(kept, RATE, STIMULUS, **fixed).fiber_volley_time,
        waveform.fiber_volley_latency, atol=1 / RATE,
    )


def test_volley_time_inside_the_blanking_is_an_input_error(waveform):
    sweeps = _sweeps(waveform, [1e-3], [0.2e-3])
    with pytest.raises(InputError, match="volley_time"):
        measure_fepsp(sweeps, RATE, STIMULUS, volley_time=0.5e-3)


# ---------------------------------------------------------------------------- bad sweeps


def test_nan_sweep_gives_nan_and_flag_without_exception(waveform):
    sweeps = _sweeps(waveform, [1e-3, 1e-3, 1e-3], [0.2e-3] * 3, noise_sd=20e-6)
    sweeps[1, 250] = np.nan
    sweeps[2, 10] = np.inf
    measures = measure_fepsp(sweeps, RATE, STIMULUS)
    assert measures.flag.tolist() == ["", "nan_in_sweep", "nan_in_sweep"]
    for values in (
        measures.fepsp_slope,
        measures.fepsp_amplitude,
        measures.fiber_volley_amplitude,
        measures.peak_time,
    ):
        assert np.isfinite(values[0])
        assert np.isnan(values[1:]).all()
    assert np.isnan(measures.slope_window[1:]).all()


def test_flat_sweep_is_no_response(waveform):
    sweeps = _sweeps(waveform, [0.0, 1e-3], [0.0, 0.2e-3], noise_sd=20e-6)
    measures = measure_fepsp(sweeps, RATE, STIMULUS)
    assert measures.flag.tolist() == ["no_response", ""]
    assert np.isnan(measures.fepsp_slope[0])


def test_noisy_baseline_is_flagged(waveform):
    sweeps = _sweeps(waveform, [1e-3, 1e-3], [0.2e-3] * 2, noise_sd=20e-6)
    sweeps[0, :150] += np.random.default_rng(0).normal(0, 0.5e-3, 150)
    measures = measure_fepsp(sweeps, RATE, STIMULUS)
    assert measures.flag.tolist() == ["noisy_baseline", ""]
    assert np.isnan(measures.fepsp_slope[0])


def test_population_spike_is_flagged_and_slope_kept(waveform):
    n = 200
    sweeps = _sweeps(waveform, np.full(n, 1e-3), np.full(n, 0.2e-3), noise_sd=20e-6, seed=5)
    t = np.arange(N_SAMPLES) / RATE - STIMULUS
    notch = 0.4e-3 * np.exp(-0.5 * ((t - 5.0e-3) / 0.4e-3) ** 2)  # positive-going notch
    spiky = sweeps.copy()
    spiky[: n // 2] += notch
    measures = measure_fepsp(spiky, RATE, STIMULUS)
    assert (measures.flag[: n // 2] == "population_spike").all()
    assert (measures.flag[n // 2 :] == "").all()  # no false positives on clean noisy sweeps
    assert np.isnan(measures.fepsp_amplitude[: n // 2]).all()
    assert np.isfinite(measures.fepsp_slope).all()


# ---------------------------------------------------------------------------- blanking


def test_blanking_replaces_artifact_by_a_line(waveform):
    sweeps = _sweeps(waveform, [1e-3], [0.0])[0]
    blanked = blank_stimulus_artifact(sweeps, RATE, STIMULUS, blank_duration=1e-3)
    assert blanked.shape == sweeps.shape
    first, end = round(STIMULUS * RATE), round((STIMULUS + 1e-3) * RATE)
    span = blanked[first - 1 : end + 1]
    np.testing.assert_allclose(span, np.linspace(span[0], span[-1], span.size), atol=1e-15)
    assert abs(blanked[first:end]).max() < 1e-5  # the 2 mV artefact is gone
    np.testing.assert_array_equal(blanked[end:], sweeps[end:])
    np.testing.assert_array_equal(blanked[:first], sweeps[:first])


# ---------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sampling_rate": 0.0}, "sampling_rate"),
        ({"sampling_rate": -5.0}, "sampling_rate"),
        ({"stimulus_time": 0.05}, "stimulus_time"),
        ({"stimulus_time": 0.0}, "stimulus_time"),
        ({"rise_fraction": (0.8, 0.2)}, "rise_fraction"),
        ({"rise_fraction": (0.0, 0.8)}, "rise_fraction"),
        ({"rise_fraction": (0.2, 1.0)}, "rise_fraction"),
        ({"slope_method": "window"}, "window"),
        ({"slope_method": "steepest"}, "slope_method"),
        ({"search_window": (0.01, 0.005)}, "search_window"),
    ],
)
def test_bad_arguments_raise_input_error(waveform, kwargs, field):
    sweeps = _sweeps(waveform, [1e-3], [0.2e-3])
    settings_ = {"sampling_rate": RATE, "stimulus_time": STIMULUS} | kwargs
    rate, stimulus = settings_.pop("sampling_rate"), settings_.pop("stimulus_time")
    with pytest.raises(InputError) as error:
        measure_fepsp(sweeps, rate, stimulus, **settings_)
    assert error.value.field == field


def test_one_dimensional_sweep_gives_one_entry(waveform):
    sweep = _sweeps(waveform, [1e-3], [0.2e-3])[0]
    measures = measure_fepsp(sweep, RATE, STIMULUS)
    assert len(measures) == 1 and measures.slope_window.shape == (1, 2)


def test_empty_batch(waveform):
    measures = measure_fepsp(np.zeros((0, N_SAMPLES)), RATE, STIMULUS)
    assert len(measures) == 0


# ---------------------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(
    scale=st.floats(0.3e-3, 3e-3),
    volley_fraction=st.floats(0.0, 0.4),
    noise=st.floats(0.0, 20e-6),
    seed=st.integers(0, 2**32 - 1),
    method=st.sampled_from(["rise", "window", "max"]),
)
def test_realistic_sweeps_give_finite_negative_slopes(
    waveform, scale, volley_fraction, noise, seed, method
):
    sweeps = _sweeps(waveform, [scale], [volley_fraction * scale], noise_sd=noise, seed=seed)
    measures = measure_fepsp(
        sweeps, RATE, STIMULUS, slope_method=method, window=fepsp_rise_window(waveform)
    )
    assert measures.flag[0] == ""
    assert np.isfinite(measures.fepsp_slope[0]) and measures.fepsp_slope[0] < 0
    assert np.isfinite(measures.fepsp_amplitude[0]) and measures.fepsp_amplitude[0] > 0
    assert np.isfinite(measures.fiber_volley_amplitude[0])


@settings(max_examples=60, deadline=None)
@given(
    sweeps=arrays(np.float64, (3, 200), elements=st.floats(-1.0, 1.0)),
    method=st.sampled_from(["rise", "window", "max"]),
)
def test_arbitrary_finite_sweeps_never_raise_and_nan_always_has_a_reason(sweeps, method):
    measures = measure_fepsp(sweeps, 10e3, 0.005, slope_method=method, window=(2e-3, 4e-3))
    assert len(measures) == 3
    unexplained = np.isnan(measures.fepsp_slope) & (measures.flag == "")
    assert not unexplained.any()
    good = measures.flag == ""
    assert np.isfinite(measures.fepsp_amplitude[good]).all()

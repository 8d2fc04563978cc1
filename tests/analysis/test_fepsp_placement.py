"""Placement on the averaged sweep, the linear-rise window and polarity (noiseless truth)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.analysis.fepsp import (
    Placement,
    measure_fepsp,
    place_on_average,
    resolve_polarity,
)
from synpharm.analysis.slice_groups import SliceResult, summarise_groups
from synpharm.analysis.statistics import describe
from synpharm.model.field_potential import (
    field_waveform_from_parameters,
    synthesize_field_sweeps,
)
from synpharm.parameters import load_parameter_set, package_parameter_file

RATE, STIMULUS = 20e3, 0.01


@pytest.fixture(scope="module")
def sweeps():
    waveform = field_waveform_from_parameters(
        load_parameter_set(package_parameter_file("field_potential"))
    )
    scales = np.linspace(0.5e-3, 1.5e-3, 8)
    return synthesize_field_sweeps(
        scales, 0.2 * scales, waveform=waveform, sampling_rate=RATE, sweep_duration=0.03,
        stimulus_time=STIMULUS, noise_sd=0.0,
    ), scales  # fmt: skip


def test_placement_of_the_average_measures_like_its_fixed_window(sweeps):
    data, scales = sweeps
    placement, flag = place_on_average(data, RATE, STIMULUS)
    assert flag == "" and placement.window[0] < placement.window[1] < placement.peak
    placed = measure_fepsp(data, RATE, STIMULUS, placement=placement)
    windowed = measure_fepsp(data, RATE, STIMULUS, slope_method="window", window=placement.window)
    assert np.array_equal(placed.fepsp_slope, windowed.fepsp_slope)
    assert np.allclose(placed.slope_window, placement.window)
    # noiseless and linear in the scale: slope and amplitude exactly proportional
    assert np.allclose(placed.fepsp_slope / placed.fepsp_slope[0], scales / scales[0], rtol=1e-9)
    assert np.allclose(
        placed.fepsp_amplitude / placed.fepsp_amplitude[0], scales / scales[0], rtol=1e-9
    )


def test_noisy_and_broken_sweeps_do_not_enter_the_average(sweeps):
    data, _ = sweeps
    dirty = data.copy()
    dirty[0, 50] = np.nan
    dirty[1] += np.random.default_rng(1).normal(0.0, 1e-3, data.shape[1])
    clean, _ = place_on_average(data[2:], RATE, STIMULUS)
    found, _ = place_on_average(dirty, RATE, STIMULUS)
    assert found == clean


def test_linear_window_lies_in_the_rise_and_is_longer_than_20_80(sweeps):
    data, _ = sweeps
    rise, _ = place_on_average(data, RATE, STIMULUS)
    linear, _ = place_on_average(data, RATE, STIMULUS, slope_method="linear")
    assert linear.window[1] - linear.window[0] > rise.window[1] - rise.window[0]
    assert linear.volley < linear.window[0] and linear.window[1] <= linear.peak


def test_inverted_field_measured_with_positive_or_auto_polarity(sweeps):
    data, _ = sweeps
    negative = measure_fepsp(data, RATE, STIMULUS)
    assert resolve_polarity(-data, RATE, STIMULUS) == "positive"
    assert resolve_polarity(data, RATE, STIMULUS) == "negative"
    for polarity in ("positive", "auto"):
        positive = measure_fepsp(-data, RATE, STIMULUS, polarity=polarity)
        assert np.array_equal(positive.fepsp_slope, -negative.fepsp_slope)  # signed: rises
        assert np.array_equal(positive.fepsp_amplitude, negative.fepsp_amplitude)


def test_hand_placement_outside_the_sweep_is_an_input_error(sweeps):
    from synpharm.errors import InputError

    with pytest.raises(InputError, match="peak"):
        measure_fepsp(sweeps[0], RATE, STIMULUS,
                      placement=Placement((2e-3, 3e-3), peak=0.05, volley=1e-3))  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(50, 250), min_size=2, max_size=8))
def test_group_ltp_is_the_mean_and_sem_over_slices(values):
    results = [
        SliceResult(f"s{k}", "control", "test", v, np.zeros(1), np.zeros(1))
        for k, v in enumerate(values)
    ]
    (group,) = summarise_groups(results)
    mean, sem, n = describe(values)
    assert group["n"] == n == len(values)
    assert group["ltp_percent"] == pytest.approx(mean)
    assert group["sem"] == pytest.approx(sem, nan_ok=True)

"""The NMDA part of the radiatum field: closed forms and its signature in slope and area."""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.analysis.fepsp import measure_fepsp
from synpharm.analysis.fepsp_area import fepsp_area
from synpharm.errors import InputError
from synpharm.model.field_potential import (
    fepsp_rise_window,
    field_waveform_from_parameters,
    synthesize_field_sweeps,
)
from synpharm.model.synaptic_field import (
    NmdaField,
    ampa_field_integral,
    nmda_field_integral,
    nmda_field_waveform,
)
from synpharm.parameters import load_parameter_set, package_parameter_file

PARAMS = load_parameter_set(package_parameter_file("field_potential"))
WAVE = field_waveform_from_parameters(PARAMS)
RISE, DECAY = PARAMS["nmda_field_rise_time_constant"], 0.1515
FS, STIM, DURATION = 20e3, 0.005, 0.03


def test_nmda_waveform_has_unit_integral_and_its_rise():
    t = np.linspace(-0.01, 3.0, 600001)
    shape = nmda_field_waveform(t, WAVE, RISE, DECAY)
    assert np.all(shape <= 0)
    assert -np.trapezoid(shape, t) == pytest.approx(1.0, rel=1e-4)
    # difference of exponentials: the peak time ln(tau_d / tau_r) tau_r tau_d / (tau_d - tau_r)
    peak = RISE * DECAY / (DECAY - RISE) * np.log(DECAY / RISE) + WAVE.fepsp_onset_latency
    assert t[np.argmin(shape)] == pytest.approx(peak, abs=5e-4)


def test_ampa_integral_is_the_difference_of_time_constants_over_the_peak():
    t = np.linspace(0.0, 0.2, 200001)
    raw = -nmda_field_waveform(t, WAVE, WAVE.fepsp_rise_time_constant,
                               WAVE.fepsp_decay_time_constant)
    raw *= WAVE.fepsp_decay_time_constant - WAVE.fepsp_rise_time_constant
    expected = (WAVE.fepsp_decay_time_constant - WAVE.fepsp_rise_time_constant) / raw.max()
    assert ampa_field_integral(WAVE) == pytest.approx(expected, rel=1e-4)


def test_nmda_field_integral_converts_charge_with_the_ampa_volts_per_coulomb():
    """An NMDA charge equal to the AMPA charge of the drive gives the AMPA field's integral."""
    q_unit = 2e-13
    drive, gain = 150.0, 4e-6
    integral = nmda_field_integral([drive * q_unit, 0.0], gain, q_unit, WAVE)
    np.testing.assert_allclose(integral, [gain * drive * ampa_field_integral(WAVE), 0.0])
    with pytest.raises(InputError, match="quantal_charge"):
        nmda_field_integral([1e-12], gain, 0.0, WAVE)


def test_rise_longer_than_decay_is_refused():
    with pytest.raises(InputError, match="nmda_field_rise_time_constant"):
        NmdaField(np.zeros(1), 0.2, 0.1)


def _measure(charge_ratio: float) -> tuple[float, float]:
    """Slope and area of a noiseless fEPSP whose NMDA charge is ``charge_ratio`` x AMPA's."""
    scale = 1e-3
    sweeps = synthesize_field_sweeps([scale], [0.0], waveform=WAVE, sampling_rate=FS,
                                     sweep_duration=DURATION, stimulus_time=STIM, noise_sd=0.0)
    t = np.arange(sweeps.shape[1]) / FS - STIM
    sweeps += charge_ratio * scale * ampa_field_integral(WAVE) * nmda_field_waveform(
        t, WAVE, RISE, DECAY)
    slope = measure_fepsp(sweeps, FS, STIM, slope_method="window",
                          window=fepsp_rise_window(WAVE), min_snr=0.0).fepsp_slope[0]
    area = fepsp_area(sweeps, FS, STIM, (PARAMS["fepsp_area_window_start"],
                                         PARAMS["fepsp_area_window_end"]))[0]
    return float(slope), float(area)


def test_unblocked_nmda_current_raises_the_area_more_than_the_slope():
    """The slow NMDA current shows in the area more than in the initial slope."""
    slope0, area0 = _measure(0.0)
    for ratio in (0.5, 5.0, 15.0):
        slope, area = _measure(ratio)
        assert area / area0 - 1 > 2 * (slope / slope0 - 1) > 0

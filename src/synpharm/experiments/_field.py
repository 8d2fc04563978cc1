"""The virtual field electrode of a slice run: sweeps synthesised from the synaptic currents and
measured with the functions used on real recordings (slope, amplitude, volley, area).

The AMPA part of the radiatum field scales with the synaptic drive
(:mod:`synpharm.model.field_potential`); the NMDA part with the NMDA charge the kernels record
(:mod:`synpharm.model.synaptic_field`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from synpharm.analysis.fepsp import measure_fepsp
from synpharm.analysis.fepsp_area import fepsp_area
from synpharm.model.field_potential import (
    FieldWaveform,
    fepsp_rise_window,
    synthesize_field_sweeps,
)
from synpharm.model.synaptic_field import NmdaField, nmda_field_integral, nmda_field_waveform
from synpharm.parameters import load_parameter_set, package_parameter_file
from synpharm.preparations.ca1_slice import Preparation


@dataclass(frozen=True)
class Recording:
    """Acquisition settings of the virtual field recording."""

    sampling_rate: float
    sweep_duration: float
    stimulus_time: float


@lru_cache(maxsize=1)
def field_parameters():
    """The field-potential parameter set (parameters/field_potential.toml)."""
    return load_parameter_set(package_parameter_file("field_potential"))


def slice_field_sweeps(
    drive: np.ndarray,
    fire: np.ndarray,
    prep: Preparation,
    waveform: FieldWaveform,
    rec: Recording,
    seed: np.random.SeedSequence,
    nmda: NmdaField | None = None,
) -> np.ndarray:
    """The recorded field sweeps of one slice, shape ``(n_pulses, n_samples)`` [V].

    ``drive`` is the synaptic drive per measured pulse already scaled by the slice's field gain,
    ``fire`` the conducting axons per pulse; the recording noise comes from the slice's own
    stream (``seed.spawn(1)[0]``), so the same slice gives the same sweeps wherever it is
    rebuilt (the simulator's measurements, the NWB export). ``nmda`` adds the field of the
    NMDA current (:mod:`synpharm.model.synaptic_field`).
    """
    sweeps = _ampa_field_sweeps(drive, fire, prep, waveform, rec, seed)
    if nmda is not None:
        t = np.arange(sweeps.shape[1]) / rec.sampling_rate - rec.stimulus_time
        shape = nmda_field_waveform(t, waveform, nmda.rise_time_constant,
                                    nmda.decay_time_constant)
        sweeps += nmda.integral[:, None] * shape[None, :]
    return sweeps


def _ampa_field_sweeps(drive, fire, prep, waveform, rec, seed) -> np.ndarray:
    return synthesize_field_sweeps(
        drive,
        prep.parameters["volley_per_axon"] * fire,
        waveform=waveform,
        sampling_rate=rec.sampling_rate,
        sweep_duration=rec.sweep_duration,
        stimulus_time=rec.stimulus_time,
        rng=np.random.default_rng(seed.spawn(1)[0]),
    )


def _measure(
    drive,
    fire,
    field_gain,
    prep: Preparation,
    waveform: FieldWaveform,
    rec: Recording,
    seeds: list[np.random.SeedSequence],
    example_masks: dict[str, np.ndarray],
    nmda: list[NmdaField | None] | None = None,
):
    """Synthesise and measure the field sweeps of every slice (rows) and measured pulse.

    Returns slope, amplitude, volley and area arrays (n_slices, n_pulses) and, per label of
    ``example_masks``, the mean sweep of each slice over the pulses in that mask. ``nmda``:
    per slice, the NMDA part of its field (None: AMPA only).
    """
    shape = drive.shape
    slopes, amplitudes, volleys, areas = (np.empty(shape) for _ in range(4))
    examples: dict[str, list[np.ndarray]] = {label: [] for label in example_masks}
    area_window = _area_window()
    for s in range(shape[0]):
        sweeps = slice_field_sweeps(
            field_gain[s] * drive[s], fire[s], prep, waveform, rec, seeds[s],
            None if nmda is None else nmda[s],
        )
        areas[s] = fepsp_area(sweeps, rec.sampling_rate, rec.stimulus_time, area_window)
        # fixed regression window for the whole experiment (WinLTP "Begin-End", the convention
        # that stays valid when a drug abolishes the response): the 20-80 % rise of the waveform;
        # likewise a fixed volley cursor at the volley's conduction delay, so that the volley
        # does not follow the fEPSP (baclofen, CNQX) and reads ~0 without one (TTX)
        m = measure_fepsp(
            sweeps,
            rec.sampling_rate,
            rec.stimulus_time,
            slope_method="window",
            window=fepsp_rise_window(waveform),
            min_snr=0.0,
            volley_time=waveform.fiber_volley_latency,
        )
        slopes[s], amplitudes[s], volleys[s] = (
            m.fepsp_slope,
            m.fepsp_amplitude,
            m.fiber_volley_amplitude,
        )
        for label, mask in example_masks.items():
            examples[label].append(sweeps[mask].mean(axis=0))
    return slopes, amplitudes, volleys, areas, {k: np.array(v) for k, v in examples.items()}


def _area_window() -> tuple[float, float]:
    """Fixed fEPSP-area window [s after the stimulus] (parameters/field_potential.toml)."""
    p = field_parameters()
    return (p["fepsp_area_window_start"], p["fepsp_area_window_end"])


def slice_nmda_fields(nmda_charge: np.ndarray, field_gain: np.ndarray, constants,
                      waveform: FieldWaveform) -> list[NmdaField]:
    """Per slice, the field of the NMDA charge [C] its measured pulses carried.

    ``nmda_charge`` and ``field_gain`` (n_slices, n_pulses) [C], [V per unit drive];
    ``constants`` the run's kernel
    constants (AMPA charge of one unit of drive at rest, NMDA closing time at the bath
    temperature).
    """
    c = constants
    quantal_charge = c.ampa_per_quantum * c.ampa_tau * (c.e_ampa - c.e_leak)
    rise = field_parameters()["nmda_field_rise_time_constant"]
    integral = nmda_field_integral(nmda_charge, field_gain, quantal_charge,
                                   waveform)
    return [NmdaField(row, rise, c.nmda_tau) for row in integral]


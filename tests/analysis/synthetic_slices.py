"""Synthetic two-pathway slice LTP recordings (``.npz`` with sweep times), made at test time.

Sweeps are synthesised with the simulator's field model
(:func:`synpharm.model.field_potential.synthesize_field_sweeps`): stimulus artefact, fiber
volley, fEPSP and recording noise. Two pathways are stimulated alternately (sweep 0, 2, 4 ...:
test pathway; 1, 3, 5 ...: control pathway) every ``interval`` seconds; the stimulation pauses
for ``gap`` seconds at ``induction`` (a tetanus on the test pathway, not recorded), after which
the test pathway's fEPSP is scaled by ``ltp`` (post-tetanic potentiation decaying onto it) and
the control pathway's stays put. Trial-to-trial amplitude variability (``jitter``, a CV) comes
on top of the noise. The slope of a sweep scales exactly with its amplitude, so the truth of
every sweep is known.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from synpharm.model.field_potential import (
    field_waveform_from_parameters,
    synthesize_field_sweeps,
)
from synpharm.parameters import load_parameter_set, package_parameter_file

RATE = 10e3  # Hz, as the slice recording of the issue
STIMULUS = 0.01  # s from the sweep start


def waveform():
    return field_waveform_from_parameters(
        load_parameter_set(package_parameter_file("field_potential"))
    )


def two_pathway_ltp(
    path: Path,
    *,
    ltp: float = 1.5,
    seed: int = 0,
    amplitude: tuple[float, float] = (0.3e-3, 0.25e-3),
    noise: float = 20e-6,
    jitter: float = 0.05,
    baseline: float = 20 * 60.0,
    follow_up: float = 60 * 60.0,
    interval: float = 15.0,
    gap: float = 120.0,
) -> dict[str, np.ndarray]:
    """Write ``path`` (``.npz``: sweeps [mV], sampling_rate, units, sweep_time) and return the
    truth: per sweep ``scale`` [V] (peak fEPSP), ``pathway``, ``time`` [s]; ``induction`` [s]."""
    rng = np.random.default_rng(seed)
    before = np.arange(0.0, baseline, interval)
    after = baseline + gap + np.arange(0.0, follow_up, interval)
    time = np.concatenate([before, after])
    pathway = np.arange(time.size) % 2
    induction = before[-1] + interval  # when the next sweep would have come
    since = np.clip(time - induction, 0.0, None)
    potentiation = np.where(time > induction, ltp + (ltp - 1.0) * np.exp(-since / 600.0), 1.0)
    gain = np.where(pathway == 0, potentiation, 1.0)
    scale = np.asarray(amplitude)[pathway] * gain * (1.0 + jitter * rng.standard_normal(time.size))
    sweeps = synthesize_field_sweeps(
        scale,
        0.25 * np.asarray(amplitude)[pathway],
        waveform=waveform(),
        sampling_rate=RATE,
        sweep_duration=0.06,
        stimulus_time=STIMULUS,
        noise_sd=noise,
        rng=rng,
    )
    np.savez(path, sweeps=sweeps * 1e3, sampling_rate=RATE, units="mV", sweep_time=time)
    return {"scale": scale, "pathway": pathway, "time": time, "induction": float(induction)}

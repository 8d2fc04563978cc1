"""The stratum-pyramidale electrode of a slice run: population firing, somatic sweeps, spikes.

Used by :func:`synpharm.experiments.slice.run_protocol` when ``recording_site =
"stratum_pyramidale"``. Per virtual slice, the cells of the pyramidal population are drawn
from the slice's own seed, fire from the threshold-free somatic trajectory the engine
recorded after each measured stimulus (:mod:`synpharm.model.population_spike`), and the
somatic field is synthesised and measured with the function used on real recordings
(:func:`synpharm.analysis.population_spike.measure_population_spikes`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synpharm.analysis.population_spike import measure_population_spikes
from synpharm.model.field_potential import FieldWaveform
from synpharm.model.population_drive import (
    PassiveCell,
    PerisomaticInhibition,
    perisomatic_conductance,
    population_input,
)
from synpharm.model.population_spike import (
    draw_population,
    input_scale,
    population_firing,
    population_from_parameters,
    somatic_field_from_parameters,
    synthesize_somatic_sweeps,
)
from synpharm.preparations.ca1_slice import Preparation

#: spawn-key suffixes of the slice seed: population draw, somatic recording noise
_POPULATION_KEY, _NOISE_KEY = 101, 102


@dataclass(frozen=True)
class SomaticMeasures:
    """Population-spike measures per slice (rows) and measured pulse, and example sweeps."""

    amplitude: np.ndarray  # [V]
    count: np.ndarray  # population spikes per sweep
    latency: np.ndarray  # [s], NaN without a population spike
    examples: dict[str, np.ndarray]  # label -> (n_slices, n_samples) mean somatic sweep [V]


def _child(seed: np.random.SeedSequence, key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed.entropy,
                                                        spawn_key=(*seed.spawn_key, key)))


def perisomatic(prep: Preparation, conducting: np.ndarray, available: np.ndarray | None,
                n_samples: int, capacitance: float) -> PerisomaticInhibition | None:
    """The perisomatic feed-forward GABA-A conductance of one slice's population, or None.

    Parameters
    ----------
    prep
        The slice preparation (its parameters and integration step).
    conducting
        Fraction of the axons that conduct, shape ``(n_pulses,)``.
    available
        Fraction of the perisomatic GABA-A inhibition not removed by drugs (receptor block,
        interneuron recruitment), shape ``(n_pulses,)``; None: all of it.
    n_samples
        Samples per sweep (integration steps).
    capacitance
        Somatic capacitance [F].

    Returns
    -------
    PerisomaticInhibition or None
        None without the parameters or with a zero conductance. The onset delay is the
        kernel's feed-forward delay rounded to whole steps (as ``ffi_delay_steps``).
    """
    p = prep.parameters
    peak = p.get("perisomatic_feedforward_gabaa_conductance", 0.0)
    if peak <= 0:
        return None
    recruited = np.asarray(conducting, dtype=float) * (1.0 if available is None
                                                       else np.asarray(available, dtype=float))
    delay = max(1, round(p["feedforward_delay"] / prep.dt)) * prep.dt  # the kernel's delay
    g = perisomatic_conductance(recruited, peak, delay, p["perisomatic_gabaa_decay_time"],
                                prep.dt, n_samples)
    return PerisomaticInhibition(g, p["gabaa_reversal"], capacitance)


def somatic_sweeps(soma, fepsp_scale, fire, prep, field_params, waveform: FieldWaveform, rec,
                   seed: np.random.SeedSequence, drive=None,
                   cell: PassiveCell | None = None, available=None) -> np.ndarray:
    """Somatic field sweeps of one slice, shape ``(n_pulses, n_samples)`` [V].

    ``soma`` (n_pulses, n_samples_soma) threshold-free somatic potential [V] sampled at the
    integration step, ``fepsp_scale`` (n_pulses,) radiatum fEPSP peak [V], ``fire``
    (n_pulses,) conducting axons. With ``drive`` (n_pulses,) synaptic drive and ``cell`` the
    passive cell, the cells differ in excitation, share the inhibition and decide their own
    dendritic spikes (:mod:`synpharm.model.population_drive`); without, each cell scales the
    whole trajectory. ``available`` (n_pulses,): fraction of the perisomatic feed-forward
    inhibition left by drugs (:func:`perisomatic`; None: all of it).
    """
    p = prep.parameters
    population = population_from_parameters(p)
    draw = draw_population(population, _child(seed, _POPULATION_KEY))
    conducting = np.asarray(fire) / p["synapses_per_slice"]
    scale = input_scale(population, draw, conducting)
    soma = np.asarray(soma, dtype=float)
    if drive is None or cell is None:
        spikes = population_firing(soma, prep.dt, scale, draw, population)
    else:
        shared = population_input(soma, drive, scale, cell, prep.dt)
        inhibition = perisomatic(prep, conducting, available, soma.shape[1],
                                 cell.capacitance_soma)
        spikes = population_firing(shared.soma, prep.dt, scale, draw, population,
                                   shared.excitation, (shared.spike_onset, shared.spike_waveform),
                                   inhibition)
    return synthesize_somatic_sweeps(
        fepsp_scale, p["volley_per_axon"] * np.asarray(fire), spikes, population.cells,
        waveform=waveform, somatic=somatic_field_from_parameters(field_params),
        sampling_rate=rec.sampling_rate, sweep_duration=rec.sweep_duration,
        stimulus_time=rec.stimulus_time, rng=_child(seed, _NOISE_KEY))


def measure_somatic(soma, fepsp_scale, fire, prep, field_params, waveform, rec, seeds,
                    example_masks: dict[str, np.ndarray], drive=None,
                    cell: PassiveCell | None = None, available=None) -> SomaticMeasures:
    """Synthesise and measure the somatic sweeps of every slice (rows) and measured pulse.

    ``drive`` (rows, pulses) synaptic drive, ``cell`` and ``available`` (rows, pulses): see
    :func:`somatic_sweeps`.
    """
    shape = fire.shape
    amplitude, count, latency = (np.empty(shape) for _ in range(3))
    examples: dict[str, list[np.ndarray]] = {label: [] for label in example_masks}
    for s in range(shape[0]):
        sweeps = somatic_sweeps(soma[s], fepsp_scale[s], fire[s], prep, field_params, waveform,
                                rec, seeds[s], None if drive is None else drive[s], cell,
                                None if available is None else available[s])
        m = measure_population_spikes(sweeps, rec.sampling_rate, rec.stimulus_time)
        amplitude[s], count[s], latency[s] = m.amplitude, m.count, m.latency
        for label, mask in example_masks.items():
            examples[label].append(sweeps[mask].mean(axis=0))
    return SomaticMeasures(amplitude, count, latency,
                           {k: np.array(v) for k, v in examples.items()})

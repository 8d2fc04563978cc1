"""Single-cell facts of the CA1 model cell against their sources, and the somatic EPSP vs intensity.

Usage: ``.venv/bin/python benchmarks/somatic_drive.py [--slices N] [--seed S] [--set NAME=VALUE]``
(prints tables; ``--set`` takes SI values, e.g. ``--set feedforward_gabaa_conductance=0``).

Part 1 integrates the model's two compartments (same constants as the compiled kernel:
capacitances, leak, coupling, AMPA decay and reversal) for one quantum released on the
dendrite, with no inhibition: the quantal somatic EPSP (peak, time to peak, 10-90 % rise,
half-width), the mean unitary EPSP of one Schaffer connection (quantal EPSP x sites x release
probability, failures included; Sayer, Friedlander & Redman 1990 J Neurosci 10:826 measured
~130 uV for CA3-CA1 pairs) and the number of synchronous quanta, and of connections, whose
compound EPSP reaches the mean spike threshold (driving force included, no inhibition).

Part 2 runs the ``phys_ps`` input-output curve (stratum pyramidale) once and reports the peak of
the representative cell's threshold-free somatic potential ``V_FREE`` per intensity, its time
to peak, the quanta per stimulus (scaled to one cell), the fraction of the population whose
threshold lies below that peak (threshold spread only: the input spread is left out), the peak
of its excitatory part ``X`` (:mod:`synpharm.model.population_drive`) and, with the per-cell
excitation, shared inhibition (dendritic in the kernel, perisomatic fast in the observer) and
per-cell dendritic spikes of the population, the spikes per cell and sweep and the
10/50/90th percentiles of their times. This is the drive that the population spike of
PHYS-PS-1 is made from (docs/physiology.md).
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from synpharm.experiments._somatic import perisomatic
from synpharm.experiments.slice import protocol_preparation, run_slices
from synpharm.model.population_drive import passive_cell_from_constants, population_input
from synpharm.model.population_spike import (
    draw_population,
    input_scale,
    population_firing,
    population_from_parameters,
)
from synpharm.preparations.ca1_slice import slice_constants
from synpharm.protocols import Protocol

INTENSITIES = [0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0]


def two_compartment_epsp(c, g_peak: float, t_end: float = 0.08, dt: float = 2e-6) -> np.ndarray:
    """Somatic and dendritic depolarisation [V] after a dendritic AMPA conductance
    ``g_peak exp(-t / tau_AMPA)`` [S], shape ``(n_steps, 2)`` (forward Euler, fine step)."""
    vs = vd = c.e_leak
    out = np.empty((int(t_end / dt), 2))
    for k in range(out.shape[0]):
        g = g_peak * math.exp(-k * dt / c.ampa_tau)
        dvd = (c.g_leak_dendrite * (c.e_leak - vd) + c.g_coupling * (vs - vd)
               + g * (c.e_ampa - vd)) / c.capacitance_dendrite
        dvs = (c.g_leak_soma * (c.e_leak - vs) + c.g_coupling * (vd - vs)) / c.capacitance_soma
        vd += dt * dvd
        vs += dt * dvs
        out[k] = vs - c.e_leak, vd - c.e_leak
    return out


def shape(trace: np.ndarray, dt: float = 2e-6) -> tuple[float, float, float, float]:
    """Peak [V], time to peak, 10-90 % rise time and half-width [s] of a depolarisation."""
    k = int(trace.argmax())
    peak = trace[k]
    rise = (np.argmax(trace > 0.9 * peak) - np.argmax(trace > 0.1 * peak)) * dt
    above = np.flatnonzero(trace > 0.5 * peak)
    return peak, (k + 1) * dt, rise, (above[-1] - above[0]) * dt


def single_cell_facts(prep) -> None:
    c = slice_constants(prep)
    p = prep.parameters
    q = p["quantal_conductance"]
    quantal = two_compartment_epsp(c, q)
    peak, tpk, rise, half = shape(quantal[:, 0])
    per_connection = p["release_probability_mean"] * p["release_sites_mean"]
    print("Part 1: single-cell facts (two compartments, no inhibition)")
    print(f"  quantal EPSP ({q * 1e9:.2f} nS): soma {peak * 1e3:.3f} mV (dendrite "
          f"{quantal[:, 1].max() * 1e3:.3f} mV), time to peak {tpk * 1e3:.1f} ms, "
          f"10-90 % rise {rise * 1e3:.1f} ms, half-width {half * 1e3:.1f} ms")
    print(f"  unitary connection EPSP (mean, failures included): {per_connection:.2f} quanta "
          f"x {peak * 1e3:.3f} mV = {per_connection * peak * 1e6:.0f} uV "
          "(Sayer et al. 1990: ~130 uV)")
    gap = c.v_threshold - c.e_leak
    n = 1
    while shape(two_compartment_epsp(c, n * q)[:, 0])[0] < gap and n < 2000:
        n += 1
    contacts = p["synapses_per_neuron_at_max_stimulus"]
    print(f"  synchronous quanta to reach the mean threshold ({gap * 1e3:.0f} mV above rest): "
          f"{n} = {n / per_connection:.0f} connections; the model activates "
          f"{contacts:.0f} connections per cell at maximal stimulation "
          f"({contacts * per_connection:.0f} quanta)")


def _io_protocol() -> Protocol:
    return Protocol.from_dict({
        "experiment": {"name": "somatic_drive", "recording_site": "stratum_pyramidale"},
        "steps": [{"type": "baseline", "duration": "2 min", "test_rate": "0.05 Hz"},
                  {"type": "input_output", "intensities": INTENSITIES, "repeats": 3,
                   "rate": "0.1 Hz"}]})


def somatic_io(prep, slices: int, seed: int) -> None:
    p = prep.parameters
    run = run_slices(_io_protocol(), slices, seed, prep)
    intensity = np.asarray(run.schedule.intensity, dtype=float)
    kinds = np.asarray(run.schedule.stimulus_kind)
    per_cell = p["synapses_per_neuron_at_max_stimulus"] / p["synapses_per_slice"]
    gap = p["spike_threshold"] - p["resting_potential"]
    sd = p["spike_threshold_cell_sd"]
    print(f"Part 2: somatic EPSP (V_FREE) vs intensity, {slices} slices, seed {seed}")
    c = slice_constants(prep)
    print("  intensity  quanta/cell  peak [mV]  max [mV]  t_peak [ms]  cells below peak"
          "  dendrite peak [mV]  dV/dt max [V/s]  X peak [mV]  spikes/cell  t10/50/90 [ms]")
    for level in INTENSITIES:
        mask = np.isclose(intensity, level) & (kinds == "io")
        dv = run.soma[:, mask] - p["resting_potential"]
        peak = dv.max(axis=2)
        t_peak = (dv.argmax(axis=2) + 1) * prep.dt
        firing = 0.5 * (1.0 + math.erf((peak.mean() - gap) / (sd * math.sqrt(2.0))))
        vd = dendrite_from_soma(c, run.soma[:, mask], prep.dt) - c.e_leak
        print(f"  {level:9.1f}  {run.drive[:, mask].mean() * per_cell:11.1f}  "
              f"{peak.mean() * 1e3:9.2f}  {peak.max() * 1e3:8.2f}  "
              f"{t_peak.mean() * 1e3:11.1f}  {firing:16.3f}  "
              f"{vd.max(axis=2).mean() * 1e3:18.2f}  "
              f"{(np.diff(vd, axis=2) / prep.dt).max(axis=2).mean():14.1f}  "
              + _population_columns(run, mask, prep))


def _population_columns(run, mask: np.ndarray, prep) -> str:
    """Peak of X, spikes per cell and sweep, spike-time percentiles (shared inhibition)."""
    p = prep.parameters
    cell = passive_cell_from_constants(run.constants)
    population = population_from_parameters(p)
    peaks, times, sweeps = [], [], 0
    for s in range(run.soma.shape[0]):
        soma = run.soma[s, mask]
        draw = draw_population(population, np.random.default_rng(s))
        scale = input_scale(population, draw, run.fire[s, mask] / p["synapses_per_slice"])
        shared = population_input(soma, run.drive[s, mask], scale, cell, prep.dt)
        inhibition = perisomatic(prep, run.fire[s, mask] / p["synapses_per_slice"], None,
                                 soma.shape[1], cell.capacitance_soma)
        times.append(population_firing(shared.soma, prep.dt, scale, draw, population,
                                       shared.excitation,
                                       (shared.spike_onset, shared.spike_waveform),
                                       inhibition)[1])
        peaks.append(shared.excitation.max(axis=1))
        sweeps += soma.shape[0]
    t = np.concatenate(times) * 1e3
    spread = (" ".join(f"{v:.1f}" for v in np.percentile(t, [10, 50, 90])) if t.size
              else "-")
    return (f"{np.concatenate(peaks).mean() * 1e3:11.2f}  "
            f"{t.size / population.cells / sweeps:11.4f}  {spread}")


def dendrite_from_soma(c, soma: np.ndarray, dt: float) -> np.ndarray:
    """Dendritic potential [V] that drives the threshold-free soma ``V_FREE`` (last axis: time).

    Inverts the somatic equation ``C_s dV/dt = g_L,s (E_L - V) + g_c (V_d - V)``; the
    trajectory starts one step after the stimulus, so the first sample has no derivative.
    """
    dvdt = np.diff(soma, axis=-1) / dt
    v = soma[..., 1:]
    return v + (c.capacitance_soma * dvdt + c.g_leak_soma * (v - c.e_leak)) / c.g_coupling


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="parameter override in SI units (diagnostics only)")
    args = parser.parse_args()
    prep = protocol_preparation(_io_protocol())
    overrides = {k: float(v) for k, v in (item.split("=", 1) for item in args.set)}
    if overrides:
        prep = type(prep)(prep.name, prep.parameters.with_values(**overrides))
        print(f"overrides (diagnostic): {overrides}")
    single_cell_facts(prep)
    somatic_io(prep, args.slices, args.seed)


if __name__ == "__main__":
    main()

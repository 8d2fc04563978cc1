"""Event-driven, multi-rate integration of a batched slice population through a stimulus schedule.

Stimuli are grouped into *isolated pulses* (test pulses far from any other stimulus) and
*windows* (trains, paired pulses). Isolated pulses use the per-synapse closed form of
:func:`~synpharm.solvers._kernels.isolated_pulse`; windows are integrated step by step, except
spaced trains (every gap >= ``pulse_gap``), which go pulse by pulse through
:func:`~synpharm.solvers._pulses.train_pulse` (fine grid while the slice is active, closed form
once its state is quiet); the gaps in between are advanced in closed form
(:func:`~synpharm.solvers._kernels.advance_quiet`) in
chunks no longer than ``max_quiet_chunk`` so that tags and protein synthesis are re-evaluated.
The engine knows the state arrays and the schedule, not the biology behind them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from synpharm.model.slice_state import SliceConstants, SlicePopulation
from synpharm.solvers import _kernels as K
from synpharm.solvers._pulses import train_pulse

DrugMatrix = Callable[[float], np.ndarray]  # time [s] -> (n_slices, N_DRUG_COLUMNS)


@dataclass(frozen=True)
class Segment:
    """Consecutive stimuli integrated together (one stimulus for an isolated pulse)."""

    indices: np.ndarray
    isolated: bool


@dataclass(frozen=True)
class EngineSettings:
    """Numerical settings of the multi-rate scheme [s]."""

    pulse_window: float
    train_tail: float
    isolation_gap: float
    max_quiet_chunk: float = 20.0
    isolate_spaced_trains: bool = True
    #: windows whose stimuli are all at least this far apart [s] run pulse by pulse
    #: (:func:`~synpharm.solvers._pulses.train_pulse`); None: always step by step
    pulse_gap: float | None = 0.05
    #: quiet-state tolerances of :func:`~synpharm.solvers._pulses.slice_quiet`: potentials
    #: within 0.1 mV of rest, synaptic conductances under 1 % of the leak
    quiet_tolerance: tuple[float, float] = (1e-4, 0.01)


def segment_stimuli(times: np.ndarray, dense: np.ndarray, isolation_gap: float,
                    isolate_spaced_trains: bool = True) -> list[Segment]:
    """Group sorted stimulus times into isolated pulses and windows.

    A stimulus is isolated when both neighbours are at least ``isolation_gap`` away (the fast
    state has relaxed; the slow phosphatase is carried in closed form), train pulses (``dense``)
    included unless ``isolate_spaced_trains`` is False; consecutive non-isolated stimuli closer
    than the gap share a window.
    """
    n = len(times)
    gaps = np.diff(times)
    close = gaps < isolation_gap * (1.0 - 1e-9)  # 1-Hz trains: gaps of 1 s up to rounding
    close_prev = np.r_[False, close]
    close_next = np.r_[close, False]
    isolated = ~(close_prev | close_next)
    if not isolate_spaced_trains:
        isolated &= ~dense
    segments: list[Segment] = []
    start = 0
    while start < n:
        if isolated[start]:
            segments.append(Segment(np.array([start]), True))
            start += 1
            continue
        end = start + 1
        while end < n and not isolated[end] and close[end - 1]:
            end += 1
        segments.append(Segment(np.arange(start, end), False))
        start = end
    return segments


def _advance(c, pop: SlicePopulation, drugs: np.ndarray, duration: float, chunk: float) -> None:
    synapses = pop.synapses
    K.finish_noise(c, synapses, pop.rng)
    remaining = duration
    while remaining > 1e-12:
        step = min(chunk, remaining)
        K.advance_quiet(c, step, pop.slices, drugs, synapses)
        remaining -= step


def _run_window(c, pop, drugs, times, intensity, gaps, tail, recorded, idx) -> float:
    t0 = times[idx[0]]
    steps = np.round((times[idx] - t0) / c.dt).astype(np.int64)
    n_steps = int(steps[-1] + round(tail / c.dt))
    shape = (pop.slices.shape[0], len(idx))
    out_soma = np.zeros((*shape, recorded.soma.shape[2]))
    out_charge = np.zeros(shape) if recorded.nmda_charge.shape[0] else K.NO_CHARGE
    out = K.Recorded(np.zeros(shape), np.zeros(shape), np.zeros(shape), out_soma, out_charge)
    K.integrate_window(c, n_steps, K.Stimuli(steps, intensity[idx], gaps[idx]), pop.slices,
                       drugs, pop.synapses, pop.rng, out)
    for whole, part in zip(recorded, out, strict=True):
        if part.size:
            whole[:, idx] = part
    return t0 + n_steps * c.dt


def _run_pulses(c, pop, drugs, times, intensity, gaps, settings, recorded, idx) -> float:
    """A spaced train pulse by pulse; each pulse's horizon ends at the next (the last: tail)."""
    horizons = np.r_[np.diff(times[idx]), settings.train_tail]
    for j, horizon in zip(idx, horizons, strict=True):
        train_pulse(c, max(1, round(horizon / c.dt)), float(horizon), float(intensity[j]),
                    float(gaps[j]), settings.quiet_tolerance, pop.slices, drugs, pop.synapses,
                    pop.rng, recorded, int(j))
    return float(times[idx[-1]] + settings.train_tail)


def _pulsed(times: np.ndarray, idx: np.ndarray, settings: EngineSettings) -> bool:
    """Whether the window ``idx`` runs pulse by pulse (every gap >= ``pulse_gap``)."""
    if settings.pulse_gap is None or len(idx) < 2:
        return False
    return bool(np.diff(times[idx]).min() >= settings.pulse_gap * (1.0 - 1e-9))


def run_schedule(c: SliceConstants, pop: SlicePopulation, times: np.ndarray,
                 intensity: np.ndarray, dense: np.ndarray, drug_matrix: DrugMatrix,
                 settings: EngineSettings, end_time: float,
                 progress: Callable[[float], None] | None = None,
                 soma_samples: int = 0) -> K.Recorded:
    """Integrate ``pop`` (mutated in place) through all stimuli up to ``end_time``.

    Parameters
    ----------
    times, intensity, dense
        Stimulus times [s] (sorted), intensities (fraction of maximal), and whether each
        stimulus belongs to a train, shape ``(n_stimuli,)``.
    drug_matrix
        Declared drug effects per slice at a given time.
    soma_samples
        Steps of the threshold-free somatic potential recorded after each stimulus (0: none).

    Returns
    -------
    Recorded
        ``drive`` and ``fire``: summed weighted quanta and number of conducting axons per
        slice and stimulus, shape ``(n_slices, n_stimuli)``; ``nmda``: the NMDA conductance
        [S] open just after each stimulus (free of antagonist and open-channel block, before
        the Mg2+ block), same shape; ``soma``: threshold-free
        somatic potential [V], shape ``(n_slices, n_stimuli, soma_samples)``; ``nmda_charge``:
        the NMDA synaptic charge [C] of each stimulus at the dendritic potential, with the bath's
        Mg2+ block (see :class:`~synpharm.solvers._kernels.Recorded`).
    """
    n_slices = pop.slices.shape[0]
    drive = np.zeros((n_slices, len(times)))
    fire = np.zeros((n_slices, len(times)))
    nmda = np.zeros((n_slices, len(times)))
    soma = np.zeros((n_slices, len(times), soma_samples)) if soma_samples else K.NO_SOMA
    recorded = K.Recorded(drive, fire, nmda, soma, np.zeros((n_slices, len(times))))
    gaps = np.diff(np.r_[-1e6, times])
    now = 0.0
    pulse_steps = round(settings.pulse_window / c.dt)
    for segment in segment_stimuli(times, dense, settings.isolation_gap,
                                   settings.isolate_spaced_trains):
        first = times[segment.indices[0]]
        drugs = drug_matrix(first)
        if first > now:
            _advance(c, pop, drugs, first - now, settings.max_quiet_chunk)
        if segment.isolated:
            j = int(segment.indices[0])
            K.isolated_pulse(c, pulse_steps, float(intensity[j]), float(gaps[j]), pop.slices,
                             drugs, pop.synapses, pop.rng, recorded, j)
            now = first + pulse_steps * c.dt
        elif _pulsed(times, segment.indices, settings):
            now = _run_pulses(c, pop, drugs, times, intensity, gaps, settings, recorded,
                              segment.indices)
        else:
            now = _run_window(c, pop, drugs, times, intensity, gaps, settings.train_tail,
                              recorded, segment.indices)
        if progress is not None:
            progress(now)
    if end_time > now:
        _advance(c, pop, drug_matrix(now), end_time - now, settings.max_quiet_chunk)
    return recorded

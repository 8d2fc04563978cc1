"""Mechanism tests of the per-cell drive of the pyramidal population (shared inhibition).

Cells differ in excitation and share the inhibition (Pouille et al. 2009): cell j follows
``V_free + (w_j - 1) X``. Closed forms and monotonicity; hypothesis for the properties.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.analysis.population_spike import measure_population_spikes
from synpharm.experiments._field import field_parameters
from synpharm.model.field_potential import field_waveform_from_parameters
from synpharm.model.population_drive import (
    PassiveCell,
    excitation_trajectories,
    population_input,
    representative_dendrite,
)
from synpharm.model.population_spike import (
    PopulationDraw,
    PyramidalPopulation,
    SomaticField,
    draw_population,
    input_scale,
    population_firing,
    synthesize_somatic_sweeps,
)

REST, THETA, DT = -0.065, -0.050, 2e-5
CELL = PassiveCell(capacitance_soma=97.5e-12, capacitance_dendrite=97.5e-12, leak_soma=4.425e-9,
                   leak_dendrite=4.425e-9, coupling=25e-9, resting_potential=REST,
                   ampa_reversal=0.0, ampa_decay=5.3e-3, ampa_per_quantum=0.2e-9)


def _population(cells: int = 1000, sd: float = 0.0036, refractory: float = 1.0,
                log_sd: float = 0.0) -> PyramidalPopulation:
    """A population whose refractory period outlasts the sweep: each cell fires at most once."""
    return PyramidalPopulation(cells=cells, threshold=THETA, threshold_sd=sd,
                               resting_potential=REST, reset=-0.058, refractory=refractory,
                               soma_time_constant=3.3e-3, contacts_at_max=150, quantal_cv=0.35,
                               excitation_log_sd=log_sd)


def _excitation(quanta: float, n: int = 1500) -> np.ndarray:
    return excitation_trajectories([quanta], CELL, DT, n)[0]


def _inhibition(n: int = 1500, depth: float = 0.006, tau: float = 0.01) -> np.ndarray:
    """A shared hyperpolarising contribution starting 2 ms after the stimulus [V]."""
    t = (np.arange(n) + 1) * DT
    return -depth * np.clip((t - 0.002) / 0.002, 0.0, 1.0) * np.exp(-np.maximum(t - 0.004, 0) / tau)


def _firing_cells(excitation: np.ndarray, inhibition: np.ndarray, draw: PopulationDraw,
                  population: PyramidalPopulation) -> int:
    soma = REST + excitation + inhibition
    scale = input_scale(population, draw, [1.0])
    pulse, _ = population_firing(soma, DT, scale, draw, population, excitation)
    return pulse.size


def test_excitation_trajectory_matches_a_fine_euler_integration() -> None:
    """The kernel-scheme trajectory equals a forward-Euler integration at a 100x finer step."""
    g0, fine = 60 * CELL.ampa_per_quantum, DT / 100
    vd = vs = REST
    trace = []
    for k in range(1500 * 100):
        g = g0 * math.exp(-k * fine / CELL.ampa_decay)
        dvd = (CELL.leak_dendrite * (REST - vd) + CELL.coupling * (vs - vd) - g * vd)
        dvs = CELL.leak_soma * (REST - vs) + CELL.coupling * (vd - vs)
        vd += fine * dvd / CELL.capacitance_dendrite
        vs += fine * dvs / CELL.capacitance_soma
        if k % 100 == 99:
            trace.append(vs - REST)
    x = _excitation(60)[0]
    assert x.max() == pytest.approx(max(trace), rel=0.02)
    assert x.argmax() == pytest.approx(int(np.argmax(trace)), abs=5)


def test_excitation_is_zero_without_drive_and_sublinear_in_drive() -> None:
    assert not _excitation(0.0).any()
    small, double = _excitation(1.0).max(), _excitation(2.0).max()
    assert double == pytest.approx(2 * small, rel=0.01)  # linear for small input
    big, bigger = _excitation(60).max(), _excitation(120).max()
    assert big < bigger < 2 * big  # the driving force falls as the dendrite depolarises


def test_the_representative_cell_follows_v_free_exactly() -> None:
    """w = 1 (no spread): the cell fires when V_free itself crosses its threshold."""
    population = _population(cells=3, sd=0.0, log_sd=0.0)
    population = dataclasses.replace(population, quantal_cv=0.0, contacts_at_max=1e12)
    draw = PopulationDraw(np.full(3, THETA), np.zeros(3), np.ones(3))
    x = _excitation(100)
    peak = (REST + x + _inhibition()).max()
    assert _firing_cells(x, _inhibition(), draw, population) == (3 if peak >= THETA else 0)
    raised = PopulationDraw(np.full(3, peak - 1e-4), np.zeros(3), np.ones(3))
    assert _firing_cells(x, _inhibition(), raised, population) == 3
    lowered = PopulationDraw(np.full(3, peak + 1e-4), np.zeros(3), np.ones(3))
    assert _firing_cells(x, _inhibition(), lowered, population) == 0


@settings(max_examples=25, deadline=None)
@given(quanta=st.lists(st.floats(5.0, 150.0), min_size=2, max_size=4, unique=True),
       seed=st.integers(0, 1000))
def test_firing_fraction_is_monotone_in_the_drive(quanta: list[float], seed: int) -> None:
    """More excitation (higher intensity) never fires fewer cells; the inhibition is shared."""
    population = _population(log_sd=0.3)
    draw = draw_population(population, np.random.default_rng(seed))
    counts = [_firing_cells(_excitation(q), _inhibition(), draw, population)
              for q in sorted(quanta)]
    assert counts == sorted(counts)


@settings(max_examples=25, deadline=None)
@given(quanta=st.floats(20.0, 150.0), seed=st.integers(0, 1000))
def test_blocking_the_shared_inhibition_raises_the_firing_fraction(quanta: float,
                                                                   seed: int) -> None:
    """GABA-A block (no shared inhibition) fires at least the cells of control, and more."""
    population = _population(log_sd=0.3)
    draw = draw_population(population, np.random.default_rng(seed))
    x = _excitation(quanta)
    control = _firing_cells(x, _inhibition(), draw, population)
    blocked = _firing_cells(x, np.zeros_like(x), draw, population)
    assert blocked >= control


def test_blocking_the_shared_inhibition_fires_many_more_cells() -> None:
    population = _population(log_sd=0.3)
    draw = draw_population(population, np.random.default_rng(1))
    x = _excitation(60)
    control = _firing_cells(x, _inhibition(), draw, population)
    blocked = _firing_cells(x, np.zeros_like(x), draw, population)
    assert blocked > 1.5 * control + 20


def test_shared_inhibition_fires_high_excitation_cells_that_a_scaled_one_would_not() -> None:
    """Scaling everything by w also scales the inhibition; sharing it lets strong cells fire."""
    population = dataclasses.replace(_population(cells=1, sd=0.0), quantal_cv=0.0,
                                     contacts_at_max=1e12)
    x, inh = _excitation(40), _inhibition(depth=0.004)
    draw = PopulationDraw(np.array([REST + 0.8 * (x[0] + inh).max() * 2.0 + 0.0]),
                          np.zeros(1), np.array([2.0]))
    soma = REST + x + inh
    scale = input_scale(population, draw, [1.0])
    shared, _ = population_firing(soma, DT, scale, draw, population, x)
    scaled, _ = population_firing(soma, DT, scale, draw, population)
    assert (REST + 2 * x + inh).max() > (REST + 2 * (x + inh)).max()
    assert shared.size >= scaled.size


def test_afferent_share_is_log_normal_with_mean_one() -> None:
    population = _population(cells=40000, log_sd=0.3)
    draw = draw_population(population, np.random.default_rng(2))
    assert draw.share is not None
    assert draw.share.mean() == pytest.approx(1.0, abs=0.01)
    assert np.log(draw.share).std() == pytest.approx(0.3, rel=0.03)
    no_spread = draw_population(_population(cells=100), np.random.default_rng(2))
    assert no_spread.share is not None and np.allclose(no_spread.share, 1.0)


@settings(max_examples=15, deadline=None)
@given(counts=st.lists(st.integers(5, 200), min_size=2, max_size=4, unique=True))
def test_population_spike_amplitude_is_monotone_in_the_cells_firing(counts: list[int]) -> None:
    """Measured on the synthetic sweep, the spike grows with the cells firing together."""
    cells, rate = 400, 20000.0
    waveform = field_waveform_from_parameters(field_parameters())
    somatic = SomaticField(0.3, 0.01, 0.25e-3)
    jitter = np.random.default_rng(0).normal(0.004, 0.0005, 200)
    amplitudes = []
    for n in sorted(counts):
        sweeps = synthesize_somatic_sweeps(
            [-0.0005], [0.0001], (np.zeros(n), jitter[:n]), cells, waveform=waveform,
            somatic=somatic, sampling_rate=rate, sweep_duration=0.05, stimulus_time=0.01,
            noise_sd=0.0)
        amplitudes.append(float(measure_population_spikes(sweeps, rate, 0.01).amplitude[0]))
    assert all(a > 0 for a in amplitudes)
    assert amplitudes == sorted(amplitudes)


SPIKING = dataclasses.replace(CELL, dendritic_spike_threshold=-0.048,
                              dendritic_spike_conductance=12e-9, dendritic_spike_decay=1e-3,
                              sodium_reversal=0.05)


def test_representative_dendrite_inverts_the_free_soma_step() -> None:
    soma, dendrite = excitation_trajectories([40.0, 90.0], CELL, DT, 800)
    recovered = representative_dendrite(REST + soma, CELL, DT)
    np.testing.assert_allclose(recovered - REST, dendrite, atol=1e-9)


def test_each_cell_decides_its_own_dendritic_spike() -> None:
    """Cells whose dendrite (shared part + their excitation) reaches threshold spike; the
    others do not; the spike starts the step after the crossing and adds a positive somatic
    waveform; without dendritic-spike parameters no cell spikes."""
    n, quanta = 800, 60.0
    x_soma, x_dend = excitation_trajectories([quanta], CELL, DT, n)
    soma = REST + x_soma  # a representative cell without inhibition
    w = np.array([[0.5, 1.0, 1.5, 2.0, 3.0]])
    shared = population_input(soma, [quanta], w, SPIKING, DT)
    reach = (REST + (w[0, :, None] * x_dend[0][None, :])).max(axis=1)
    expected = reach >= SPIKING.dendritic_spike_threshold
    assert ((shared.spike_onset[0] >= 0) == expected).all()
    assert expected.any() and not expected.all()
    first = int(np.argmax(REST + w[0, -1] * x_dend[0] >= SPIKING.dendritic_spike_threshold))
    assert shared.spike_onset[0, -1] == first + 1
    assert shared.spike_waveform.max() > 0.001
    none = population_input(soma, [quanta], w, CELL, DT)
    assert (none.spike_onset == -1).all() and not none.spike_waveform.any()


@settings(max_examples=20, deadline=None)
@given(quanta=st.lists(st.floats(20.0, 150.0), min_size=2, max_size=4, unique=True),
       seed=st.integers(0, 1000))
def test_dendritic_spiking_cells_are_monotone_in_the_drive(quanta: list[float],
                                                           seed: int) -> None:
    population = _population(cells=300, log_sd=0.3)
    draw = draw_population(population, np.random.default_rng(seed))
    counts = []
    for q in sorted(quanta):
        x_soma = _excitation(q, 600)
        soma = REST + x_soma + _inhibition(600)
        w = input_scale(population, draw, [1.0])
        counts.append(int(population_input(soma, [q], w, SPIKING, DT).spiking_cells()[0]))
    assert counts == sorted(counts)


def test_a_cell_with_a_dendritic_spike_fires_earlier_or_not_later() -> None:
    population = dataclasses.replace(_population(cells=1, sd=0.0), quantal_cv=0.0,
                                     contacts_at_max=1e12)
    x_soma = _excitation(60, 1000)
    soma = REST + x_soma + _inhibition(1000)
    draw = PopulationDraw(np.array([REST + 0.012]), np.zeros(1), np.array([1.8]))
    w = input_scale(population, draw, [1.0])
    shared = population_input(soma, [60.0], w, SPIKING, DT)
    assert (shared.spike_onset >= 0).all()
    _, with_spike = population_firing(soma, DT, w, draw, population, shared.excitation,
                                      (shared.spike_onset, shared.spike_waveform))
    _, without = population_firing(soma, DT, w, draw, population, shared.excitation)
    assert with_spike.size >= 1
    assert without.size == 0 or with_spike[0] <= without[0]

"""Mechanism tests of the pyramidal population behind the population spike (closed forms)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from synpharm.model.population_spike import (
    PopulationDraw,
    PyramidalPopulation,
    input_scale,
    population_firing,
    spike_density,
)

REST, THETA = -0.065, -0.050


def _population(cells: int = 2000, sd: float = 0.0036, refractory: float = 0.003,
                tau: float = 0.0033) -> PyramidalPopulation:
    return PyramidalPopulation(cells=cells, threshold=THETA, threshold_sd=sd,
                               resting_potential=REST, reset=-0.058, refractory=refractory,
                               soma_time_constant=tau, contacts_at_max=150, quantal_cv=0.35)


def _draw(population: PyramidalPopulation, thresholds: np.ndarray) -> PopulationDraw:
    return PopulationDraw(thresholds, np.zeros(population.cells))


def test_fraction_firing_is_the_threshold_distribution_below_the_peak() -> None:
    """A brief depolarisation of dV fires exactly the cells with theta_j < E_L + dV."""
    population = _population()
    thresholds = THETA + population.threshold_sd * norm.ppf(
        (np.arange(population.cells) + 0.5) / population.cells)
    peaks = np.array([0.010, 0.015, 0.018])
    soma = REST + peaks[:, None] * np.r_[np.linspace(0, 1, 20), np.zeros(10)][None, :]
    pulse, _ = population_firing(soma, 1e-4, np.ones((3, population.cells)),
                                 _draw(population, thresholds), population)
    fraction = np.bincount(pulse.astype(int), minlength=3) / population.cells
    expected = norm.cdf((REST + peaks - THETA) / population.threshold_sd)
    np.testing.assert_allclose(fraction, expected, atol=1.5 / population.cells)


def test_a_cell_refires_after_refractoriness_and_recharge() -> None:
    """Held above threshold, the interval is refractory + tau ln((V - reset)/(V - theta))."""
    population = _population(cells=1, sd=0.0)
    dt, free = 1e-6, -0.040
    soma = np.full((1, 20000), free)
    _, times = population_firing(soma, dt, np.ones((1, 1)), _draw(population, np.array([THETA])),
                                 population)
    recharge = population.soma_time_constant * math.log(
        (free - population.reset) / (free - THETA))
    assert np.diff(times) == pytest.approx(population.refractory + recharge, abs=3 * dt)


def test_silent_pulses_give_no_spikes() -> None:
    population = _population()
    soma = np.full((2, 50), REST + 0.001)
    thresholds = np.full(population.cells, THETA)
    pulse, times = population_firing(soma, 2e-4, np.ones((2, population.cells)),
                                     _draw(population, thresholds), population)
    assert pulse.size == 0 and times.size == 0


def test_input_scale_has_the_compound_poisson_spread() -> None:
    population = _population(cells=20000)
    draw = PopulationDraw(np.zeros(population.cells),
                          np.random.default_rng(1).standard_normal(population.cells))
    scale = input_scale(population, draw, [0.5, 1.0])
    for row, fraction in zip(scale, (0.5, 1.0), strict=True):
        expected = math.sqrt((1 + 0.35**2) / (150 * fraction))
        assert row.std() == pytest.approx(expected, rel=0.03)
        assert row.mean() == pytest.approx(1.0, abs=0.01)


def test_spike_density_sums_unit_spikes_per_cell() -> None:
    t = np.arange(-0.005, 0.025, 5e-5)
    one = spike_density([0], [0.007], 1, 10, t, 0.25e-3)
    assert one.max() == pytest.approx(0.1, rel=1e-3)
    assert t[one[0].argmax()] == pytest.approx(0.007, abs=5e-5)
    # ten synchronous cells = every cell at once; jitter lowers the peak, keeps the area
    sync = spike_density(np.zeros(10), np.full(10, 0.007), 1, 10, t, 0.25e-3)
    jitter = spike_density(np.zeros(10), np.linspace(0.005, 0.009, 10), 1, 10, t, 0.25e-3)
    assert sync.max() == pytest.approx(1.0, rel=1e-3)
    assert jitter.max() < 0.5 * sync.max()
    assert jitter.sum() == pytest.approx(sync.sum(), rel=1e-3)

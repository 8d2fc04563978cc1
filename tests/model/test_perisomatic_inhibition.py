"""Perisomatic feed-forward GABA-A inhibition of the CA1 population (somatic observer).

Mechanism tests: the conductance's closed form, the somatic IPSP onset against the closed form
of the linear soma, the narrowing of the spike-time spread, its removal by GABA-A block.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.model.population_drive import (
    PerisomaticInhibition,
    perisomatic_conductance,
    relax_deviation,
)
from synpharm.model.population_spike import (
    PopulationDraw,
    PyramidalPopulation,
    population_firing,
)

DT = 20e-6
N = 1250  # 25 ms
TAU_S = 3.3e-3
C_S = 97.5e-12
E_L = -0.065
E_GABA = -0.075


def _population(cells: int = 400) -> PyramidalPopulation:
    return PyramidalPopulation(cells=cells, threshold=-0.050, threshold_sd=0.0036,
                               resting_potential=E_L, reset=-0.058, refractory=2e-3,
                               soma_time_constant=TAU_S, contacts_at_max=150.0, quantal_cv=0.3)


def test_conductance_closed_form():
    g = perisomatic_conductance([1.0, 0.5, 0.0], 20e-9, 2e-3, 5e-3, DT, N)
    t = (np.arange(N) + 1) * DT
    assert np.all(g[:, t < 2e-3 - 1e-9] == 0.0)
    k = round(2e-3 / DT) - 1  # sample at exactly the delay
    assert g[0, k] == pytest.approx(20e-9)
    assert g[1, k] == pytest.approx(10e-9)
    assert g[0, k + 250] == pytest.approx(20e-9 * math.exp(-250 * DT / 5e-3), rel=1e-9)
    assert not g[2].any()


def test_somatic_ipsp_matches_closed_form():
    """A small conductance on a soma at rest gives the difference of exponentials of the
    linear soma (time constants tau_s and the conductance's decay), starting at the delay."""
    g0, delay, tau_d = 1e-12, 2e-3, 5e-3
    g = perisomatic_conductance([1.0], g0, delay, tau_d, DT, N)[0]
    inhibition = PerisomaticInhibition(g[None, :], E_GABA, C_S)
    r, trace = 0.0, np.empty(N)
    for k in range(N):
        r = float(relax_deviation(r, E_L, g[k], DT, TAU_S, inhibition))
        trace[k] = r
    t = (np.arange(N) + 1) * DT - delay
    tp = np.maximum(t, 0.0)
    closed = (g0 * (E_GABA - E_L) / C_S * TAU_S * tau_d / (tau_d - TAU_S)
              * (np.exp(-tp / tau_d) - np.exp(-tp / TAU_S)))
    assert np.all(trace[t < -DT] == 0.0)
    assert np.max(np.abs(trace - closed)) < 0.02 * np.max(np.abs(closed))
    assert trace.min() < 0  # hyperpolarising from rest (E_GABA below E_L)


def test_no_conductance_is_pure_relaxation():
    r = relax_deviation(np.array([1e-3, -2e-3]), E_L, 0.0, DT, TAU_S,
                        PerisomaticInhibition(np.zeros((1, 1)), E_GABA, C_S))
    assert np.allclose(r, np.array([1e-3, -2e-3]) * math.exp(-DT / TAU_S))


def _epsp_population(seed: int = 1, cells: int = 400, rise: float = 3e-3, decay: float = 20e-3,
                     log_sd: float = 0.45):
    """A shared EPSP (difference of exponentials, peak 10 mV) and cells that differ in
    excitation. The default (rise 3 ms, decay 20 ms: peak ~7 ms) is slow, as the model's
    somatic EPSP; rise 1.5 ms and decay 15 ms peak at ~3.8 ms."""
    t = (np.arange(N) + 1) * DT
    x = np.exp(-t / decay) - np.exp(-t / rise)
    x = 0.010 * x / x.max()
    soma = E_L + x[None, :]
    rng = np.random.default_rng(seed)
    population = _population(cells)
    draw = PopulationDraw(population.threshold + population.threshold_sd
                          * rng.standard_normal(cells), np.zeros(cells))
    scale = np.exp(log_sd * rng.standard_normal((1, cells)))
    return soma, x[None, :], scale, draw, population


def _spread(times: np.ndarray) -> float:
    p10, p90 = np.percentile(times, [10, 90])
    return p90 - p10


def _fire(soma, x, scale, draw, population, peak):
    g = perisomatic_conductance([1.0], peak, 2e-3, 5e-3, DT, N)
    return population_firing(soma, DT, scale, draw, population, x, None,
                             PerisomaticInhibition(g, E_GABA, C_S))[1]


def test_perisomatic_inhibition_narrows_the_spike_time_spread_of_a_fast_epsp():
    """Pouille & Scanziani 2001: with an EPSP that rises within the disynaptic delay, the
    somatic inhibition closes the window: fewer, earlier, tighter spikes."""
    soma, x, scale, draw, population = _epsp_population(rise=1.5e-3, decay=15e-3,
                                                         log_sd=0.3)
    free_times = _fire(soma, x, scale, draw, population, 0.0)
    times = _fire(soma, x, scale, draw, population, 20e-9)
    assert free_times.size > 20 and times.size > 5
    assert _spread(times) < 0.5 * _spread(free_times)
    assert times.size < free_times.size
    assert np.percentile(times, 90) < 2e-3 + 0.5e-3  # within ~0.5 ms of the IPSC onset


def test_a_slow_epsp_outlasts_it():
    """The limitation measured in the model (docs/physiology.md, PHYS-PS-1 session 6): an EPSP
    that peaks after the fast IPSP has decayed fires its cells late anyway, so the spread is
    not narrowed, only the early spikes are removed."""
    soma, x, scale, draw, population = _epsp_population()
    free_times = _fire(soma, x, scale, draw, population, 0.0)
    times = _fire(soma, x, scale, draw, population, 20e-9)
    assert times.size < 0.5 * free_times.size
    assert _spread(times) > _spread(free_times)
    assert np.percentile(times, 90) > 10e-3


def test_gabaa_block_removes_it():
    """Picrotoxin: no recruited unblocked fraction, so firing is that without inhibition."""
    soma, x, scale, draw, population = _epsp_population(seed=2)
    _, free_times = population_firing(soma, DT, scale, draw, population, x)
    g = perisomatic_conductance([0.0], 20e-9, 2e-3, 5e-3, DT, N)
    _, times = population_firing(soma, DT, scale, draw, population, x, None,
                                 PerisomaticInhibition(g, E_GABA, C_S))
    assert times.shape == free_times.shape
    np.testing.assert_allclose(times, free_times, rtol=0, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(low=st.floats(0.0, 30e-9), extra=st.floats(1e-9, 30e-9))
def test_more_perisomatic_inhibition_never_fires_more(low, extra):
    soma, x, scale, draw, population = _epsp_population(seed=3, cells=100)
    counts = []
    for peak in (low, low + extra):
        g = perisomatic_conductance([1.0], peak, 2e-3, 5e-3, DT, N)
        counts.append(population_firing(soma, DT, scale, draw, population, x, None,
                                        PerisomaticInhibition(g, E_GABA, C_S))[1].size)
    assert counts[1] <= counts[0]


def test_firing_depends_on_the_distance_to_the_cells_own_threshold():
    """Each cell resets the same distance below its own threshold: a cell with a low threshold
    (below the mean cell's reset) held 2 mV above it fires as often as a cell with a high
    threshold held 2 mV above that, instead of at the end of every refractory period."""
    population = _population(cells=2)
    soma = np.full((1, N), -0.058)
    x = np.full((1, N), 0.010)
    scale = np.array([[1.0, 1.8]])  # free potentials -58 and -50 mV
    draw = PopulationDraw(np.array([-0.060, -0.052]), np.zeros(2))
    _, times = population_firing(soma, DT, scale, draw, population, x)
    low = np.sort(times)
    assert times.size % 2 == 0 and times.size >= 4
    # both cells fire at the same instants (same distance above their thresholds)
    assert np.allclose(low[0::2], low[1::2], atol=DT)
    assert np.min(np.diff(low[0::2])) > 1.5 * population.refractory


def test_picrotoxin_removes_it_in_a_slice_run():
    """The fraction left by drugs per measured pulse: 1 in control; with picrotoxin 100 uM the
    fraction of GABA-A receptors it leaves unblocked (closed form of its IC50 and Hill slope)."""
    from synpharm.experiments.slice import (
        _perisomatic_available,
        protocol_preparation,
        run_slices,
    )
    from synpharm.protocols import Protocol

    protocol = Protocol.from_dict({
        "experiment": {"name": "peri", "recording_site": "stratum_pyramidale"},
        "conditions": [{"name": "control"},
                       {"name": "ptx", "compound": "picrotoxin", "concentration": "100 uM"}],
        "steps": [{"type": "baseline", "duration": "1 min", "test_rate": "0.05 Hz"}]})
    prep = protocol_preparation(protocol)
    prep = type(prep)(prep.name, prep.parameters.with_values(
        perisomatic_feedforward_gabaa_conductance=20e-9))
    run = run_slices(protocol, 2, 1, prep)
    times = np.asarray(run.schedule.stimulus_time)
    available = _perisomatic_available(run, times)
    assert available.shape == (4, times.size)
    assert np.allclose(available[:2], 1.0)
    # picrotoxin 100 uM: IC50 12 uM, Hill 1 (ca1 GABA-A data) leaves 12 / 112 unblocked
    assert np.allclose(available[2:], 12.0 / 112.0, rtol=0.05)

"""The batched multi-rate engine against a plain fine-step reference and its own guarantees."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from synpharm.errors import InputError
from synpharm.model.plasticity.graupner_brunel import (
    advance_synapse,
    graupner_brunel_rule,
    relax_efficacy,
)
from synpharm.solvers.gb_population import (
    PostsynapticSpikes,
    SynapseChunk,
    integrate_synapses,
    simulate_population,
)

DETERMINISTIC = graupner_brunel_rule(noise_amplitude=0.0)
NOISY = graupner_brunel_rule()

# a short slice-like protocol on a 0.1 ms grid: two isolated pulses, a 0.3 s 100 Hz train,
# a 50 Hz burst, and postsynaptic spikes 10 ms after some train pulses
PRE = np.round(np.r_[0.0, 0.1, 0.2 + 0.01 * np.arange(30), 0.6 + 0.02 * np.arange(8)], 4)
T_END = 0.9


def _post_spikes(n: int, seed: int = 3) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    train = PRE[2:32]
    return [np.round(train[rng.random(train.size) < i / max(n - 1, 1)] + 0.01, 4)
            for i in range(n)]


def _fine_step_reference(rule, rho0, pre, post_lists, t_end, dt):
    """Plain Euler on a fixed grid, written independently of the engine.

    Calcium is the sum of exponentials c(t) = sum_k C_k exp(-(t - t_k) / tau_Ca) over earlier
    events, advanced by its exact decay factor from grid time to grid time (all event times
    lie on the grid); as in the spec's scheme, gates use the calcium at the start of each step
    and a spike at grid time t_k acts from the next step on.
    """
    steps = round(t_end / dt)
    jumps = np.zeros((len(rho0), steps + 1))
    for i, post in enumerate(post_lists):
        for t_k in pre:
            jumps[i, round((t_k + rule.presynaptic_calcium_delay) / dt)] += (
                rule.calcium_per_presynaptic_spike)
        for t_k in post:
            jumps[i, round(t_k / dt)] += rule.calcium_per_postsynaptic_spike
    return _euler(rule, np.array(rho0, dtype=float), jumps[:, :steps], dt)


@njit
def _euler(rule, rho, jumps, dt):
    decay = math.exp(-dt / rule.calcium_decay_time)
    for i in range(rho.size):
        c, r = 0.0, rho[i]
        for step in range(jumps.shape[1]):
            drift = r * (1 - r) * (r - rule.efficacy_boundary)
            if c > rule.potentiation_threshold:
                drift += rule.potentiation_rate * (1 - r)
            if c > rule.depression_threshold:
                drift -= rule.depression_rate * r
            r += dt * drift / rule.efficacy_time_constant
            c = c * decay + jumps[i, step]
        rho[i] = r
    return rho


def _engine(rule, rho0, post_lists, records, **kwargs):
    return integrate_synapses(rule, np.asarray(rho0, float), PRE,
                              PostsynapticSpikes.from_lists(post_lists), np.asarray(records),
                              **kwargs)


# the DP set, and a variant with the potentiation threshold below the depression threshold
# and an asymmetric unstable point (exercises the general closed form and gate order)
VARIANT = graupner_brunel_rule(noise_amplitude=0.0, potentiation_threshold=1.1,
                               depression_threshold=1.6, efficacy_boundary=0.3)


@pytest.mark.parametrize("rule", [DETERMINISTIC, VARIANT], ids=["DP", "variant"])
def test_small_population_agrees_with_a_fine_step_reference_and_converges(rule):
    n = 6
    rho0 = np.linspace(0.0, 1.0, n)
    posts = _post_spikes(n)
    ours = _engine(rule, rho0, posts, [T_END])[0]
    errors = [np.abs(_fine_step_reference(rule, rho0, PRE, posts, T_END, dt) - ours)
              .max() for dt in (1e-4, 1e-5, 2.5e-6)]
    assert np.all(np.abs(ours - rho0) > 1e-3)  # the protocol does change rho
    # first-order reference (gates switch on the grid) converges towards the engine
    assert errors[0] > errors[1] > errors[2]
    assert errors[0] / errors[2] > 10.0
    assert errors[2] < 3e-5


def test_engine_equals_the_rule_applied_event_by_event():
    """The engine's caches and merged quiet stretches change nothing beyond round-off."""
    n = 5
    rho0 = np.array([0.0, 0.3, 0.5, 0.8, 1.0])
    posts = _post_spikes(n, seed=9)
    records = np.array([0.35, 0.7, 30.0])
    ours = _engine(DETERMINISTIC, rho0, posts, records, max_gated_step=2e-3)
    states = np.zeros(1, dtype=np.uint64)
    for i in range(n):
        events = sorted([(t + DETERMINISTIC.presynaptic_calcium_delay,
                          DETERMINISTIC.calcium_per_presynaptic_spike) for t in PRE]
                        + [(t, DETERMINISTIC.calcium_per_postsynaptic_spike) for t in posts[i]])
        rho, calcium, now, m = rho0[i], 0.0, 0.0, 0
        for t_event, jump in [*events, (np.inf, 0.0)]:
            while m < records.size and records[m] <= t_event:
                rho, calcium = advance_synapse(DETERMINISTIC, rho, calcium, records[m] - now,
                                               2e-3, states, 0)
                now = records[m]
                assert ours[m, i] == pytest.approx(rho, abs=1e-11)
                m += 1
            if m == records.size:
                break
            rho, calcium = advance_synapse(DETERMINISTIC, rho, calcium, t_event - now, 2e-3,
                                           states, 0)
            now, calcium = t_event, calcium + jump


def test_records_see_the_state_before_a_spike_at_the_same_time():
    with_spike = _engine(DETERMINISTIC, [0.4], [[0.2, 0.85]], [0.85, 0.851])
    without = _engine(DETERMINISTIC, [0.4], [[0.2]], [0.85, 0.851])
    assert with_spike[0, 0] == without[0, 0]
    assert with_spike[1, 0] != without[1, 0]


def test_same_seed_same_bits_for_any_chunking_and_thread_count():
    n = 40
    posts = _post_spikes(n)
    rho0 = np.where(np.arange(n) % 2 == 0, 1.0, 0.0)

    def run(chunk_size: int) -> np.ndarray:
        out = np.empty((2, n))

        def inputs(start, stop):
            return SynapseChunk(rho0[start:stop],
                                PostsynapticSpikes.from_lists(posts[start:stop]))

        def consume(start, stop, rho):
            out[:, start:stop] = rho

        simulate_population(NOISY, n, inputs, PRE, np.array([0.5, 1.5]), consume, seed=11,
                            chunk_size=chunk_size)
        return out

    whole = run(n)
    np.testing.assert_array_equal(whole, run(7))
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        np.testing.assert_array_equal(whole, run(n))
    finally:
        numba.set_num_threads(threads)
    other_seed = _engine(NOISY, rho0, posts, [0.5, 1.5], seed=12)
    assert np.any(other_seed != whole)


def test_noise_is_gated_by_calcium():
    """Without postsynaptic spikes or trains calcium never exceeds theta_d = C_pre: no noise."""
    pre_isolated = np.array([0.0, 20.0, 40.0])
    rho0 = np.array([0.0, 1.0, 0.3])
    out = integrate_synapses(NOISY, rho0, pre_isolated, PostsynapticSpikes.from_lists([[]] * 3),
                             np.array([60.0]), seed=1)
    drift_only = relax_efficacy(0.3, 60.0, NOISY.efficacy_boundary, NOISY.efficacy_time_constant)
    np.testing.assert_allclose(out[0], [0.0, 1.0, drift_only], rtol=0, atol=1e-15)


def test_engine_noise_statistics_match_euler_maruyama_after_a_train():
    """Spread of rho after one 1 s 100 Hz train: engine (10 ms steps) vs EM at 0.1 ms."""
    rule = NOISY
    n = 3000
    pre = np.round(0.01 * np.arange(100), 4)
    t_end = 1.2
    ours = integrate_synapses(rule, np.full(n, 0.5), pre, PostsynapticSpikes.from_lists(
        [[]] * n), np.array([t_end]), seed=4)[0]
    dt = 1e-4
    grid = np.arange(round(t_end / dt)) * dt
    calcium = np.zeros(grid.size)
    for t_k in pre + rule.presynaptic_calcium_delay:
        after = grid > t_k + 1e-12
        calcium[after] += np.exp(-(grid[after] - t_k) / rule.calcium_decay_time)
    rng = np.random.default_rng(8)
    rho = np.full(n, 0.5)
    for c in calcium:
        hd, hp = float(c > rule.depression_threshold), float(c > rule.potentiation_threshold)
        drift = (rho * (1 - rho) * (rho - rule.efficacy_boundary)
                 + rule.potentiation_rate * (1 - rho) * hp - rule.depression_rate * rho * hd)
        rho = (rho + dt * drift / rule.efficacy_time_constant
               + rule.noise_amplitude * math.sqrt((hd + hp) * dt / rule.efficacy_time_constant)
               * rng.standard_normal(n))
    assert ours.std() > 0.05
    assert abs(ours.mean() - rho.mean()) < 4 * math.sqrt((ours.var() + rho.var()) / n)
    assert ours.std() == pytest.approx(rho.std(), rel=4 * math.sqrt(1.0 / n))


@settings(max_examples=25, deadline=None)
@given(rho0=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6),
       spikes=st.lists(st.floats(0.0, 1.0), max_size=40),
       max_step=st.floats(1e-4, 0.02))
def test_deterministic_rho_stays_in_the_unit_interval(rho0, spikes, max_step):
    posts = [sorted(spikes[k::len(rho0)]) for k in range(len(rho0))]
    out = _engine(DETERMINISTIC, rho0, posts, [0.3, 1.0, 2.5, 100.0], max_gated_step=max_step)
    assert np.all((out >= 0.0) & (out <= 1.0))


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"record_times": np.array([2.0, 1.0])}, "record_times"),
    ({"presynaptic_times": np.array([-1.0, 0.0])}, "presynaptic_times"),
    ({"postsynaptic": PostsynapticSpikes(np.array([0, 2]), np.array([0.1]))},
     "postsynaptic.indptr"),
    ({"postsynaptic": PostsynapticSpikes(np.array([0, 2]), np.array([0.3, 0.1]))},
     "postsynaptic.times"),
    ({"max_gated_step": 0.0}, "max_gated_step"),
])
def test_bad_inputs_are_input_errors(kwargs, field):
    arguments = {"rule": DETERMINISTIC, "initial_efficacy": np.array([0.5]),
                 "presynaptic_times": PRE, "record_times": np.array([1.0]),
                 "postsynaptic": PostsynapticSpikes.from_lists([[0.2]])}
    arguments.update(kwargs)
    with pytest.raises(InputError) as info:
        integrate_synapses(**arguments)
    assert info.value.field == field

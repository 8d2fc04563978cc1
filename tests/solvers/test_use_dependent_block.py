"""Use dependence of trapping open-channel block (MK-801, ketamine) through the slice engine.

Mechanism test of issue 13: the block grows only with openings. Without stimulation (a wash-in
at ``test_rate = 0``) the quiet-gap closed form leaves the blocked fraction exactly where it was
(a trapped blocker neither leaves nor joins a closed channel); each stimulus then adds block.
"""

from __future__ import annotations

import itertools

import numpy as np

from synpharm.compounds import load_compound
from synpharm.model import slice_state as L
from synpharm.pharmacology import drug_effects
from synpharm.preparations.ca1_slice import ca1_slice, draw_slices, slice_constants
from synpharm.protocols import Protocol, build_schedule
from synpharm.solvers.run import EngineSettings, run_schedule

UM = 1e-3  # 1 uM in mol/m^3


def _mk801_drugs(n: int, concentration: float) -> np.ndarray:
    drugs = np.zeros((n, L.N_DRUG_COLUMNS))
    drugs[:, [L.PRE_CALCIUM, L.GABA_PRE_CALCIUM, L.NMDA_AVAILABLE, L.NAV_AVAILABLE]] = 1.0
    (blocker,) = drug_effects([(load_compound("MK-801"), concentration)]).nmda_blockers
    drugs[:, L.BLOCKER_CONCENTRATION] = concentration
    drugs[:, L.BLOCKER_ON_RATE] = blocker.k_on
    drugs[:, L.BLOCKER_KD_0MV] = blocker.kd_0mV
    drugs[:, L.BLOCKER_VOLTAGE_E_FOLD] = blocker.voltage_e_fold
    return drugs


def _setup(n: int = 3):
    prep = ca1_slice()
    p = prep.parameters
    settings = EngineSettings(p["pulse_window"], p["train_tail"], 1.0)
    pop = draw_slices(prep, np.random.SeedSequence(11).spawn(n))
    return slice_constants(prep), pop, settings


def _pulse(c, pop, drugs, settings, at: float, end: float) -> None:
    times = np.array([at]) if at >= 0 else np.zeros(0)
    run_schedule(c, pop, times, np.full(times.size, 0.5), np.zeros(times.size, bool),
                 lambda t: drugs, settings, end)


def test_block_unchanged_without_openings_and_grows_with_each_stimulus():
    c, pop, settings = _setup()
    drugs = _mk801_drugs(3, 20 * UM)
    _pulse(c, pop, drugs, settings, -1.0, 600.0)  # 10 min in MK-801, no stimulus
    assert np.all(pop.blocked == 0.0)
    history = []
    for _ in range(6):  # stimulation resumes at 0.1 Hz
        _pulse(c, pop, drugs, settings, 0.0, 10.0)
        history.append(pop.blocked.copy())
    mean = [float(h.mean()) for h in history]
    assert all(b > a for a, b in itertools.pairwise(mean))
    assert mean[0] > 0.0
    # every synapse only gains block, and only synapses that opened (released) gain any
    steps = np.diff(np.stack(history), axis=0)
    assert np.all(steps >= -1e-12)


def test_trapped_block_survives_a_quiet_gap_exactly():
    """Trapping: after washout of the bath a blocked channel stays blocked while closed."""
    c, pop, settings = _setup()
    pop.blocked[:] = 0.4
    _pulse(c, pop, _mk801_drugs(3, 20 * UM), settings, -1.0, 1800.0)
    np.testing.assert_array_equal(pop.blocked, 0.4)
    _pulse(c, pop, _mk801_drugs(3, 0.0), settings, -1.0, 1800.0)  # drug washed out
    np.testing.assert_array_equal(pop.blocked, 0.4)


def test_wash_in_without_stimulation_schedules_no_pulses():
    protocol = Protocol.from_dict({
        "experiment": {"name": "preincubation", "preparation": "ca1_slice"},
        "conditions": [{"name": "MK-801", "compound": "MK-801", "concentration": "20 uM"}],
        "steps": [
            {"type": "baseline", "duration": "5 min", "test_rate": "0.05 Hz"},
            {"type": "wash_in", "duration": "10 min", "test_rate": "0 Hz",
             "exchange_time": "2 min"},
            {"type": "record", "duration": "5 min", "test_rate": "0.1 Hz"},
        ],
    })
    schedule = build_schedule(protocol)
    assert protocol.steps[1].stimuli == 0
    times = schedule.stimulus_time
    assert not np.any((times >= 300.0) & (times < 900.0))
    assert schedule.drug_time == 300.0 and times[times >= 900.0].size == 30

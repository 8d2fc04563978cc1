"""The slice-physiology library protocols (issue 13) lay out the stimuli their sources describe.

These check the encoding of each experiment (pulse counts, spacings, readout windows), not the
model's response to it: the responses are judged by the PHYS targets of the scorecard.
"""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.protocols import Protocol, build_schedule
from synpharm.protocols.library import LIBRARY

MINUTE = 60.0


def _schedule(name: str):
    return build_schedule(Protocol.from_toml(LIBRARY / f"{name}.toml"))


def _train_times(name: str) -> np.ndarray:
    schedule = _schedule(name)
    return schedule.stimulus_time[schedule.stimulus_kind == "train"]


@pytest.mark.parametrize(("name", "period"), [("phys_fdp_1hz", 1.0), ("phys_fdp_3hz", 1 / 3),
                                              ("phys_fdp_10hz", 0.1), ("phys_fdp_50hz", 0.02)])
def test_frequency_protocols_deliver_900_evenly_spaced_pulses(name, period):
    times = _train_times(name)
    assert times.size == 900
    np.testing.assert_allclose(np.diff(times), period, rtol=1e-9)


@pytest.mark.parametrize("name", ["phys_fdp_1hz", "phys_fdp_3hz", "phys_fdp_10hz", "phys_fdp_50hz"])
def test_frequency_protocols_record_past_the_ltp_window(name):
    """ltp_percent reads 50-60 min after the train onset: the recording must reach it."""
    schedule = _schedule(name)
    tests = schedule.stimulus_time[schedule.stimulus_kind == "test"]
    assert tests.max() >= schedule.induction_time + 60 * MINUTE - 20.0


@pytest.mark.parametrize(("name", "trains", "burst_gap"), [("phys_tbs_1x", 1, 0.2),
                                                          ("phys_tbs_3x", 3, 0.2),
                                                          ("phys_tbs_1x_2s", 1, 2.0)])
def test_theta_bursts_are_4_pulses_at_100_hz_in_10_bursts(name, trains, burst_gap):
    times = _train_times(name)
    assert times.size == trains * 10 * 4
    gaps = np.round(np.diff(times[:40]), 9)
    assert set(gaps) == {0.01, round(burst_gap - 0.03, 9)}


def test_stp_test_pulses_start_15_s_after_the_last_train():
    schedule = _schedule("phys_stp")
    last_train = schedule.stimulus_time[schedule.stimulus_kind == "train"].max()
    tests = schedule.stimulus_time[schedule.stimulus_kind == "test"]
    first_after = tests[tests > last_train].min()
    # the train step ends one pulse period (10 ms) after its last pulse, then a 15-s wait
    assert first_after - last_train == pytest.approx(15.01)


def test_paired_pulse_protocol_has_each_interval_of_the_source():
    schedule = _schedule("phys_ppf")
    first = schedule.stimulus_time[schedule.stimulus_kind == "pp1"]
    second = schedule.stimulus_time[schedule.stimulus_kind == "pp2"]
    intervals = np.unique(np.rint(1000 * (second - first)).astype(int))
    assert intervals.tolist() == [20, 50, 100, 200, 500]


def test_population_spike_protocol_has_io_curves_around_the_ltp_window():
    """phys_ps: somatic site; IO curves before the 10-min pre-induction baseline and from
    60 min after the first train (the time of the source's second curve)."""
    protocol = Protocol.from_toml(LIBRARY / "phys_ps.toml")
    schedule = build_schedule(protocol)
    assert protocol.recording_site == "stratum_pyramidale"
    io = schedule.stimulus_time[schedule.stimulus_kind == "io"]
    before, after = io[io < schedule.induction_time], io[io > schedule.induction_time]
    assert before.size == after.size == 21
    assert before.max() < schedule.induction_time - 10 * MINUTE
    assert after.min() >= schedule.induction_time + 60 * MINUTE


def test_gabaa_protocol_is_one_weak_tetanus_of_20_pulses_at_100_hz():
    times = _train_times("phys_gabaa_ltp")
    assert times.size == 20
    np.testing.assert_allclose(np.diff(times), 0.01)


def test_mk801_protocol_washes_in_without_stimulation_in_zero_mg():
    protocol = Protocol.from_toml(LIBRARY / "phys_mk801.toml")
    schedule = build_schedule(protocol)
    assert schedule.drug_time == 10 * MINUTE
    in_wash = (schedule.stimulus_time >= 10 * MINUTE) & (schedule.stimulus_time < 20 * MINUTE)
    assert not in_wash.any()
    assert schedule.stimulus_time[schedule.stimulus_time >= 20 * MINUTE][0] == 20 * MINUTE
    overrides = protocol.preparation_variant["overrides"]
    assert overrides["mg_concentration"]["value"] == "0 mM"
    assert [d.compound for d in protocol.conditions[0].drugs] == ["CNQX"]

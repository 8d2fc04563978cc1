"""Paired-pulse readouts per interval, on pulse tables laid out from real protocol schedules."""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.analysis.readouts import slice_readouts
from synpharm.analysis.results import PulseTable
from synpharm.protocols import Protocol, build_schedule

BASELINE = {"type": "baseline", "duration": "5 min", "test_rate": "0.05 Hz"}
WASH_IN = {"type": "wash_in", "duration": "20 min", "test_rate": "0.05 Hz",
           "exchange_time": "2 min"}


def _pairs(interval: str, pairs: int = 3) -> dict[str, object]:
    return {"type": "paired_pulse", "interval": interval, "pairs": pairs, "rate": "0.05 Hz"}


def _table(steps: list[dict], second_over_first: dict[int, np.ndarray]) -> tuple[PulseTable, float]:
    """Pulse table of ``steps`` for 2 slices; every first response is -0.5 mV/ms and each
    second response is ``second_over_first[interval_ms]`` (per slice) times the first."""
    schedule = build_schedule(Protocol.from_dict({"experiment": {"name": "pp"}, "steps": steps}))
    kind = schedule.stimulus_kind
    slope = np.full((2, kind.size), -0.5)
    for j in np.flatnonzero(kind == "pp2"):
        interval_ms = round(1000 * (schedule.stimulus_time[j] - schedule.stimulus_time[j - 1]))
        slope[:, j] = -0.5 * second_over_first[interval_ms]
    table = PulseTable(schedule.stimulus_time, kind, schedule.intensity, slope,
                       -slope * 1e-3, np.full_like(slope, 1e-4))
    return table, schedule.drug_time


def test_one_interval_gives_ppr_only():
    table, drug = _table([BASELINE, WASH_IN, _pairs("50 ms")], {50: np.array([1.5, 1.2])})
    readouts = slice_readouts(table, None, drug)
    np.testing.assert_allclose(readouts["ppr"][0], [1.5, 1.2])
    assert readouts["ppr"][1] == "1"
    assert [name for name in readouts if name.startswith("ppr_")] == ["ppr_per_pair"]


def test_several_intervals_give_one_readout_each():
    ratios = {20: np.array([1.8, 1.6]), 50: np.array([1.5, 1.4]), 100: np.array([1.2, 1.1]),
              200: np.array([1.0, 0.9])}
    steps = [BASELINE, WASH_IN, *(_pairs(f"{ms} ms") for ms in ratios)]
    table, drug = _table(steps, ratios)
    readouts = slice_readouts(table, None, drug)
    names = [n for n in readouts if n.startswith("ppr_") and not n.endswith("_per_pair")]
    assert names == ["ppr_20ms", "ppr_50ms", "ppr_100ms", "ppr_200ms"]
    for ms, expected in ratios.items():
        np.testing.assert_allclose(readouts[f"ppr_{ms}ms"][0], expected)
        assert readouts[f"ppr_{ms}ms"][1] == "1"
    # ``ppr`` keeps its meaning: the mean over every counted pair (equal pair counts here)
    np.testing.assert_allclose(readouts["ppr"][0], np.mean(list(ratios.values()), axis=0))


def test_pairs_before_drug_onset_are_not_mixed_in():
    ratios = {20: np.array([3.0, 3.0]), 50: np.array([1.5, 1.5]), 100: np.array([1.2, 1.0])}
    steps = [BASELINE, _pairs("20 ms"), WASH_IN, _pairs("50 ms"), _pairs("100 ms")]
    table, drug = _table(steps, ratios)
    readouts = slice_readouts(table, None, drug)
    assert "ppr_20ms" not in readouts
    np.testing.assert_allclose(readouts["ppr_50ms"][0], [1.5, 1.5])
    np.testing.assert_allclose(readouts["ppr_100ms"][0], [1.2, 1.0])
    np.testing.assert_allclose(readouts["ppr"][0], [1.35, 1.25])


def test_without_a_drug_every_pair_counts():
    ratios = {20: np.array([2.0, 2.0]), 50: np.array([1.5, 1.3])}
    table, _ = _table([BASELINE, _pairs("20 ms", 2), _pairs("50 ms", 4)], ratios)
    readouts = slice_readouts(table, None, None)
    np.testing.assert_allclose(readouts["ppr_20ms"][0], [2.0, 2.0])
    np.testing.assert_allclose(readouts["ppr_50ms"][0], [1.5, 1.3])
    np.testing.assert_allclose(readouts["ppr"][0], [(4 + 6) / 6, (4 + 5.2) / 6])


def test_no_paired_pulses_no_ppr():
    table, drug = _table([BASELINE, WASH_IN], {})
    assert not [name for name in slice_readouts(table, None, drug) if name.startswith("ppr")]


def test_unpaired_first_pulse_is_an_error():
    table, drug = _table([BASELINE, WASH_IN, _pairs("50 ms")], {50: np.array([1.5, 1.2])})
    kind = table.kind.copy()
    kind[kind == "pp2"] = "test"
    broken = PulseTable(table.time, kind, table.intensity, table.fepsp_slope,
                        table.fepsp_amplitude, table.fiber_volley_amplitude)
    with pytest.raises(ValueError, match="pp2"):
        slice_readouts(broken, None, drug)


def test_ppr_is_the_ratio_of_mean_slopes_and_per_pair_ratios_are_kept():
    """A tiny first response makes its per-pair ratio explode; the ratio of means does not."""
    table, drug = _table([BASELINE, WASH_IN, _pairs("50 ms", 4)], {50: np.array([1.5, 1.5])})
    pp1 = np.flatnonzero(table.kind == "pp1")
    slope = table.fepsp_slope.copy()
    slope[:, pp1[0]] = -0.005  # first response nearly absent; its second stays -0.75
    table = PulseTable(table.time, table.kind, table.intensity, slope,
                       table.fepsp_amplitude, table.fiber_volley_amplitude)
    readouts = slice_readouts(table, None, drug)
    ratio_of_means = 4 * 0.75 / (3 * 0.5 + 0.005)
    np.testing.assert_allclose(readouts["ppr"][0], ratio_of_means)
    np.testing.assert_allclose(readouts["ppr_per_pair"][0], (150 + 3 * 1.5) / 4)

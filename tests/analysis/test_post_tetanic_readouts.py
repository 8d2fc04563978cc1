"""Post-tetanic readouts: windows anchored at the end of induction (the last train pulse)."""

from __future__ import annotations

import numpy as np

from synpharm.analysis.readouts import slice_readouts
from synpharm.analysis.results import PulseTable
from synpharm.protocols import Protocol, build_schedule

STEPS = [
    {"type": "baseline", "duration": "20 min", "test_rate": "0.05 Hz"},
    {"type": "train", "n_trains": 3, "frequency": "100 Hz", "duration": "1 s",
     "interval": "20 s"},
    {"type": "wait", "duration": "15 s"},
    {"type": "record", "duration": "60 min", "test_rate": "0.05 Hz"},
]


def _table(decay_time: float = 60.0):
    """Two slices: baseline -0.5 mV/ms; after the trains 2x and 3x potentiation that decays
    exponentially (``decay_time`` [s]) from the last train pulse."""
    schedule = build_schedule(Protocol.from_dict({"experiment": {"name": "ptp"}, "steps": STEPS}))
    measured = schedule.stimulus_kind == "test"
    time = schedule.stimulus_time[measured]
    end = schedule.induction_end_time
    extra = np.where(time > end, np.exp(-(time - end) / decay_time), 0.0)
    slope = -0.5 * (1.0 + np.array([[1.0], [2.0]]) * extra)
    table = PulseTable(time, schedule.stimulus_kind[measured], schedule.intensity[measured],
                       slope, -slope * 1e-3, np.full_like(slope, 1e-4))
    return table, schedule, time, end


def test_end_of_induction_is_the_last_train_pulse():
    schedule = build_schedule(Protocol.from_dict({"experiment": {"name": "ptp"}, "steps": STEPS}))
    assert schedule.induction_time == 1200.0
    assert schedule.induction_end_time == 1200.0 + 40.0 + 0.99
    no_train = Protocol.from_dict({"experiment": {"name": "b"}, "steps": STEPS[:1]})
    assert build_schedule(no_train).induction_end_time is None


def test_post_tetanic_windows_read_the_first_minute_and_5_10_min_after_the_last_train():
    table, schedule, time, end = _table()
    out = slice_readouts(table, schedule.induction_time, None, end)
    first_minute = (time > end) & (time < end + 60.0)
    assert first_minute.sum() == 3  # 15, 35 and 55 s after the last train
    for k, amplitude in enumerate((1.0, 2.0)):
        after = time[first_minute] - end
        expected = 100.0 * (1.0 + amplitude * np.exp(-after / 60.0)).mean()
        np.testing.assert_allclose(out["post_tetanic_percent"][0][k], expected)
        np.testing.assert_allclose(out["post_tetanic_first_percent"][0][k],
                                   100.0 * (1.0 + amplitude * np.exp(-after[0] / 60.0)))
        late = (time >= end + 300.0) & (time < end + 600.0)
        np.testing.assert_allclose(
            out["post_tetanic_5_10min_percent"][0][k],
            100.0 * (1.0 + amplitude * np.exp(-(time[late] - end) / 60.0)).mean())
    assert out["post_tetanic_percent"][1] == "%"


def test_post_tetanic_readouts_need_the_end_of_induction():
    table, schedule, _, _ = _table()
    out = slice_readouts(table, schedule.induction_time, None)
    assert "ltp_percent" in out
    assert not any(name.startswith("post_tetanic") for name in out)


def test_plateau_decay_reads_30_40_min_minus_50_60_min_after_the_onset():
    """``ltp_plateau_decay_percent``: the plateau after STP (30-40 min) minus 50-60 min."""
    table, schedule, time, _ = _table(decay_time=1200.0)
    out = slice_readouts(table, schedule.induction_time, None)
    onset = schedule.induction_time
    before = (time >= onset - 600.0) & (time < onset)
    for k in range(2):
        percent = 100.0 * table.fepsp_slope[k] / table.fepsp_slope[k, before].mean()
        plateau = percent[(time >= onset + 1800.0) & (time < onset + 2400.0)].mean()
        late = percent[(time >= onset + 3000.0) & (time < onset + 3600.0)].mean()
        np.testing.assert_allclose(out["ltp_plateau_decay_percent"][0][k], plateau - late)
        assert out["ltp_plateau_decay_percent"][0][k] > 0.0  # still decaying (tau 20 min)
    assert out["ltp_plateau_decay_percent"][1] == "%"

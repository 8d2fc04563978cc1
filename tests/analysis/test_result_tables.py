"""Result.to_dataframe: tidy tables of readouts and per-pulse measurements."""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.analysis.results import ConditionResult, ExperimentResult, PulseTable, Readout


def _result() -> ExperimentResult:
    n_slices, n_pulses = 3, 4
    slope = -np.arange(n_slices * n_pulses, dtype=float).reshape(n_slices, n_pulses)
    table = PulseTable(np.arange(n_pulses) * 20.0, np.array(["test"] * n_pulses),
                       np.full(n_pulses, 0.5), slope, -slope, 0.1 * slope)
    conditions = [
        ConditionResult(name, (), table,
                        {"ltp_percent": Readout("ltp_percent", np.array([150.0, np.nan, 170.0]),
                                                "%")})
        for name in ("control", "drug")
    ]
    return ExperimentResult("demo", conditions, None, None, {})


def test_readout_table_has_one_row_per_condition_subject_and_readout():
    frame = _result().to_dataframe()
    assert list(frame.columns) == ["condition", "subject", "readout", "value", "unit"]
    assert len(frame) == 2 * 3
    control = frame[frame.condition == "control"]
    assert control["subject"].tolist() == [0, 1, 2]
    assert np.isnan(control["value"].iloc[1])


def test_pulse_table_keeps_every_measurement_in_its_place():
    result = _result()
    frame = result.to_dataframe("pulses")
    assert len(frame) == 2 * 3 * 4
    row = frame[(frame.condition == "drug") & (frame.subject == 2) & (frame.pulse == 1)]
    table = result.conditions[1].pulses
    assert row["fepsp_slope"].item() == table.fepsp_slope[2, 1]
    assert row["time"].item() == table.time[1]


def test_unknown_table_is_refused():
    with pytest.raises(ValueError, match="readouts"):
        _result().to_dataframe("spikes")

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


def test_summary_table_has_one_row_per_condition_and_readout():
    result = _result()
    frame = result.to_dataframe("summary")
    assert list(frame.columns) == ["condition", "readout", "mean", "sem", "n", "unit",
                                   "p_vs_control"]
    assert frame[["condition", "readout"]].values.tolist() == [
        ["control", "ltp_percent"], ["drug", "ltp_percent"]]
    assert frame["mean"].tolist() == [160.0, 160.0] and frame["n"].tolist() == [2, 2]


def test_pulses_as_xarray_condition_by_slice_by_time():
    result = _result()
    data = result.to_xarray()
    assert data["fepsp_slope"].dims == ("condition", "slice", "time")
    assert data["fepsp_slope"].attrs["units"] == "V/s"
    frame = result.to_dataframe("pulses")
    row = frame[(frame.condition == "drug") & (frame.subject == 2) & (frame.pulse == 1)]
    value = data["fepsp_slope"].sel(condition="drug", slice=2, time=20.0).item()
    assert value == row["fepsp_slope"].item()
    assert data["kind"].values.tolist() == ["test"] * 4


def test_conditions_with_fewer_slices_are_padded_with_nan():
    result = _result()
    small = result.conditions[1]
    table = small.pulses
    fewer = type(table)(table.time, table.kind, table.intensity, table.fepsp_slope[:2],
                        table.fepsp_amplitude[:2], table.fiber_volley_amplitude[:2])
    result.conditions[1] = type(small)(small.name, small.drugs, fewer, small.readouts)
    slope = result.to_xarray()["fepsp_slope"]
    assert slope.sizes == {"condition": 2, "slice": 3, "time": 4}
    assert np.isnan(slope.sel(condition="drug", slice=2)).all()
    assert np.isfinite(slope.sel(condition="control")).all()


def test_readouts_as_xarray_and_studies_have_no_pulse_dataset():
    result = _result()
    study = ExperimentResult("study", [ConditionResult(c.name, (), None, c.readouts)
                                       for c in result.conditions], None, None, {})
    readouts = study.to_xarray("readouts")
    assert readouts["ltp_percent"].dims == ("condition", "subject")
    assert readouts["ltp_percent"].attrs["units"] == "%"
    with pytest.raises(ValueError, match="readouts"):
        study.to_xarray()


def test_missing_xarray_is_one_error_naming_the_extra(monkeypatch):
    import importlib.util

    from synpharm.errors import InputError

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "xarray" else real(name, *a))
    with pytest.raises(InputError) as error:
        _result().to_xarray()
    assert "synpharm[xarray]" in error.value.fix

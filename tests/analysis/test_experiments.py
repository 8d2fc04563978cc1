"""Experiment-level analysis of sweep tables: LTP readouts, pathways, I/O, PPR, dose-response."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.analysis import experiments as ex
from synpharm.analysis.fitting import hill_equation
from synpharm.analysis.recordings import SweepTable

MINUTE = 60.0


def _table(
    slope, time, *, channel=None, group=None, sweep=None, kind=None, intensity=None, names=()
):
    n = len(slope)
    zeros = np.zeros(n, dtype=np.intp)
    return SweepTable(
        file=np.full(n, "f.abf"),
        channel=zeros if channel is None else np.asarray(channel, dtype=np.intp),
        group=zeros if group is None else np.asarray(group, dtype=np.intp),
        sweep=np.arange(n, dtype=np.intp) if sweep is None else np.asarray(sweep, dtype=np.intp),
        time=np.asarray(time, dtype=float),
        kind=np.full(n, "test") if kind is None else np.asarray(kind),
        intensity=np.full(n, np.nan) if intensity is None else np.asarray(intensity, float),
        fepsp_slope=np.asarray(slope, dtype=float),
        fepsp_amplitude=-np.asarray(slope, dtype=float) * 2e-3,
        fiber_volley_amplitude=np.full(n, 1e-4),
        slope_window=np.zeros((n, 2)),
        flag=np.full(n, ""),
        group_names={"f.abf": tuple(names)},
    )


@settings(max_examples=20, deadline=None)
@given(st.floats(-2.0, -0.1), st.floats(0.5, 3.0))
def test_ltp_percent_of_a_step_potentiation(baseline, factor):
    """Slope steps from ``baseline`` to ``factor x baseline`` at induction (20 min)."""
    time = np.arange(0, 90 * MINUTE, 20.0)
    induction = 20 * MINUTE
    slope = np.where(time < induction, baseline, factor * baseline)
    table = _table(slope, time)
    (series,) = ex.series_of(table)
    readouts = ex.series_readouts(table, series, induction, None)
    assert readouts["ltp_percent"][0] == pytest.approx(100 * factor)
    assert readouts["baseline_fepsp_slope"][0] == pytest.approx(baseline)
    assert ex.ltp_in_window(table, series, induction, (50 * MINUTE, 60 * MINUTE)) == (
        pytest.approx(readouts["ltp_percent"][0])
    )
    assert ex.ltp_in_window(table, series, induction, (60 * MINUTE, 70 * MINUTE)) == (
        pytest.approx(100 * factor)
    )
    centres, percent = ex.ltp_time_course(table, series, induction)
    assert np.allclose(percent[centres < 0], 100.0)
    assert np.allclose(percent[centres > 0], 100.0 * factor)


def test_two_interleaved_pathways_are_split_by_sweep_parity():
    time = np.arange(0, 80 * MINUTE, 15.0)
    induction = 20 * MINUTE
    test_path = (np.arange(time.size) % 2) == 0
    slope = np.where(test_path & (time >= induction), -1.5, -1.0)
    table = _table(slope, time)
    per_series = [
        (s, ex.series_readouts(table, s, induction, None)) for s in ex.series_of(table, 2)
    ]
    groups = {
        g["pathway"]: g["readouts"]["ltp_percent"]["mean"] for g in ex.group_summary(per_series)
    }
    assert groups[0] == pytest.approx(150.0) and groups[1] == pytest.approx(100.0)


def test_group_summary_mean_sem_over_series():
    time = np.tile(np.arange(0, 80 * MINUTE, 30.0), 3)
    n = time.size // 3
    channel = np.repeat([0, 1, 2], n)
    factors = np.array([1.2, 1.4, 1.6])
    slope = np.where(time >= 20 * MINUTE, -factors[channel], -1.0)
    table = _table(slope, time, channel=channel, sweep=np.tile(np.arange(n), 3))
    per_series = [(s, ex.series_readouts(table, s, 20 * MINUTE, None)) for s in ex.series_of(table)]
    (group,) = ex.group_summary(per_series)
    ltp = group["readouts"]["ltp_percent"]
    assert ltp["n"] == 3 and ltp["mean"] == pytest.approx(140.0)
    assert ltp["sem"] == pytest.approx(20.0 / np.sqrt(3))


def test_paired_pulse_ratio_pairs_by_sweep():
    kind = np.array(["pp1", "pp2"] * 4)
    sweep = np.repeat(np.arange(4), 2)
    slope = np.where(kind == "pp1", -1.0, -1.8)
    table = _table(slope, np.arange(8.0), kind=kind, sweep=sweep)
    (series,) = ex.series_of(table)
    assert ex.paired_pulse_ratio(table, series)["ppr"][0] == pytest.approx(1.8)


def test_input_output_by_intensity_or_group():
    intensity = np.repeat([0.2, 0.5, 1.0], 3)
    table = _table(-2 * intensity, np.arange(9.0), intensity=intensity)
    (series,) = ex.series_of(table)
    curve = ex.input_output(table, series)
    assert [p["intensity"] for p in curve] == [0.2, 0.5, 1.0]
    assert [p["fepsp_slope"] for p in curve] == pytest.approx([-0.4, -1.0, -2.0])


@pytest.mark.parametrize(
    ("name", "micromolar"),
    [
        ("ketamine 10 uM", 10.0),
        ("baclofen 300 nM", 0.3),
        ("Mg 1.5 mM", 1500.0),
        ("control", None),
        ("ketamine 3 µM", 3.0),
    ],
)
def test_concentration_from_group_name(name, micromolar):
    assert ex.concentration_from_name(name) == micromolar


def test_dose_response_recovers_the_ic50():
    concentrations = [0.3, 1.0, 3.0, 10.0, 30.0, 100.0]
    response = hill_equation(np.array(concentrations), 5.0, 1.2, 100.0, 20.0)
    groups = [{"group_name": "control", "readouts": {"ltp_percent": {"mean": 100.0}}}] + [
        {"group_name": f"drug {c:g} uM", "readouts": {"ltp_percent": {"mean": float(r)}}}
        for c, r in zip(concentrations, response, strict=True)
    ]
    fit = ex.dose_response(groups, "ltp_percent", n_bootstrap=50)
    assert fit is not None and fit["ec50_uM"] == pytest.approx(5.0, rel=0.05)
    assert fit["ec50_ci_uM"][0] <= fit["ec50_uM"] <= fit["ec50_ci_uM"][1]
    assert ex.dose_response(groups[:4], "ltp_percent") is None  # < 4 concentrations

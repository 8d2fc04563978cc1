"""Figure logic: baseline choice, drug label, colours, Hill band, files written."""

from __future__ import annotations

import numpy as np

from synpharm.analysis.fitting import hill_equation
from synpharm.analysis.results import ConditionResult, ExperimentResult, PulseTable, Readout
from synpharm.report import slope_percent_of_baseline, write_outputs
from synpharm.report.concentration_response import hill_band
from synpharm.report.time_course import baseline_reference, drug_label
from synpharm.style import condition_colours, format_concentration


def _result() -> ExperimentResult:
    """Control and 4 concentrations; the drug (at 10 min) lowers the slope before induction."""
    time = np.arange(0, 3600.0, 20.0)
    kind = np.array(["test"] * time.size)
    conditions = []
    for k, conc in enumerate([0.0, 1e-3, 3e-3, 1e-2, 3e-2]):
        fraction = 1.0 / (1.0 + 0.01 / conc) if conc else 0.0  # IC50 10 uM
        depression = np.where(time >= 600.0, 1.0 - 0.5 * fraction, 1.0)
        potentiation = np.where(time >= 1800.0, 1.5, 1.0)
        slope = -0.5 * (depression * potentiation)[None, :] * (1 + 0.01 * np.arange(4))[:, None]
        pulses = PulseTable(time, kind, np.full(time.size, 0.5), slope, slope * 1e-3,
                            np.full(slope.shape, -2e-4))
        change = np.full(4, -100 * 0.5 * fraction) + np.arange(4) * 0.5
        readouts = {"baseline_change_percent": Readout("baseline_change_percent", change, "%")}
        drugs = (("baclofen", conc),) if conc else ()
        conditions.append(ConditionResult("control" if not k else f"baclofen {conc * 1e3:g} uM",
                                          drugs, pulses, readouts))
    from synpharm.analysis.readouts import concentration_response

    return ExperimentResult("demo", conditions, 1800.0, 600.0, {"seed": 0},
                            concentration_response(conditions))


def test_pre_drug_baseline_starts_at_100_and_shows_the_fall_before_induction():
    result = _result()
    assert baseline_reference(result, "auto") == "pre_drug"
    p = result.conditions[-1].pulses
    pre_drug = slope_percent_of_baseline(p, 1800.0, 600.0, "pre_drug")[0]
    pre_induction = slope_percent_of_baseline(p, 1800.0, 600.0)[0]
    before, during = p.time < 600.0, (p.time > 900.0) & (p.time < 1800.0)
    np.testing.assert_allclose(pre_drug[before], 100.0)
    assert abs(pre_drug[during].mean() - 100 * (1 - 0.5 * 0.75)) < 1e-9
    np.testing.assert_allclose(pre_induction[during], 100.0)  # the LTP convention hides it


def test_drug_label_names_compound_and_concentration_range():
    assert drug_label(_result().conditions) == "baclofen 1–30 µM"
    assert format_concentration(0.05) == "50 nM" and format_concentration(600) == "600 µM"


def test_colours_control_black_series_ordered_others_distinct():
    drugs = [(), (("k", 1.0),), (("k", 2.0),), (("k", 3.0),), (("a", 1.0),), (("b", 1.0),)]
    colours = condition_colours(drugs)
    assert colours[0] == "#000000"
    assert len(set(colours)) == len(colours)


def test_hill_band_is_reproducible_and_contains_the_fit():
    conc = np.repeat([0.1, 0.3, 1, 3, 10, 30], 4)
    rng = np.random.default_rng(1)
    resp = hill_equation(conc, 2.0, 1.0, 0.0, 100.0) + rng.normal(0, 5, conc.size)
    grid = np.geomspace(0.1, 30, 50)
    curve, low, high = hill_band(conc, resp, grid)
    again = hill_band(conc, resp, grid)
    np.testing.assert_array_equal(low, again[1])
    assert np.all(low <= curve + 1e-9) and np.all(curve <= high + 1e-9)


def test_outputs_include_both_figures(tmp_path):
    out = write_outputs(_result(), tmp_path / "o")
    names = sorted(p.name for p in out.iterdir())
    assert "time_course.png" in names and "concentration_response.png" in names


def test_ppr_panel_plots_each_interval_in_order():
    """Paired pulses at several intervals get a PPR-vs-interval panel (mean, SEM per interval)."""
    from matplotlib.figure import Figure

    from synpharm.report.paired_pulse_panel import ppr_by_interval
    from synpharm.report.time_course import draw_time_course

    result = _result()
    ppr = {"ppr_500ms": [1.0, 1.1], "ppr_20ms": [1.6, 1.8], "ppr_20ms_per_pair": [9.0, 9.0]}
    result.conditions[0].readouts.update(
        {name: Readout(name, np.array(v), "1") for name, v in ppr.items()})
    series = ppr_by_interval(result)
    assert list(series) == [0]
    np.testing.assert_allclose(series[0][:, :2], [[20.0, 1.7], [500.0, 1.05]])
    figure = Figure(layout="constrained")
    draw_time_course(figure, result, None, lambda p, ref: slope_percent_of_baseline(
        p, result.induction_time, result.drug_time, ref))
    assert figure.axes[-1].get_xlabel() == "inter-pulse interval [ms]"

"""Time-course figure marks: step-aware drug bars, induction marks, the response plotted.

Interface tests on synthetic results (no simulation): the figure's text and artists are read
from matplotlib objects, never from pixels.
"""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.analysis.results import ConditionResult, ExperimentResult, PulseTable
from synpharm.protocols import Protocol
from synpharm.report import write_outputs
from synpharm.report.time_course import draw_time_course
from synpharm.report.timeline import (
    drug_bars,
    experiment_timeline,
    induction_marks,
    records_isolated_nmda,
)

BASE = {"type": "baseline", "duration": "10 min", "test_rate": "0.05 Hz"}
RECORD = {"type": "record", "duration": "20 min", "test_rate": "0.05 Hz"}


def _protocol(conditions: list[dict], steps: list[dict]) -> Protocol:
    return Protocol.from_dict({"experiment": {"name": "demo"}, "conditions": conditions,
                               "steps": steps})


def _mk801_protocol() -> Protocol:
    return _protocol(
        [{"name": "CNQX 10 uM", "compound": "CNQX", "concentration": "10 uM"}],
        [BASE,
         {"type": "wash_in", "duration": "10 min", "test_rate": "0.05 Hz",
          "exchange_time": "1 min", "drugs": [{"compound": "MK-801", "concentration": "20 uM"}]},
         {"type": "wash_out", "duration": "10 min", "test_rate": "0.05 Hz",
          "exchange_time": "1 min", "compounds": ["MK-801"]}],
    )


def _result(conditions: list[tuple[str, tuple]], induction: float | None, drug: float | None,
            *, nmda: bool = False, end: float = 1800.0) -> ExperimentResult:
    time = np.arange(0.0, end, 20.0)
    kind = np.array(["test"] * time.size)
    rng = np.random.default_rng(0)
    out = []
    for name, drugs in conditions:
        slope = -0.5 * (1 + 0.02 * rng.standard_normal((4, time.size)))
        table = PulseTable(time, kind, np.full(time.size, 0.5), slope, slope * 1e-3,
                           np.full(slope.shape, -2e-4),
                           nmda_conductance=np.full(slope.shape, 4e-9) if nmda else None)
        out.append(ConditionResult(name, drugs, table, {}))
    return ExperimentResult("demo", out, induction, drug, {"seed": 0})


def _draw(result: ExperimentResult, protocol: Protocol | None):
    from matplotlib.figure import Figure

    figure = Figure(layout="constrained")
    draw_time_course(figure, result, experiment_timeline(result, protocol))
    return figure.axes[0]


def _texts(axes) -> list[str]:
    return [t.get_text() for t in axes.texts]


def test_wash_in_with_its_own_drugs_gets_its_own_bar_over_its_own_span():
    """MK-801 washed in over CNQX: the bar of the wash-in span names MK-801, not CNQX."""
    protocol = _mk801_protocol()
    result = _result([("CNQX 10 uM", (("CNQX", 0.01),))], None, 600.0, nmda=True)
    bars = {bar.label: (bar.start, bar.end) for bar in drug_bars(result, protocol)}
    assert bars == {"CNQX 10 µM": (0.0, 1800.0), "MK-801 20 µM": (600.0, 1200.0)}
    axes = _draw(result, protocol)
    assert {"CNQX 10 µM", "MK-801 20 µM"} <= set(_texts(axes))
    x_of = {t.get_text(): t.get_position()[0] for t in axes.texts}
    assert x_of["MK-801 20 µM"] == pytest.approx(0.0)  # drawn from the wash-in onset [min]


def test_pre_incubated_drug_bar_spans_the_whole_recording():
    protocol = _protocol(
        [{"name": "control"},
         {"name": "picrotoxin", "compound": "picrotoxin", "concentration": "100 uM"}],
        [BASE, {"type": "train", "n_trains": 1, "frequency": "100 Hz", "pulses": 20,
                "interval": "20 s"}, RECORD])
    result = _result([("control", ()), ("picrotoxin", (("picrotoxin", 0.1),))], 600.0, None)
    [bar] = drug_bars(result, protocol)
    assert (bar.label, bar.start) == ("picrotoxin 100 µM", 0.0)
    assert "picrotoxin 100 µM" in _texts(_draw(result, protocol))


def test_brief_induction_is_an_arrow_labelled_with_the_train():
    protocol = _protocol([{"name": "control"}], [
        BASE, {"type": "train", "n_trains": 3, "frequency": "100 Hz", "duration": "1 s",
               "interval": "20 s"}, RECORD])
    result = _result([("control", ())], 600.0, None)
    [mark] = induction_marks(result, protocol)
    assert mark.label == "3 × 100 Hz, 1 s" and mark.end == pytest.approx(600.0 + 40.99)
    axes = _draw(result, protocol)
    assert "3 × 100 Hz, 1 s" in _texts(axes)
    assert axes.get_xlabel() == "time from induction [min]"


def test_long_induction_is_a_shaded_span_and_bins_count_from_its_end():
    """900 pulses at 1 Hz: a span from 0 to 15 min; the first post-train bin is 15-16 min."""
    from matplotlib.patches import Polygon, Rectangle

    protocol = _protocol([{"name": "control"}], [
        BASE, {"type": "train", "n_trains": 1, "frequency": "1 Hz", "pulses": 900,
               "interval": "15 min"}, RECORD])
    result = _result([("control", ())], 600.0, None, end=3300.0)
    p = result.conditions[0].pulses
    keep = (p.time < 600.0) | (p.time >= 1510.0)  # no test pulses during the train
    table = PulseTable(p.time[keep], p.kind[keep], p.intensity[keep], p.fepsp_slope[:, keep],
                       p.fepsp_amplitude[:, keep], p.fiber_volley_amplitude[:, keep])
    result = ExperimentResult("demo", [ConditionResult("control", (), table, {})], 600.0, None,
                              {"seed": 0})
    axes = _draw(result, protocol)
    assert "900 pulses at 1 Hz" in _texts(axes)
    spans = [a for a in axes.patches if isinstance(a, Rectangle | Polygon)]
    assert spans, "the 15-min train is drawn as a shaded span"
    centres, means = axes.lines[0].get_xdata(), axes.lines[0].get_ydata()
    after = centres[np.isfinite(means) & (centres > 0)]
    assert after.min() == pytest.approx(899.0 / 60.0 + 0.5)  # last train pulse + half a bin


def test_isolated_nmda_response_is_plotted_when_ampa_is_blocked_in_every_condition():
    protocol = _mk801_protocol()
    result = _result([("CNQX 10 uM", (("CNQX", 0.01),))], None, 600.0, nmda=True)
    assert records_isolated_nmda(result, protocol)
    assert _draw(result, protocol).get_ylabel().startswith("isolated NMDA response [%")
    apv = _protocol([{"name": "D-APV", "compound": "D-APV", "concentration": "50 uM"}],
                    [BASE, {"type": "wash_in", "duration": "10 min", "test_rate": "0.05 Hz",
                            "exchange_time": "1 min"}])
    plain = _result([("D-APV", (("D-APV", 0.05),))], None, 600.0, nmda=True, end=1200.0)
    assert not records_isolated_nmda(plain, apv)
    assert _draw(plain, apv).get_ylabel().startswith("fEPSP slope [%")


def test_without_an_event_conditions_are_compared_in_absolute_slope_with_distinct_colours():
    """Two drug-free baths (no wash-in, no induction): absolute slope, not % of itself."""
    result = _result([("2.5 mM Ca2+", ()), ("1.3 mM Ca2+", ())], None, None, end=600.0)
    axes = _draw(result, None)
    assert axes.get_ylabel() == "fEPSP slope [-mV/ms]"
    assert axes.get_ylim()[0] == 0.0
    colours = {line.get_color() for line in axes.lines[:2]}
    assert len(colours) == 2


def test_normalised_noise_is_shown_on_at_least_80_to_120_percent():
    result = _result([("control", ())], 600.0, None)
    low, high = _draw(result, None).get_ylim()
    assert low <= 80.0 and high >= 120.0


def test_write_outputs_with_protocol_writes_the_nmda_figure(tmp_path):
    protocol = _mk801_protocol()
    result = _result([("CNQX 10 uM", (("CNQX", 0.01),))], None, 600.0, nmda=True)
    out = write_outputs(result, tmp_path / "o", protocol=protocol)
    assert (out / "time_course.png").stat().st_size > 0
    svg = (out / "time_course.svg").read_text(encoding="utf-8")
    assert "MK-801 20" in svg and "isolated NMDA response" in svg
    header, first = (out / "pulses.csv").read_text(encoding="utf-8").splitlines()[:2]
    column = header.split(",").index("nmda_conductance_nS")
    assert float(first.split(",")[column]) == pytest.approx(4.0)  # the data behind the figure


def test_a_drug_that_abolishes_the_fepsp_gets_a_fibre_volley_panel():
    from matplotlib.figure import Figure

    from synpharm.analysis.results import Readout

    result = _result([("control", ()), ("TTX", (("TTX", 0.001),))], None, 600.0, end=1800.0)
    drop = {"baseline_change_percent": Readout("baseline_change_percent", np.full(4, -99.0), "%")}
    result.conditions[1].readouts.update(drop)
    figure = Figure(layout="constrained")
    draw_time_course(figure, result)
    assert [a.get_title() for a in figure.axes][1] == "presynaptic fibre volley"
    assert figure.axes[1].get_ylabel() == "fibre volley amplitude [% of pre-drug baseline]"
    result.conditions[1].readouts["baseline_change_percent"] = Readout(
        "baseline_change_percent", np.full(4, -20.0), "%")
    figure = Figure(layout="constrained")
    draw_time_course(figure, result)
    assert "presynaptic fibre volley" not in [a.get_title() for a in figure.axes]


def test_ppr_per_condition_names_its_interval():
    from synpharm.analysis.results import Readout

    protocol = _protocol(
        [{"name": "2.5 mM Ca2+", "bath": {"calcium": "2.5 mM"}},
         {"name": "1.3 mM Ca2+", "bath": {"calcium": "1.3 mM"}}],
        [BASE, {"type": "paired_pulse", "interval": "50 ms", "pairs": 10, "rate": "0.05 Hz"}])
    result = _result([("2.5 mM Ca2+", ()), ("1.3 mM Ca2+", ())], None, None, end=600.0)
    for condition, value in zip(result.conditions, (1.5, 2.0), strict=True):
        condition.readouts["ppr"] = Readout("ppr", np.full(4, value), "1")
    from matplotlib.figure import Figure

    figure = Figure(layout="constrained")
    draw_time_course(figure, result, experiment_timeline(result, protocol))
    assert figure.axes[-1].get_title() == "paired-pulse ratio at 50 ms"

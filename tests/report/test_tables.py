"""Readout tables: names never cut, rounding to the SEM, design variables not averaged."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from synpharm.report.tables import (
    format_mean_sem,
    format_p,
    long_table,
    render_table,
    wide_fits,
)

LONG_NAME = "quantal_content_failures_change_percent"


def _summary(n_conditions: int = 3) -> dict:
    conditions = []
    for k in range(n_conditions):
        conditions.append(
            {
                "name": "control" if k == 0 else f"baclofen {k} uM",
                "readouts": {
                    LONG_NAME: {"mean": -27.4 * k, "sem": 5.6, "n": 11, "unit": "%",
                                "p_vs_control": 0.044 if k else None},
                    "baseline_amplitude": {"mean": 2.57e-5, "sem": 1e-6, "n": 12, "unit": "V"},
                    "never_measured": {"mean": None, "sem": None, "n": 0, "unit": "1"},
                    "session": {"mean": 1.5, "sem": 0.1, "n": 12, "unit": "1"},
                },
            }
        )
    return {"protocol": "demo", "conditions": conditions}


def test_long_table_names_every_readout_in_full_and_leaves_out_design_variables():
    text = long_table(_summary())
    assert f"{LONG_NAME} [%]" in text
    assert "baseline_amplitude [V]" in text
    assert "baclofen 2 uM" in text and "p=0.044" in text
    assert "no values in any condition: never_measured" in text
    assert "design variables (not averaged): session" in text
    assert "session\n" not in text.split("design variables")[0]


def test_wide_layout_only_when_it_fits():
    summary = _summary(8)
    assert not wide_fits(summary, 80)
    assert isinstance(render_table(summary, width=80, terminal=True), str)
    assert isinstance(render_table(summary, width=400, terminal=False), str)
    assert not isinstance(render_table(summary, width=400, terminal=True), str)


def test_mean_is_rounded_to_the_decimal_place_of_the_sem():
    assert format_mean_sem(158.276, 1.934) == "158.3 ± 1.9"
    assert format_mean_sem(-0.55717, 0.0631) == "-0.557 ± 0.063"
    assert format_mean_sem(-0.01, 11.0) == "0 ± 11"  # no "-0"
    assert format_mean_sem(2.57e-5, 1e-6) == "2.57e-05 ± 1e-06"
    assert format_mean_sem(float("nan"), 1.0) == "—"
    assert format_p(None) == "" and format_p(3e-13) == "p<1e-10" and format_p(0.0427) == "p=0.043"


@given(
    st.floats(-1e5, 1e5, allow_nan=False),
    st.floats(1e-3, 1e4, allow_nan=False),
)
def test_rounded_mean_is_within_half_a_last_digit(mean, sem):
    text = format_mean_sem(mean, sem)
    shown_mean, shown_sem = (float(part) for part in text.split(" ± "))
    decimals = max(1 - math.floor(math.log10(sem)), 0)
    assert abs(shown_mean - mean) <= 0.5 * 10**-decimals + 1e-9 * abs(mean)
    assert math.isclose(shown_sem, sem, rel_tol=0.06)

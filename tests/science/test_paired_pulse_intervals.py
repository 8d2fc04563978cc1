"""LIT-BAC-3 (validation) over intervals: paired-pulse ratio at 20-200 ms in CA1 slices.

Trompoukis & Papatheodoropoulos 2020 Front Synaptic Neurosci 12:24: paired-pulse facilitation
of the fEPSP decays with the interval; baclofen (5-100 uM) increases it at 50 ms; the GABA-B
antagonist CGP52432 (10 uM) reverses the increase. Thresholds are the target's qualitative
statements with margins, not values read from the model.
"""

from __future__ import annotations

import pytest

from synpharm.experiments.slice import run_protocol
from synpharm.protocols import Protocol
from synpharm.protocols.library import LIBRARY

NAME = "baclofen_paired_pulse_intervals.toml"
INTERVALS_MS = (20, 50, 100, 200)
CONTROL, BACLOFEN, REVERSED = "control", "baclofen 10 uM", "baclofen 10 uM + CGP52432 10 uM"


@pytest.fixture(scope="module")
def ppr() -> dict[str, dict[int, float]]:
    """Mean PPR per condition and interval [ms]."""
    result = run_protocol(Protocol.from_toml(LIBRARY / NAME))
    return {
        c.name: {ms: c.readouts[f"ppr_{ms}ms"].mean for ms in INTERVALS_MS}
        for c in result.conditions
    }


def test_control_facilitation_decays_with_interval(ppr):
    control = ppr[CONTROL]
    assert control[20] > 1.0 and control[50] > 1.0
    assert max(control[20], control[50]) > control[100] > control[200]


def test_baclofen_raises_ppr_at_50ms(ppr):
    assert ppr[BACLOFEN][50] >= ppr[CONTROL][50] + 0.1


def test_cgp52432_brings_ppr_at_50ms_back_to_control(ppr):
    assert abs(ppr[REVERSED][50] - ppr[CONTROL][50]) <= 0.15

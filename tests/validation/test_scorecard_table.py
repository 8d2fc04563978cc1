"""Scorecard.to_dataframe: one row per target and check, with the seed pass fraction."""

from __future__ import annotations

import math

import pandas as pd
from tiny_targets import tiny_target

from synpharm.validation import Scorecard, TargetOutcome, load_targets, run_targets

TARGETS = tiny_target("LAB-Y", "baclofen depresses the baseline") + """
[[targets.checks]]
compare = "range"
condition = "control"
readout = "baseline_change_percent"
high = -99.0
"""

COLUMNS = ["target", "role", "expected", "status", "pass_fraction", "check", "compare",
           "check_status", "value", "unit", "seed_pass_fraction", "observed", "tolerance"]


def test_one_row_per_target_and_check_with_seed_fractions(tmp_path):
    path = tmp_path / "lab.toml"
    path.write_text(TARGETS)
    card = run_targets([load_targets(path)], seeds=2)
    frame = card.to_dataframe()
    assert list(frame.columns) == COLUMNS
    outcome = card.outcomes[0]
    assert len(frame) == len(outcome.checks) == 2
    assert frame.check.tolist() == [c.what for c in outcome.checks]
    assert frame.check_status.tolist() == ["pass", "fail"]
    assert frame.seed_pass_fraction.tolist() == [1.0, 0.0]
    assert (frame.status == "fail").all() and (frame.pass_fraction == 0.0).all()
    assert frame.value.tolist() == [c.value for c in outcome.checks]


def test_checks_with_one_label_keep_their_own_seed_fractions(tmp_path):
    path = tmp_path / "lab.toml"
    path.write_text(TARGETS.replace('condition = "control"', 'condition = "drug"'))
    card = run_targets([load_targets(path)], seeds=2)
    frame = card.to_dataframe()
    assert frame.check.nunique() == 1  # the same label twice
    assert frame.seed_pass_fraction.tolist() == [1.0, 0.0]


def test_one_seed_has_no_seed_fraction_and_a_pending_target_one_row(tmp_path):
    path = tmp_path / "lab.toml"
    path.write_text(TARGETS)
    card = run_targets([load_targets(path)])
    pending = TargetOutcome(card.outcomes[0].target, "pending")
    frame = Scorecard((*card.outcomes, pending), card.provenance).to_dataframe()
    assert frame.seed_pass_fraction.isna().all()
    last = frame.iloc[-1]
    assert last.status == "pending" and pd.isna(last.check) and math.isnan(last.pass_fraction)

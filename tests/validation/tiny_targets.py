"""A tiny targets file for validation tests: one drug that lowers the baseline, 5 min of slices."""

from __future__ import annotations

TARGET = """
[[targets]]
id = "{target_id}"
role = "validation"
source = "Doe 2026"
claim = "{claim}"
{extra}

[targets.protocol.experiment]
name = "tiny"
cohort = 2
seed = 4

[[targets.protocol.conditions]]
name = "control"

[[targets.protocol.conditions]]
name = "drug"
compound = "{compound}"
concentration = "10 uM"

[[targets.protocol.steps]]
type = "baseline"
duration = "2 min"
test_rate = "0.1 Hz"

[[targets.protocol.steps]]
type = "wash_in"
duration = "3 min"
test_rate = "0.1 Hz"
exchange_time = "1 min"

[[targets.checks]]
compare = "range"
condition = "drug"
readout = "baseline_change_percent"
high = {high}
"""


def tiny_target(target_id: str = "LAB-X", claim: str = "something", compound: str = "baclofen",
                high: float = -20.0, extra: str = "") -> str:
    """The text of a one-target file: drug vs control, a range check on the baseline change."""
    return TARGET.format(target_id=target_id, claim=claim, compound=compound, high=high,
                         extra=extra)

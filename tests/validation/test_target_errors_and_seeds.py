"""Errors inside a targets file name the file, the target id and the field; seed pass fractions."""

from __future__ import annotations

import pytest
from tiny_targets import tiny_target

from synpharm.errors import InputError
from synpharm.validation import load_targets, run_targets


def _file(tmp_path, compound="baclofen", high=-20.0, extra=""):
    path = tmp_path / "lab.toml"
    path.write_text(tiny_target(compound=compound, high=high, extra=extra))
    return load_targets(path)


def test_unknown_compound_inside_a_target_protocol_names_file_target_and_field(tmp_path):
    with pytest.raises(InputError) as error:
        run_targets([_file(tmp_path, compound="baclofenn")])
    assert error.value.field.startswith(f"{tmp_path / 'lab.toml'}: targets[LAB-X].protocol")
    assert "baclofenn" in error.value.problem


def test_expected_fail_needs_a_reason(tmp_path):
    with pytest.raises(InputError, match="reason"):
        _file(tmp_path, extra='expected = "fail"')


def test_seeds_give_pass_fractions_and_the_threshold_decides(tmp_path):
    card = run_targets([_file(tmp_path, high=-20.0)], seeds=2)
    (outcome,) = card.outcomes
    assert len(outcome.seed_passes) == 2 and outcome.pass_fraction == 1.0
    assert card.summary()["pass_fractions"] == {"LAB-X": 1.0} and card.summary()["seeds"] == 2
    failing = run_targets([_file(tmp_path, high=-99.0)], seeds=2)
    assert failing.outcomes[0].status == "fail" and failing.unexpected_failures() == ["LAB-X"]


def test_an_expected_failure_is_not_unexpected(tmp_path):
    card = run_targets([_file(tmp_path, high=-99.0,
                              extra='expected = "fail"\nreason = "known shortfall"')])
    assert card.outcomes[0].status == "fail" and card.unexpected_failures() == []
    assert card.summary()["by_role"]["validation"]["expected_fail"] == 1

"""Runs that cannot fit: refused before any work, within a second, with the estimate."""

from __future__ import annotations

import time

import pytest
import tomli_w
from robustness_helpers import TINY, assert_one_error_line, invoke

from synpharm.safety import check_grid_size, protocol_estimate, protocol_stimuli

HUGE_STEPS = {
    "duration": {"type": "baseline", "duration": "1000000 h", "test_rate": "0.05 Hz"},
    "test_rate": {"type": "baseline", "duration": "100 h", "test_rate": "10 kHz"},
    "n_trains": {
        "type": "train", "n_trains": 1_000_000, "frequency": "100 Hz", "pulses": 100,
        "interval": "20 s",
    },
    "pulses": {
        "type": "train", "n_trains": 1, "frequency": "100 Hz", "pulses": 10**9, "interval": "1 s"
    },
    "pairs": {"type": "paired_pulse", "interval": "50 ms", "pairs": 10**9, "rate": "0.1 Hz"},
    "repeats": {"type": "input_output", "intensities": [0.5], "repeats": 10**9, "rate": "1 Hz"},
}  # fmt: skip


def _protocol(step: dict | None = None, cohort: int = 1) -> str:
    steps = [{"type": "baseline", "duration": "1 min", "test_rate": "0.05 Hz"}]
    document = {
        "experiment": {"name": "big", "cohort": cohort},
        "conditions": [{"name": "control"}],
        "steps": steps + ([step] if step else []),
    }
    return tomli_w.dumps(document)


def _timed_failure(*args: str) -> tuple[str, float]:
    started = time.perf_counter()
    outcome = invoke(*args)
    elapsed = time.perf_counter() - started
    return assert_one_error_line(outcome, 2), elapsed


def test_cohort_of_a_billion_fails_within_a_second_with_the_estimate(sandbox):
    sandbox.write("big.toml", _protocol(cohort=1_000_000_000))
    invoke("run", "tiny.toml", "--dry-run")  # imports done once, outside the timing
    line, elapsed = _timed_failure("run", "big.toml", "--out", "o")
    assert line.startswith("error: cohort: the run needs 1,000,000,000 slices")
    assert "TB" in line and "available" in line
    assert elapsed < 1.0
    sandbox.assert_untouched()


@pytest.mark.parametrize("value", ["1000000000", "100000000", str(10**15)])
def test_cohort_option_beyond_memory(sandbox, value):
    line, _ = _timed_failure("run", "tiny.toml", "--cohort", value, "--out", "o")
    assert line.startswith("error: --cohort: the run needs")
    sandbox.assert_untouched()


@pytest.mark.parametrize("field", sorted(HUGE_STEPS))
def test_huge_steps_are_refused_before_any_work(sandbox, field):
    sandbox.write("big.toml", _protocol(HUGE_STEPS[field]))
    line, elapsed = _timed_failure("run", "big.toml", "--out", "o")
    assert "stimuli" in line or "frequency" in line or "rate" in line, line
    assert elapsed < 1.0
    sandbox.assert_untouched()


@pytest.mark.parametrize("study", ["pas25_baclofen_crossover", "ket_spines_mpfc_14d"])
def test_study_cohort_beyond_memory(sandbox, study):
    line, _ = _timed_failure("run", study, "--cohort", "1000000000", "--out", "o")
    assert "subjects" in line and "available" in line
    sandbox.assert_untouched()


def test_dry_run_prints_the_estimate_and_writes_nothing(sandbox):
    outcome = invoke("run", "tiny.toml", "--dry-run")
    assert outcome.exit_code == 0
    assert outcome.stdout.startswith("tiny: 1 slices x 1,000 synapses x 4 stimuli: about")
    sandbox.assert_untouched()


SWEEP_GRID = """
[sweep]
name = "grid"
cohort = 1
[[protocols]]
label = "short"
[[protocols.steps]]
type = "baseline"
duration = "1 min"
test_rate = "0.1 Hz"
[parameter_grid]
{grid}
"""


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["no_such_a", "no_such_b", "no_such_c", "no_such_d"], "is not a parameter"),
        (["release_calcium_cooperativity", "field_gain_between_slice_cv", "release_sites_mean",
          "synapses_per_neuron_at_max_stimulus"], "combinations"),
    ],
    ids=["unknown names", "known names"],
)  # fmt: skip
def test_sweep_grid_of_10_to_the_8_is_refused_before_the_product(sandbox, names, expected):
    values = "[" + ", ".join(str(1 + i / 1000) for i in range(100)) + "]"
    grid = "\n".join(f"{name} = {values}" for name in names)
    sandbox.write("grid.toml", SWEEP_GRID.format(grid=grid))
    line, elapsed = _timed_failure("sweep", "grid.toml", "--out", "o", "--store", "s")
    assert expected in line, line
    assert elapsed < 2.0
    sandbox.assert_untouched()


def test_sweep_cohort_beyond_memory(sandbox):
    text = (sandbox.root / "sweep.toml").read_text().replace("cohort = 1", "cohort = 1000000000")
    sandbox.write("huge_sweep.toml", text)
    line, _ = _timed_failure("sweep", "huge_sweep.toml", "--out", "o", "--store", "s")
    assert line.startswith("error: sweep.cohort: the run needs")
    sandbox.assert_untouched()


def test_estimate_counts_stimuli_without_building_arrays():
    import tomllib

    from synpharm.protocols import Protocol

    protocol = Protocol.from_dict(tomllib.loads(TINY))
    assert protocol_stimuli(protocol.steps) == 4
    small, large = protocol_estimate(protocol, 1), protocol_estimate(protocol, 1000)
    assert large.n_bytes > small.n_bytes
    assert check_grid_size([10, 10], "g") == 100


def test_validate_target_with_a_huge_cohort_is_refused_before_running(sandbox):
    text = (sandbox.root / "targets.toml").read_text()
    sandbox.write("huge.toml", text.replace("cohort = 1", "cohort = 1000000000"))
    line, _ = _timed_failure("validate", "--targets", "huge.toml", "--report", "r")
    assert line.startswith("error: ") and "huge.toml: targets[LAB-1].cohort: the run needs" in line
    sandbox.assert_untouched()


def test_sweep_dry_run_shows_the_estimate(sandbox):
    outcome = invoke("sweep", "sweep.toml", "--dry-run", "--store", "s")
    assert outcome.exit_code == 0, outcome.stderr
    assert "largest chunk" in outcome.stdout and "about" in outcome.stdout
    sandbox.assert_untouched()

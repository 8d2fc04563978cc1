"""Two-period crossover analysis on synthetic data with a known effect."""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.errors import InputError
from synpharm.experiments._pas_result import two_period_crossover


def _synthetic(rng: np.random.Generator, n: int, effect: float, period: float, noise: float):
    """Subjects with random levels; treatment adds ``effect``; period 2 adds ``period``."""
    level = rng.normal(1.3, 0.4, n)
    first = np.zeros(n, bool)
    first[rng.permutation(n)[: n // 2]] = True
    in_period2_treatment = ~first
    treatment = level + effect + period * in_period2_treatment + rng.normal(0, noise, n)
    reference = level + period * first + rng.normal(0, noise, n)
    return treatment, reference, first


def test_known_treatment_and_period_effects_are_recovered():
    rng = np.random.default_rng(5)
    treatment, reference, first = _synthetic(rng, 400, effect=-0.2, period=0.15, noise=0.1)
    result = two_period_crossover(treatment, reference, first)
    assert result["treatment_effect"] == pytest.approx(-0.2, abs=0.02)
    assert result["period_effect"] == pytest.approx(-0.15, abs=0.02)  # period 1 minus period 2
    assert result["sequence_p"] < 1e-6 and result["paired_p"] < 1e-6
    assert result["carryover_p"] > 1e-3
    assert result["n_treatment_first"] + result["n_reference_first"] == 400


def test_no_effect_gives_nominal_false_positive_rate():
    rng = np.random.default_rng(11)
    rejections = [two_period_crossover(*_synthetic(rng, 24, 0.0, 0.1, 0.2))["sequence_p"] < 0.05
                  for _ in range(200)]
    assert 0.01 < np.mean(rejections) < 0.10


def test_a_period_effect_alone_does_not_look_like_a_treatment_effect():
    rng = np.random.default_rng(2)
    treatment, reference, first = _synthetic(rng, 400, effect=0.0, period=0.5, noise=0.1)
    result = two_period_crossover(treatment, reference, first)
    assert abs(result["treatment_effect"]) < 0.03
    assert result["period_effect"] == pytest.approx(-0.5, abs=0.03)


def test_power_grows_with_the_number_of_subjects():
    rng = np.random.default_rng(3)
    def power(n):
        return np.mean([two_period_crossover(*_synthetic(rng, n, -0.15, 0.0, 0.25))["paired_p"]
                        < 0.05 for _ in range(60)])
    assert power(48) > power(12)


def test_mismatched_shapes_are_an_input_error():
    with pytest.raises(InputError):
        two_period_crossover([1.0, 2.0], [1.0], [True, False])


def test_one_sequence_only_gives_nan_for_the_sequence_test():
    result = two_period_crossover([1.0, 2.0, 3.0], [1.5, 2.5, 3.0], [True, True, True])
    assert np.isnan(result["sequence_p"]) and np.isfinite(result["paired_p"])

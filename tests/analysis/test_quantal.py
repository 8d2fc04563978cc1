"""Quantal analysis recovers known m and q from synthetic binomial/Poisson data with noise."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.analysis.quantal import (
    failures_method,
    quantal_analysis,
    variance_mean_method,
)
from synpharm.errors import InputError


def _responses(rng, n, sites, p, q, cv, noise_sd):
    """Amplitudes of binomial release with gamma quantal sizes, plus Gaussian noise."""
    released = rng.binomial(sites, p, n)
    shape = 1.0 / cv**2
    sizes = np.array([rng.gamma(shape, q / shape, k).sum() for k in released])
    return sizes + rng.normal(0.0, noise_sd, n), rng.normal(0.0, noise_sd, n)


@pytest.mark.parametrize(("m", "q"), [(0.5, 1.0), (1.5, 20.0), (2.5, 0.3)])
def test_poisson_release_recovered_by_both_methods(m, q):
    rng = np.random.default_rng(int(10 * m))
    amplitudes, noise = _responses(rng, 8000, 400, m / 400, q, 0.2, 0.1 * q)
    result = quantal_analysis(amplitudes, noise)
    assert result.failures.quantal_content == pytest.approx(m, rel=0.1)
    assert result.failures.quantal_size == pytest.approx(q, rel=0.1)
    # variance-mean (Poisson) estimates m / (1 + CV^2) when quanta vary (module docstring)
    assert result.variance_mean.quantal_content == pytest.approx(m / 1.04, rel=0.1)
    assert result.variance_mean.quantal_size == pytest.approx(q * 1.04, rel=0.1)
    assert result.content_ratio == pytest.approx(1.04, rel=0.15)
    assert result.failures.n_sweeps == 8000
    assert result.failures.n_failures == pytest.approx(8000 * math.exp(-m), rel=0.25)


def test_binomial_bias_of_the_poisson_variance_mean_estimate():
    """At high p the Poisson CV estimate is m / (1 - p + CV^2), as documented."""
    rng = np.random.default_rng(3)
    sites, p, q, cv = 5, 0.5, 10.0, 0.3
    amplitudes, noise = _responses(rng, 20000, sites, p, q, cv, 1.0)
    estimate = variance_mean_method(amplitudes, float(np.var(noise, ddof=1)))
    assert estimate.quantal_content == pytest.approx(sites * p / (1 - p + cv**2), rel=0.05)
    failures = failures_method(amplitudes, noise)  # -ln((1-p)^N) = -N ln(1-p)
    assert failures.quantal_content == pytest.approx(-sites * math.log(1 - p), rel=0.08)


def test_failures_use_the_measured_noise_distribution():
    """With skewed noise (P(noise <= 0) = 0.7), the symmetric assumption is biased; the
    measured fraction corrects it."""
    rng = np.random.default_rng(4)
    n, m, q = 6000, 1.0, 5.0
    skewed = lambda k: rng.exponential(1.0, k) - math.log(1 / 0.3)  # noqa: E731, P(<=0) = 0.7
    amplitudes = q * rng.poisson(m, n) + skewed(n)
    corrected = failures_method(amplitudes, skewed(n))
    assert corrected.quantal_content == pytest.approx(m, rel=0.08)
    assert abs(failures_method(amplitudes).quantal_content - m) > 0.2


def test_not_estimable_cases_give_nan_and_a_reason():
    rng = np.random.default_rng(5)
    no_failures = 10.0 + rng.normal(0.0, 0.5, 200)
    estimate = failures_method(no_failures)
    assert math.isnan(estimate.quantal_content) and estimate.reason == "no failures"
    assert not estimate.estimable
    all_failures = rng.normal(0.0, 1.0, 200)
    assert "no release" in failures_method(np.abs(all_failures) * -1.0).reason
    below_noise = variance_mean_method(rng.normal(1.0, 1.0, 200), noise_variance=4.0)
    assert math.isnan(below_noise.quantal_size)
    assert below_noise.reason == "variance not above the noise variance"
    assert "mean" in variance_mean_method(-np.abs(rng.normal(0, 1, 50)), 0.0).reason
    analysis = quantal_analysis(no_failures, rng.normal(0.0, 0.5, 200))
    assert math.isnan(analysis.content_ratio) and math.isnan(analysis.size_ratio)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: failures_method([]), "amplitudes"),
        (lambda: failures_method([1.0, float("nan")]), "amplitudes"),
        (lambda: failures_method(np.ones((2, 2))), "amplitudes"),
        (lambda: failures_method([1.0, -1.0], [0.5, 0.2]), "noise_amplitudes"),
        (lambda: variance_mean_method([1.0], 0.0), "amplitudes"),
        (lambda: variance_mean_method([1.0, 2.0], -0.1), "noise_variance"),
        (lambda: variance_mean_method([1.0, 2.0], float("inf")), "noise_variance"),
        (lambda: quantal_analysis([1.0, 2.0], [0.1]), "noise_amplitudes"),
        (lambda: quantal_analysis([1.0, 2.0], [0.1, float("nan")]), "noise_amplitudes"),
    ],
)
def test_bad_input_is_rejected_with_the_field_named(call, field):
    with pytest.raises(InputError) as error:
        call()
    assert error.value.field == field


@settings(max_examples=40, deadline=None)
@given(
    m=st.floats(0.3, 2.5),
    q=st.floats(1e-3, 1e3),
    noise_ratio=st.floats(0.02, 0.2),
    seed=st.integers(0, 2**32 - 1),
)
def test_valid_data_always_give_finite_estimates(m, q, noise_ratio, seed):
    rng = np.random.default_rng(seed)
    amplitudes, noise = _responses(rng, 600, 100, m / 100, q, 0.25, noise_ratio * q)
    result = quantal_analysis(amplitudes, noise)
    for estimate in (result.failures, result.variance_mean):
        assert estimate.estimable, estimate.reason
        assert estimate.quantal_content > 0 and estimate.quantal_size > 0


@settings(max_examples=40, deadline=None)
@given(scale=st.floats(1e-3, 1e3), seed=st.integers(0, 2**32 - 1))
def test_quantal_content_is_invariant_to_the_amplitude_scale(scale, seed):
    rng = np.random.default_rng(seed)
    amplitudes, noise = _responses(rng, 300, 50, 0.03, 1.0, 0.3, 0.1)
    base = quantal_analysis(amplitudes, noise)
    scaled = quantal_analysis(scale * amplitudes, scale * noise)
    for a, b in ((base.failures, scaled.failures), (base.variance_mean, scaled.variance_mean)):
        assert b.quantal_content == pytest.approx(a.quantal_content, rel=1e-9)
        assert b.quantal_size == pytest.approx(scale * a.quantal_size, rel=1e-9)

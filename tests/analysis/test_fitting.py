"""Four-parameter Hill fits recover known EC50s and slopes; the bootstrap CI covers them."""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.analysis.fitting import HillFit, fit_hill, hill_equation
from synpharm.errors import InputError

CONCENTRATIONS = np.logspace(-4, 0, 8)  # 0.1 uM - 1 mM in mol/m^3


def test_hill_equation_is_half_maximal_at_ec50():
    assert hill_equation(3e-3, 3e-3, 1.5, 100.0, 180.0) == pytest.approx(140.0)
    assert hill_equation(3e-3, 3e-3, -1.5, 100.0, 180.0) == pytest.approx(140.0)
    assert hill_equation(1e3, 3e-3, 1.5, 100.0, 180.0) == pytest.approx(180.0, rel=1e-6)
    assert hill_equation(1e3, 3e-3, -1.5, 100.0, 180.0) == pytest.approx(100.0, rel=1e-6)


@pytest.mark.parametrize(("ec50", "slope"), [(3e-3, 1.3), (2e-2, -0.8), (1e-3, 2.5)])
def test_noiseless_fit_is_exact(ec50, slope):
    response = hill_equation(CONCENTRATIONS, ec50, slope, 100.0, 180.0)
    fit = fit_hill(CONCENTRATIONS, response, n_bootstrap=0)
    assert fit.ec50 == pytest.approx(ec50, rel=1e-4)
    assert fit.hill_slope == pytest.approx(slope, rel=1e-4)
    assert (fit.bottom, fit.top) == pytest.approx((100.0, 180.0), rel=1e-4)
    assert fit.n == CONCENTRATIONS.size
    np.testing.assert_allclose(fit.predict(CONCENTRATIONS), response, rtol=1e-6)


@pytest.mark.parametrize(("seed", "slope"), [(1, 1.2), (2, -1.0)])
def test_noisy_fit_recovers_parameters_and_ci_covers_truth(seed, slope):
    rng = np.random.default_rng(seed)
    c = np.repeat(CONCENTRATIONS, 4)
    response = hill_equation(c, 5e-3, slope, 100.0, 170.0) + rng.normal(0.0, 4.0, c.size)
    fit = fit_hill(c, response, n_bootstrap=300, seed=seed)
    assert fit.ec50 == pytest.approx(5e-3, rel=0.3)
    assert fit.hill_slope == pytest.approx(slope, rel=0.3)
    low, high = fit.ec50_ci
    assert low < 5e-3 < high
    assert low < fit.ec50 < high
    assert high / low < 4  # informative with 32 points


def test_bootstrap_is_reproducible_with_the_seed():
    rng = np.random.default_rng(0)
    response = hill_equation(CONCENTRATIONS, 5e-3, 1.0, 0.0, 50.0) + rng.normal(0, 3, 8)
    first = fit_hill(CONCENTRATIONS, response, n_bootstrap=100, seed=11)
    again = fit_hill(CONCENTRATIONS, response, n_bootstrap=100, seed=11)
    assert first == again
    assert isinstance(first, HillFit)


def test_direction_can_be_imposed():
    response = hill_equation(CONCENTRATIONS, 5e-3, -1.0, 20.0, 90.0)
    assert fit_hill(CONCENTRATIONS, response, n_bootstrap=0, increasing=False).hill_slope < 0
    assert fit_hill(CONCENTRATIONS, response, n_bootstrap=0).hill_slope < 0


@pytest.mark.parametrize(
    ("concentration", "response", "field"),
    [
        ([1e-3, 1e-2, 1e-1], [1.0, 2.0, 3.0], "concentration"),
        ([0.0, 1e-3, 1e-2, 1e-1], [1.0, 2.0, 3.0, 4.0], "concentration"),
        ([-1e-3, 1e-3, 1e-2, 1e-1], [1.0, 2.0, 3.0, 4.0], "concentration"),
        ([1e-4, 1e-3, 1e-2, 1e-1], [1.0, np.nan, 3.0, 4.0], "concentration, response"),
        ([1e-4, np.nan, 1e-2, 1e-1], [1.0, 2.0, 3.0, 4.0], "concentration, response"),
    ],
)
def test_bad_data_raise_input_error(concentration, response, field):
    with pytest.raises(InputError) as error:
        fit_hill(concentration, response, n_bootstrap=0)
    assert error.value.field == field


def test_confidence_interval_covers_the_true_ec50_in_at_least_90_percent_of_repeats():
    """Coverage of the 95 % percentile-bootstrap CI over 40 seeded noisy data sets."""
    truth = 2e-3
    c = np.repeat(CONCENTRATIONS, 4)
    covered = 0
    for seed in range(40):
        rng = np.random.default_rng(1000 + seed)
        response = 100.0 - hill_equation(c, truth, 1.0, 0.0, 90.0) + rng.normal(0, 8.0, c.size)
        low, high = fit_hill(c, response, n_bootstrap=100, seed=seed).ec50_ci
        covered += low <= truth <= high
    assert covered / 40 >= 0.9

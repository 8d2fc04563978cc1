"""Concentration-response fitting: the four-parameter Hill (logistic) equation.

The model, in the form used by GraphPad Prism and most pharmacology papers, is::

    response = bottom + (top - bottom) / (1 + 10 ** ((log10(ec50) - log10(c)) * hill_slope))

with ``top >= bottom``; ``hill_slope > 0`` for responses that increase with concentration and
``< 0`` for inhibition (then ``ec50`` is the IC50). Fitting is least squares in log concentration
with :func:`scipy.optimize.curve_fit` and bounds; the EC50 confidence interval is a percentile
bootstrap over data points (analysis_conventions.md 4d: "4-parameter Hill fit, EC50/IC50 with CI").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import least_squares
from scipy.special import expit, logit

from synpharm.errors import InputError

__all__ = ["HillFit", "fit_hill", "hill_equation"]

FloatArray = NDArray[np.float64]


def hill_equation(
    concentration: ArrayLike, ec50: float, hill_slope: float, bottom: float, top: float
) -> FloatArray:
    """Four-parameter Hill equation (see module docstring); concentration and EC50 in one unit."""
    log_c = np.log10(np.asarray(concentration, dtype=float))
    return _logistic(log_c, bottom, top - bottom, math.log10(ec50), hill_slope)


def _logistic(
    log_c: FloatArray, bottom: float, span: float, log_ec50: float, hill_slope: float
) -> FloatArray:
    # 1 / (1 + 10**z) written with expit, which never overflows
    return bottom + span * expit((log_c - log_ec50) * hill_slope * math.log(10))


@dataclass(frozen=True)
class HillFit:
    """Result of :func:`fit_hill`.

    Attributes
    ----------
    ec50
        Concentration of the half-maximal effect, in the unit of the input concentrations.
    hill_slope
        Hill coefficient; negative for inhibition.
    bottom, top
        Asymptotic responses, ``top >= bottom``, in the unit of the responses.
    ec50_ci
        ``(low, high)`` percentile-bootstrap confidence interval of ``ec50``; NaN if fewer than
        half the bootstrap refits succeeded.
    n
        Number of data points used.
    """

    ec50: float
    hill_slope: float
    bottom: float
    top: float
    ec50_ci: tuple[float, float]
    n: int

    def predict(self, concentration: ArrayLike) -> FloatArray:
        """Fitted response at ``concentration`` (same unit as the fit's concentrations, > 0)."""
        return hill_equation(concentration, self.ec50, self.hill_slope, self.bottom, self.top)


def _validated(concentration: ArrayLike, response: ArrayLike) -> tuple[FloatArray, FloatArray]:
    c = np.asarray(concentration, dtype=float).ravel()
    r = np.asarray(response, dtype=float).ravel()
    if c.shape != r.shape:
        raise InputError(
            "concentration, response",
            f"lengths {c.size} and {r.size} differ",
            "give one response per concentration",
        )
    if not (np.isfinite(c).all() and np.isfinite(r).all()):
        raise InputError(
            "concentration, response",
            "contain NaN or infinite values",
            "drop missing points before fitting",
        )
    if c.size < 4:
        raise InputError(
            "concentration",
            f"{c.size} points cannot constrain 4 parameters",
            "give at least 4 (better 6-8) concentrations",
        )
    if (c <= 0).any():
        raise InputError(
            "concentration",
            "contains values <= 0 (no logarithm)",
            "drop the vehicle control or give it as the bottom asymptote",
        )
    if np.unique(c).size < 2:
        raise InputError("concentration", "has a single distinct value", "use several")
    return c, r


@dataclass(frozen=True)
class _Bounds:
    log_c_range: tuple[float, float]
    response_range: float
    slope_magnitude: tuple[float, float]
    ec50_margin_decades: float


def _unbox(lower: float, upper: float, x: float) -> float:
    fraction = min(max((x - lower) / (upper - lower), 1e-9), 1 - 1e-9)
    return float(logit(fraction))


def _fit_direction(
    log_c: FloatArray, r: FloatArray, bounds: _Bounds, sign: float, start: FloatArray | None
) -> tuple[FloatArray, float]:
    """Least-squares fit with the Hill slope constrained to ``sign``; returns params and SSE.

    The bounded parameters (span, log EC50, slope magnitude) are mapped to unconstrained ones
    through logistic transforms so that the fast Levenberg-Marquardt solver (MINPACK) applies.
    """
    lo_c, hi_c = bounds.log_c_range
    margin = bounds.ec50_margin_decades
    low_slope, high_slope = bounds.slope_magnitude
    span_max = 10 * max(bounds.response_range, float(np.ptp(r)), np.finfo(float).tiny)
    boxes = ((0.0, span_max), (lo_c - margin, hi_c + margin), (low_slope, high_slope))
    if start is None:
        start = np.array([r.min(), np.ptp(r), float(np.median(log_c)), sign])

    low = np.array([a for a, _ in boxes])
    width = np.array([b - a for a, b in boxes])
    ln10 = math.log(10)

    def natural(u: FloatArray) -> FloatArray:
        span, log_ec50, magnitude = low + width * expit(u[1:])
        return np.array([u[0], span, log_ec50, sign * magnitude])

    def residuals(u: FloatArray) -> FloatArray:
        return _logistic(log_c, *natural(u)) - r

    def jacobian(u: FloatArray) -> FloatArray:
        _, span, log_ec50, slope = natural(u)
        box = expit(u[1:])
        d_box = width * box * (1.0 - box)  # d(natural)/du of the three bounded parameters
        sigma = expit((log_c - log_ec50) * slope * ln10)
        d_sigma = span * sigma * (1.0 - sigma) * ln10
        return np.column_stack(
            (
                np.ones_like(log_c),
                sigma * d_box[0],
                -d_sigma * slope * d_box[1],
                d_sigma * (log_c - log_ec50) * sign * d_box[2],
            )
        )

    magnitudes = (start[1], start[2], abs(start[3]))
    u0 = np.array(
        [start[0], *(_unbox(a, b, x) for (a, b), x in zip(boxes, magnitudes, strict=True))]
    )
    solution = least_squares(residuals, u0, jac=jacobian, method="lm", max_nfev=5000)
    params = natural(solution.x)
    residual = r - _logistic(log_c, *params)
    return params, float(residual @ residual)


def _best_fit(
    log_c: FloatArray,
    r: FloatArray,
    bounds: _Bounds,
    signs: tuple[float, ...],
    start: FloatArray | None = None,
) -> FloatArray:
    fits = [_fit_direction(log_c, r, bounds, sign, start) for sign in signs]
    return min(fits, key=lambda fit: fit[1])[0]


def _bootstrap_log_ec50(
    log_c: FloatArray,
    r: FloatArray,
    bounds: _Bounds,
    sign: float,
    estimate: FloatArray,
    n_bootstrap: int,
    rng: np.random.Generator,
) -> FloatArray:
    values = []
    for _ in range(n_bootstrap):
        pick = rng.integers(0, r.size, r.size)
        if np.unique(log_c[pick]).size < 3:
            continue
        try:
            params = _best_fit(log_c[pick], r[pick], bounds, (sign,), estimate)
        except (RuntimeError, ValueError):
            continue
        values.append(params[2])
    return np.asarray(values)


def _check_settings(confidence: float, hill_slope_bounds: tuple[float, float]) -> None:
    if not 0 < confidence < 1:
        raise InputError("confidence", f"must be in (0, 1), got {confidence}", "e.g. 0.95")
    if not 0 < hill_slope_bounds[0] < hill_slope_bounds[1]:
        raise InputError(
            "hill_slope_bounds", f"{hill_slope_bounds} is not 0 < min < max", "e.g. (0.1, 10)"
        )


def _percentile_ci(boot, confidence: float, n_bootstrap: int) -> tuple[float, float]:
    """Percentile interval of the bootstrap log10 EC50s [EC50 units]; NaN if too few."""
    if n_bootstrap <= 0 or boot.size < n_bootstrap / 2:
        return (math.nan, math.nan)
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(boot, [tail, 100 - tail])
    return (float(10**low), float(10**high))


def fit_hill(
    concentration: ArrayLike,
    response: ArrayLike,
    *,
    n_bootstrap: int = 1000,
    seed: int = 0,
    increasing: bool | None = None,
    confidence: float = 0.95,
    hill_slope_bounds: tuple[float, float] = (0.1, 10.0),
    ec50_margin_decades: float = 2.0,
) -> HillFit:
    """Fit the four-parameter Hill equation to a concentration-response data set.

    Parameters
    ----------
    concentration
        Concentrations (> 0), shape ``(n,)``, any unit (synpharm's internal unit is mol/m^3);
        replicate points at one concentration are allowed.
    response
        Responses, shape ``(n,)``, e.g. LTP magnitude [% baseline] or % inhibition.
    n_bootstrap
        Bootstrap resamples of the data points for the EC50 confidence interval (0 skips it).
    seed
        Seed of the :func:`numpy.random.default_rng` generator used by the bootstrap.
    increasing
        ``True``: response rises with concentration (Hill slope > 0); ``False``: falls
        (inhibition); ``None``: fit both and keep the one with the smaller squared error.
    confidence
        Level of the percentile confidence interval (95 %).
    hill_slope_bounds
        ``(min, max)`` magnitude of the Hill slope; slopes outside 0.1-10 are not
        pharmacologically meaningful and only arise from under-determined fits.
    ec50_margin_decades
        The EC50 is constrained to the tested range widened by this many decades each side.

    Returns
    -------
    HillFit

    Raises
    ------
    InputError
        Fewer than 4 points, concentrations <= 0, NaN or infinite values, bad settings.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.logspace(-3, 1, 9)
    >>> fit = fit_hill(c, hill_equation(c, 0.1, 1.2, 0.0, 100.0), n_bootstrap=0)
    >>> round(fit.ec50, 6), round(fit.hill_slope, 6)
    (0.1, 1.2)
    """
    c, r = _validated(concentration, response)
    _check_settings(confidence, hill_slope_bounds)
    log_c = np.log10(c)
    bounds = _Bounds(
        (float(log_c.min()), float(log_c.max())),
        float(np.ptp(r)),
        hill_slope_bounds,
        ec50_margin_decades,
    )
    signs = (1.0, -1.0) if increasing is None else ((1.0,) if increasing else (-1.0,))
    bottom, span, log_ec50, slope = _best_fit(log_c, r, bounds, signs)
    estimate = np.array([bottom, span, log_ec50, slope])
    rng = np.random.default_rng(seed)
    boot = _bootstrap_log_ec50(
        log_c, r, bounds, math.copysign(1.0, slope), estimate, n_bootstrap, rng
    )
    return HillFit(
        ec50=float(10**log_ec50),
        hill_slope=float(slope),
        bottom=float(bottom),
        top=float(bottom + span),
        ec50_ci=_percentile_ci(boot, confidence, n_bootstrap),
        n=int(c.size),
    )


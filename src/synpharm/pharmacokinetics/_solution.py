"""Closed-form solution of linear compartment models as sums of exponentials (no ODE stepping).

The disposition matrix of a mammillary model is similar to a symmetric matrix (scale the
peripheral amounts by sqrt(k1j/kj1)), so its eigenvalues are real and negative and its
eigenvectors well conditioned: ``numpy.linalg.eigh`` over the batch of subjects gives the unit
impulse response of the central concentration, ``h(t) = sum_i a_i exp(-r_i t)``. First-order
absorption and site equilibration are convolutions with ``k exp(-k t)``, which map a sum of
exponentials to a sum of exponentials (partial fractions); a zero-order infusion integrates the
impulse response over the infusion window. Where two rates coincide (``|k - r| < 1e-6 k``)
the rate ``r`` is moved to ``k (1 - 1e-6)``, which changes concentrations by less than 1e-5
relative (the limit is continuous).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from synpharm.pharmacokinetics._dose import Dose
from synpharm.pharmacokinetics._model import SubjectParameters

__all__ = ["Exponentials", "central_modes", "dose_response", "site_impulse_response"]

_COINCIDENT = 1e-6


class Exponentials(NamedTuple):
    """``h(t) = sum_m coefficients[..., m] * exp(-rates[..., m] * t)`` for t >= 0, per subject.

    ``coefficients`` and ``rates`` have shape ``(n_subjects, n_terms)``; rates [1/s] > 0.
    """

    coefficients: NDArray[np.float64]
    rates: NDArray[np.float64]


def _disposition_matrix(subjects: SubjectParameters) -> tuple[NDArray[np.float64],
                                                              NDArray[np.float64]]:
    """Symmetrised disposition matrices ``(n, c, c)`` and the scale factors ``s`` ``(n, c)``."""
    rates = subjects.rates
    n, c = subjects.n_subjects, subjects.model.compartments
    matrix = np.zeros((n, c, c))
    scale = np.ones((n, c))
    matrix[:, 0, 0] = -rates["elimination_rate"]
    pairs = [("rate_central_to_peripheral", "rate_peripheral_to_central"),
             ("rate_central_to_deep", "rate_deep_to_central")][: c - 1]
    for j, (out_name, back_name) in enumerate(pairs, start=1):
        k_out, k_back = rates[out_name], rates[back_name]
        matrix[:, 0, 0] -= k_out
        matrix[:, j, j] = -k_back
        matrix[:, 0, j] = matrix[:, j, 0] = np.sqrt(k_out * k_back)
        scale[:, j] = np.sqrt(k_out / k_back)
    return matrix, scale


def central_modes(subjects: SubjectParameters) -> tuple[NDArray[np.float64], NDArray[np.float64],
                                                          NDArray[np.float64]]:
    """Eigen-decomposition of the disposition: rates ``(n, c)``, vectors ``(n, c, c)``, scale.

    The amount in compartment ``j`` after a unit amount into the central compartment at t = 0
    is ``scale[j] * sum_i vectors[j, i] * vectors[0, i] * exp(-rates[i] t)``.
    """
    matrix, scale = _disposition_matrix(subjects)
    eigenvalues, vectors = np.linalg.eigh(matrix)
    return -eigenvalues, vectors, scale


def _convolve_first_order(h: Exponentials, k: NDArray[np.float64]) -> Exponentials:
    """``h * (k exp(-k t))``: partial fractions, coincident rates moved apart (see module)."""
    k = k[:, None]
    rates = np.where(np.abs(k - h.rates) < _COINCIDENT * k, k * (1.0 - _COINCIDENT), h.rates)
    weights = h.coefficients * k / (k - rates)
    return Exponentials(np.concatenate([weights, -weights.sum(axis=1, keepdims=True)], axis=1),
                        np.concatenate([rates, k], axis=1))


def site_impulse_response(subjects: SubjectParameters, route: str, site: str) -> Exponentials:
    """Concentration [mol/m^3] at ``site`` per mole given by ``route`` at t = 0, per subject."""
    rates, vectors, _ = central_modes(subjects)
    h = Exponentials(vectors[:, 0, :] ** 2 / subjects.central_volume[:, None], rates)
    if route in subjects.absorption_rate:
        h = _convolve_first_order(h, subjects.absorption_rate[route])
    h = Exponentials(h.coefficients * subjects.bioavailability[route][:, None], h.rates)
    site_model = subjects.model.sites[site]
    h = Exponentials(h.coefficients * site_model.ratio.value, h.rates)
    if site_model.equilibration_rate is not None:
        h = _convolve_first_order(
            h, np.full(subjects.n_subjects, site_model.equilibration_rate.value))
    return h


def _decay_between(rates: NDArray[np.float64], early: NDArray[np.float64],
                   late: NDArray[np.float64]) -> NDArray[np.float64]:
    """``exp(-r early) - exp(-r late)`` for late >= early >= 0, without cancellation."""
    return np.exp(-rates * early) * -np.expm1(-rates * (late - early))


def _evaluate(h: Exponentials, moles: NDArray[np.float64], dose: Dose,
              times: NDArray[np.float64]) -> NDArray[np.float64]:
    """One dose's contribution, shape ``(n_subjects, n_times)``."""
    after = np.maximum(times - dose.start, 0.0)[None, :, None]  # (1, t, 1)
    a, r = h.coefficients[:, None, :], h.rates[:, None, :]  # (n, 1, m)
    if dose.infusion_duration > 0:
        rate_in = moles / dose.infusion_duration
        window_start = np.maximum(after - dose.infusion_duration, 0.0)
        terms = a / r * _decay_between(r, window_start, after)
        return rate_in[:, None] * terms.sum(axis=2)
    values = (a * np.exp(-r * after)).sum(axis=2)
    return np.where(times[None, :] >= dose.start, moles[:, None] * values, 0.0)


def dose_response(subjects: SubjectParameters, doses: Sequence[Dose], times: NDArray[np.float64],
                  site: str) -> NDArray[np.float64]:
    """Concentration [mol/m^3] at ``site``, shape ``(n_subjects, n_times)``; doses superposed."""
    model = subjects.model
    total = np.zeros((subjects.n_subjects, times.shape[0]))
    responses: dict[str, Exponentials] = {}
    for dose in doses:
        if dose.route not in responses:
            responses[dose.route] = site_impulse_response(subjects, dose.route, site)
        moles = dose.amount * (subjects.body_mass if dose.per_body_mass else 1.0) / model.molar_mass
        total += _evaluate(responses[dose.route], np.broadcast_to(moles, subjects.body_mass.shape),
                           dose, times)
    return np.maximum(total, 0.0)


def compartment_amounts(subjects: SubjectParameters, times: NDArray[np.float64]
                        ) -> NDArray[np.float64]:
    """Amounts after a unit IV bolus into the central compartment, ``(n, c + 1, n_times)``.

    Rows: the compartments (central first) and, last, the amount eliminated so far.
    (Mass-balance checks: rows sum to 1.)
    """
    rates, vectors, scale = central_modes(subjects)
    decay = np.exp(-rates[:, :, None] * times[None, None, :])  # (n, m, t)
    weights = scale[:, :, None] * vectors * vectors[:, None, 0, :]  # (n, c, m)
    amounts = np.einsum("ncm,nmt->nct", weights, decay)
    integral = -np.expm1(-rates[:, :, None] * times[None, None, :]) / rates[:, :, None]
    central_integral = np.einsum("nm,nmt->nt", weights[:, 0, :], integral)
    eliminated = subjects.rates["elimination_rate"][:, None] * central_integral
    return np.concatenate([amounts, eliminated[:, None, :]], axis=1)

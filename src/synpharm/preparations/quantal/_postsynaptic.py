"""Postsynaptic side: response waveforms and the effect of the GIRK conductance.

Voltage clamp (IPSCs)
    The quantal current is ``g_q (V_hold - E_Cl)`` with a dual-exponential time course (rise
    and decay time constants, peak normalised to 1). A postsynaptic GIRK conductance only adds
    a steady holding current at a clamped potential and leaves the IPSC unchanged; the
    baseline-relative measurement removes the holding current, so it is not modelled.
Current clamp (EPSPs): passive point neuron
    ``C dV/dt = -g_rest (V - V_rest) - g_girk (V - E_K) + g_syn(t) (E_AMPA - V)``. With
    ``r = g_girk / g_rest`` the cell settles at ``V_m = (V_rest + r E_K) / (1 + r)`` with time
    constant ``tau_eff = tau_m / (1 + r)``. A small EPSP is the synaptic current
    ``g_syn(t) (E_AMPA - V_m)`` filtered by the membrane, so relative to rest the quantal EPSP is
    scaled by the driving force ``(E_AMPA - V_m) / (E_AMPA - V_rest)`` (a few % larger when the
    cell hyperpolarises toward E_K) and by ``max K(tau_eff) / max K(tau_m)``, K the membrane-
    filtered conductance time course. For a synaptic current much slower than the membrane this
    ratio is the steady-state shunt ``g_rest / (g_rest + g_girk)``; for a fast EPSC it is closer
    to 1 (the peak is set more by the injected charge over C than by the input resistance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synpharm.preparations.quantal._preparation import QuantalPreparation

__all__ = ["PostsynapticState", "postsynaptic_state", "response_waveform"]

FloatArray = NDArray[np.float64]


def _peak_grid(rise: float, decay: float, tau: float = 0.0) -> FloatArray:
    """Time grid [s] on which a waveform peak is located: 4001 points over 5 x (sum of the
    time constants), i.e. steps of ~40 us for a 6-ms EPSC on a 24-ms membrane."""
    return np.linspace(0.0, 5.0 * (rise + decay + tau), 4001)


def _filtered(t: FloatArray, tau_x: float | FloatArray, tau_m: FloatArray) -> FloatArray:
    """``integral_0^t exp(-u/tau_x) exp(-(t-u)/tau_m) du`` for t >= 0 (0 for t < 0).

    Equal to ``(exp(-t/tau_m) - exp(-t/tau_x)) / k`` with ``k = 1/tau_x - 1/tau_m``; near
    ``k t = 0`` written as ``exp(-t/tau_m) (1 - exp(-k t)) / k`` (limit ``t exp(-t/tau_m)``).
    """
    t = np.asarray(t, dtype=float)
    positive = np.clip(t, 0.0, None)
    k = 1.0 / tau_x - 1.0 / tau_m
    kt = positive * k
    small = np.abs(kt) < 1.0
    safe_k = np.where(k == 0, 1.0, k)
    near = np.where(k == 0, positive, -np.expm1(-np.where(small, kt, 0.0)) / safe_k)
    far = (np.exp(-positive / tau_m) - np.exp(-positive / tau_x)) / safe_k
    value = np.where(small, np.exp(-positive / tau_m) * near, far)
    return np.where(t >= 0, value, 0.0)


def _dual_exponential(t: FloatArray, rise: float, decay: float) -> FloatArray:
    positive = np.clip(t, 0.0, None)
    shape = np.exp(-positive / decay) - np.exp(-positive / rise)
    return np.where(t >= 0, shape, 0.0)


def _peak(values: FloatArray) -> FloatArray:
    return values.max(axis=-1)


def _psp_peak(tau: FloatArray, rise: float, decay: float) -> FloatArray:
    """Peak of the membrane-filtered dual exponential for each membrane time constant [s]."""
    unique, inverse = np.unique(np.asarray(tau, dtype=float), return_inverse=True)
    column = unique[:, None]
    grid = _peak_grid(rise, decay, float(unique.max()))
    peaks = _peak(_filtered(grid, decay, column) - _filtered(grid, rise, column))
    return peaks[inverse].reshape(np.shape(tau))


def response_waveform(
    prep: QuantalPreparation, t: ArrayLike, membrane_tau: ArrayLike | None = None
) -> FloatArray:
    """Response time course, peak 1, at times ``t`` [s] after the stimulus.

    Parameters
    ----------
    prep
        The preparation (rise, decay and latency from its parameters).
    t
        Times after the stimulus [s], shape ``(..., n_samples)``.
    membrane_tau
        Current clamp only: effective membrane time constant [s] per leading index, shape
        ``t.shape[:-1]`` (default: the resting one).

    Returns
    -------
    numpy.ndarray
        Waveform of the shape of ``t``, 0 before the latency.
    """
    p = prep.parameters
    t = np.asarray(t, dtype=float) - p["response_latency"]
    rise, decay = p["response_rise_time"], p["response_decay_time"]
    if prep.recording == "voltage_clamp":
        norm = _peak(_dual_exponential(_peak_grid(rise, decay), rise, decay))
        return _dual_exponential(t, rise, decay) / norm
    tau = np.asarray(
        p["membrane_time_constant"] if membrane_tau is None else membrane_tau, dtype=float
    )
    tau = np.broadcast_to(tau, t.shape[:-1])
    shape = _filtered(t, decay, tau[..., None]) - _filtered(t, rise, tau[..., None])
    return shape / _psp_peak(tau, rise, decay)[..., None]


@dataclass(frozen=True)
class PostsynapticState:
    """Postsynaptic state at each stimulus, arrays broadcast with the GIRK occupancy.

    Attributes
    ----------
    quantal_scale
        Quantal response relative to rest (1 in voltage clamp).
    baseline
        Holding current [A] (0, relative) or membrane potential [V] before the stimulus.
    membrane_tau
        Effective membrane time constant [s] (current clamp; NaN in voltage clamp).
    """

    quantal_scale: FloatArray
    baseline: FloatArray
    membrane_tau: FloatArray


def postsynaptic_state(prep: QuantalPreparation, girk_occupancy: ArrayLike) -> PostsynapticState:
    """Quantal scaling, baseline and membrane time constant at given GIRK occupancies [0, 1]."""
    occupancy = np.asarray(girk_occupancy, dtype=float)
    if prep.recording == "voltage_clamp":
        ones = np.ones_like(occupancy)
        return PostsynapticState(ones, np.zeros_like(occupancy), np.full_like(occupancy, np.nan))
    p = prep.parameters
    ratio = p["girk_conductance_max_relative"] * occupancy
    v_rest, e_k, e_ampa = p["resting_potential"], p["potassium_reversal"], p["ampa_reversal"]
    v_m = (v_rest + ratio * e_k) / (1.0 + ratio)
    tau_m = p["membrane_time_constant"]
    tau = tau_m / (1.0 + ratio)
    rise, decay = p["response_rise_time"], p["response_decay_time"]
    shunt = _psp_peak(tau, rise, decay) / _psp_peak(np.array(tau_m), rise, decay)
    driving = (e_ampa - v_m) / (e_ampa - v_rest)
    return PostsynapticState(shunt * driving, v_m, tau)

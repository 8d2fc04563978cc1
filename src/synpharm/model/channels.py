"""Voltage and calcium dependences of synaptic channels and release, as compiled scalar functions.

All functions take SI units (V, mol/m^3) and are ``numba.njit`` so the engine can inline them.
"""

from __future__ import annotations

import math

from numba import njit

__all__ = [
    "mg_unblocked_fraction",
    "nmda_open_increment",
    "release_half_activation_power",
    "release_probability",
    "vgcc_activation",
]


@njit(cache=True, inline="always")
def mg_unblocked_fraction(voltage: float, mg: float, slope: float, scale: float) -> float:
    """Fraction of NMDA conductance not blocked by Mg2+ (Jahr & Stevens 1990).

    B(V) = 1 / (1 + exp(-slope V) [Mg]o / scale), V [V], slope [1/V], [Mg]o and scale [mol/m^3].
    """
    return 1.0 / (1.0 + math.exp(-slope * voltage) * mg / scale)


@njit(cache=True, inline="always")
def vgcc_activation(voltage: float, half_activation: float, slope: float) -> float:
    """Steady-state activation of high-voltage-activated Ca2+ channels (Boltzmann)."""
    return 1.0 / (1.0 + math.exp(-(voltage - half_activation) / slope))


@njit(cache=True, inline="always")
def release_probability(calcium: float, half_power: float, cooperativity: float,
                        maximum: float) -> float:
    """Per-site release probability from presynaptic Ca2+ (Dodge & Rahamimoff 1967).

    p = p_max Ca^n / (Ca^n + K^n); ``calcium`` is relative to the control Ca influx (1 = control),
    ``half_power`` is K^n.
    """
    power = calcium**cooperativity
    return maximum * power / (power + half_power)


def release_half_activation_power(p_control: float, cooperativity: float, maximum: float) -> float:
    """K^n such that ``release_probability(1, K^n, n, p_max) == p_control``."""
    return (maximum - p_control) / p_control


def nmda_open_increment(alpha: float, beta: float, pulse_concentration: float,
                        pulse_duration: float) -> float:
    """Fraction of closed NMDA receptors opened by one vesicle (Destexhe et al. 1994 scheme).

    dr/dt = alpha T (1 - r) - beta r during a square transmitter pulse T of given duration:
    r_inf (1 - exp(-(alpha T + beta) duration)) with r_inf = alpha T / (alpha T + beta).
    """
    rate = alpha * pulse_concentration + beta
    return alpha * pulse_concentration / rate * (1.0 - math.exp(-rate * pulse_duration))

"""Counter-free, per-slice random streams usable inside parallel compiled loops.

Each virtual slice owns one 64-bit SplitMix64 state, so draws do not depend on how slices are
spread over threads: the same seed gives the same numbers bit for bit on any machine.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0


@njit(cache=True, inline="always")
def uniform(states: np.ndarray, stream: int) -> float:
    """Next uniform draw in [0, 1) from stream ``stream`` of ``states`` (uint64 array)."""
    z = states[stream] + _GOLDEN
    states[stream] = z
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    z = z ^ (z >> _S31)
    return float(z >> _S11) * _INV53


@njit(cache=True, inline="always")
def standard_normal(states: np.ndarray, stream: int) -> float:
    """Standard normal draw (Box-Muller, one of the pair)."""
    u1 = uniform(states, stream)
    u2 = uniform(states, stream)
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True, inline="always")
def binomial(states: np.ndarray, stream: int, trials: int, probability: float) -> int:
    """Binomial draw by summing Bernoulli trials (trials is small: release sites per synapse)."""
    count = 0
    for _ in range(trials):
        if uniform(states, stream) < probability:
            count += 1
    return count


def seed_states(seeds: np.ndarray) -> np.ndarray:
    """uint64 stream states from non-negative integer seeds (one per slice)."""
    return np.asarray(seeds, dtype=np.uint64).copy()

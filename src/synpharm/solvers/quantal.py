"""Event-driven quantal release at one connection per row (cell), batched over rows with NumPy.

State changes only at stimuli; in between, vesicle replenishment and autoreceptor activation
are solved in closed form. Per stimulus and row:

1. Empty release sites refill independently with probability ``1 - exp(-dt / t_rec)``.
2. Autoreceptors (optional): activated receptors r decay as ``exp(-k2 dt)`` and the G protein
   follows ``dG/dt = k3 r - k4 G`` (Destexhe & Sejnowski 1995 minimal GABA-B scheme, exact
   solution); the synaptic activation is ``s = G / (G + G_half)``.
3. Presynaptic GABA-B activation combines bath agonist occupancy ``o`` and ``s`` as independent
   shares of one receptor pool, ``a = 1 - (1 - o)(1 - s)``; Ca2+ influx is ``1 - a_max a``
   (relative to control) and every ready site releases with the Dodge-Rahamimoff probability
   ``p_max Ca^n / (Ca^n + K^n)``, K^n per row.
4. Each released vesicle adds a gamma-distributed quantum (mean 1, given CV); released sites
   are empty; the released transmitter binds a fraction
   ``binding * available * released / n_sites`` of the free autoreceptors, ``available`` being
   the fraction not occupied by competitive antagonists.

Random numbers come from one generator per row (its ``SeedSequence``), drawn in fixed-size
blocks, so a row's result does not depend on the other rows: same seed, same output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["AutoreceptorKinetics", "ReleaseRecord", "ReleaseSettings", "simulate_release"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class AutoreceptorKinetics:
    """Autoreceptor activation by the released transmitter (Destexhe & Sejnowski 1995 units).

    Attributes
    ----------
    binding_per_release
        Fraction of free receptors bound when every site of the connection releases.
    k2, k3, k4
        Receptor deactivation, G-protein activation and G-protein decay rates [1/s].
    half_activation
        G-protein level giving half of the maximal Ca2+-channel inhibition.
    """

    binding_per_release: float
    k2: float
    k3: float
    k4: float
    half_activation: float


@dataclass(frozen=True)
class ReleaseSettings:
    """Constants of release (SI units)."""

    site_recovery_time: float  # [s]
    release_probability_max: float
    cooperativity: float
    quantal_cv: float
    max_calcium_inhibition: float
    max_sites: int
    autoreceptor: AutoreceptorKinetics | None = None


@dataclass(frozen=True)
class ReleaseRecord:
    """What happened at every stimulus, arrays of shape ``(n_rows, n_stimuli)``.

    Attributes
    ----------
    quanta
        Sum of the released quantal sizes, in units of the row's mean quantal size.
    released
        Number of vesicles released (model internals: for tests, never for readouts).
    """

    quanta: FloatArray
    released: NDArray[np.int64]


@dataclass
class _Draws:
    release: FloatArray  # (rows, n_stim, max_sites) uniforms
    refill: FloatArray
    size: FloatArray  # gamma quantal sizes, mean 1


def _draws(seeds: list[np.random.SeedSequence], n_stim: int, settings: ReleaseSettings) -> _Draws:
    shape = (n_stim, settings.max_sites)
    cv2 = settings.quantal_cv**2
    release, refill, size = [], [], []
    for seq in seeds:
        rng = np.random.default_rng(seq)
        release.append(rng.random(shape))
        refill.append(rng.random(shape))
        size.append(rng.gamma(1.0 / cv2, cv2, shape) if cv2 > 0 else np.ones(shape))
    return _Draws(np.stack(release), np.stack(refill), np.stack(size))


def _decay_autoreceptor(r: FloatArray, g: FloatArray, dt: float, k: AutoreceptorKinetics):
    if not math.isfinite(dt):
        return np.zeros_like(r), np.zeros_like(g)
    e2, e4 = math.exp(-k.k2 * dt), math.exp(-k.k4 * dt)
    if abs(k.k4 - k.k2) > 1e-12:
        coupling = k.k3 * (e2 - e4) / (k.k4 - k.k2)
    else:
        coupling = k.k3 * dt * e2
    return r * e2, g * e4 + coupling * r


def simulate_release(
    stimulus_times: FloatArray,
    n_sites: NDArray[np.int64],
    release_half_power: FloatArray,
    bath_occupancy: FloatArray,
    available: FloatArray,
    settings: ReleaseSettings,
    seeds: list[np.random.SeedSequence],
) -> ReleaseRecord:
    """Release at every stimulus for every row.

    Parameters
    ----------
    stimulus_times
        Sorted stimulus times [s], shape ``(n_stimuli,)``.
    n_sites
        Release sites per row, shape ``(n_rows,)``, each <= ``settings.max_sites``.
    release_half_power
        K^n of Dodge-Rahamimoff release per row, shape ``(n_rows,)``.
    bath_occupancy
        Presynaptic GABA-B occupancy by bath agonists at each stimulus, ``(n_rows, n_stimuli)``.
    available
        Fraction of autoreceptors free of competitive antagonists, ``(n_rows, n_stimuli)``.
    settings
        Release constants.
    seeds
        One seed sequence per row.

    Returns
    -------
    ReleaseRecord
    """
    n_rows, n_stim = bath_occupancy.shape
    if int(np.max(n_sites, initial=0)) > settings.max_sites:
        raise ValueError("a row has more release sites than settings.max_sites")
    draws = _draws(seeds, n_stim, settings)
    exists = np.arange(settings.max_sites)[None, :] < n_sites[:, None]
    ready = exists.copy()
    r, g = np.zeros(n_rows), np.zeros(n_rows)
    quanta = np.zeros((n_rows, n_stim))
    released = np.zeros((n_rows, n_stim), dtype=np.int64)
    auto = settings.autoreceptor
    n = settings.cooperativity
    previous = -math.inf
    for j, time in enumerate(np.asarray(stimulus_times, dtype=float)):
        dt = time - previous
        previous = time
        if math.isfinite(dt):
            refill = draws.refill[:, j] < -math.expm1(-dt / settings.site_recovery_time)
            ready |= exists & refill
        activation = bath_occupancy[:, j]
        if auto is not None:
            r, g = _decay_autoreceptor(r, g, dt, auto)
            synaptic = g / (g + auto.half_activation)
            activation = 1.0 - (1.0 - activation) * (1.0 - synaptic)
        calcium = (1.0 - settings.max_calcium_inhibition * activation) ** n
        p = settings.release_probability_max * calcium / (calcium + release_half_power)
        release = ready & (draws.release[:, j] < p[:, None])
        count = release.sum(axis=1)
        released[:, j] = count
        quanta[:, j] = np.where(release, draws.size[:, j], 0.0).sum(axis=1)
        ready &= ~release
        if auto is not None:
            bound = auto.binding_per_release * available[:, j] * count / n_sites
            r = r + (1.0 - r) * bound
    return ReleaseRecord(quanta, released)

"""Bath exposure: exponential exchange of the perfusate after each wash-in or wash-out."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synpharm.compounds import Compound, load_compound

__all__ = ["ExposureEvent", "bath_concentration"]


@dataclass(frozen=True)
class ExposureEvent:
    """At ``time`` the perfusate switches to ``target_concentration`` of ``compound``.

    Attributes
    ----------
    time
        Time of the switch [s].
    compound
        The compound, or a built-in compound's name or alias (resolved with
        :func:`synpharm.compounds.load_compound`).
    target_concentration
        Concentration in the new perfusate [mol/m^3]; 0 for a wash-out.
    exchange_time
        Time constant of bath exchange [s]; 0 means an instantaneous step.
    """

    time: float
    compound: Compound | str
    target_concentration: float
    exchange_time: float

    def __post_init__(self) -> None:
        for name in ("time", "target_concentration", "exchange_time"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"ExposureEvent.{name} must be finite")
        if self.target_concentration < 0 or self.exchange_time < 0:
            raise ValueError("ExposureEvent target_concentration and exchange_time must be >= 0")


def _name(compound: Compound | str) -> str:
    return compound.name if isinstance(compound, Compound) else load_compound(compound).name


def bath_concentration(t: ArrayLike, events: Iterable[ExposureEvent], compound: Compound | str,
                       initial: float = 0.0) -> NDArray[np.float64]:
    """Bath concentration of one compound over time, in closed form.

    Each event (time t0, target c*, exchange time tau) moves the concentration from its value at
    t0 toward the target: ``c(t) = c* + (c(t0) - c*) exp(-(t - t0)/tau)`` until the next event.
    This is the exact solution of ``dc/dt = (c* - c)/tau`` piecewise. Events for other compounds
    are ignored; events at equal times apply in the order given (the last one wins).

    Parameters
    ----------
    t
        Times [s], any shape.
    events
        Exposure events (any compounds, any order).
    compound
        The compound to evaluate (object, name or alias).
    initial
        Concentration before the first event [mol/m^3].

    Returns
    -------
    ndarray
        Concentration [mol/m^3], same shape as ``t``.

    Examples
    --------
    >>> e = [ExposureEvent(0.0, "ketamine", 0.01, 60.0)]
    >>> round(float(bath_concentration(60.0, e, "ketamine")), 6)  # 1 - 1/e of 10 uM
    0.006321
    """
    name = _name(compound)
    own = sorted((e for e in events if _name(e.compound) == name), key=lambda e: e.time)
    t = np.asarray(t, dtype=float)
    if not own:
        return np.full(t.shape, float(initial))
    starts = np.array([e.time for e in own])
    targets = np.array([e.target_concentration for e in own])
    taus = np.array([e.exchange_time for e in own])
    start_values = np.empty(len(own))
    value = float(initial)
    for k in range(len(own)):  # value at each event time, from the previous segment
        if k:
            value = _relax(value, targets[k - 1], starts[k] - starts[k - 1], taus[k - 1])
        start_values[k] = value
    index = np.searchsorted(starts, t, side="right") - 1
    safe = np.clip(index, 0, None)
    result = _relax(start_values[safe], targets[safe], t - starts[safe], taus[safe])
    return np.where(index < 0, float(initial), result)


def _relax(c0: ArrayLike, target: ArrayLike, elapsed: ArrayLike, tau: ArrayLike
           ) -> NDArray[np.float64]:
    """``target + (c0 - target) exp(-elapsed/tau)``; tau = 0 is an instantaneous step."""
    elapsed, tau = np.asarray(elapsed, dtype=float), np.asarray(tau, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        decay = np.where(tau > 0, np.exp(-elapsed / np.where(tau > 0, tau, 1.0)), 0.0)
    return np.asarray(target) + (np.asarray(c0) - np.asarray(target)) * decay

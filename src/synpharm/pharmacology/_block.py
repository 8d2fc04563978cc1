"""Open-channel (pore) block with Woodhull voltage dependence and trapping.

Model
-----
A blocker B binds only to open channels, ``O + B <-> OB``, with a voltage-independent
association rate constant ``k_on`` [m^3/(mol s)] and an unblocking rate

    k_off(V) = k_on * Kd(0) * exp(V / V_e),

so that ``Kd(V) = k_off(V)/k_on = Kd(0) exp(V / V_e)`` (Woodhull 1973). ``V_e > 0`` [V] is the
e-fold voltage, ``V_e = RT/(z delta F)`` for valence z and electrical distance delta: the block
is stronger at hyperpolarised potentials. Putting all voltage dependence into ``k_off`` keeps
``k_on`` a single number (the usual assumption for pore blockers; document deviations in the
compound file).

Let ``b`` be the fraction of receptors carrying a blocker (open-blocked or closed-trapped).
For a **trapping** blocker (ketamine, MK-801) the channel can close around the blocker, which can
then neither leave nor be joined; binding and unbinding happen only while the channel is open:

    db/dt = O(t) [k_on c (1 - b) - k_off b].

With ``T = integral of O dt`` over an interval in which c and V are constant this is solved
exactly by :func:`open_channel_block_step`. For a **non-trapping** blocker the blocker also
leaves closed channels, ``db/dt = -k_off b`` while closed; apply
:func:`closed_channel_block_step` for the closed time (a trapping blocker is unchanged there).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "blocker_unbinding_rate",
    "closed_channel_block_step",
    "open_channel_block_equilibrium",
    "open_channel_block_step",
]


def blocker_unbinding_rate(kd_0mV: ArrayLike, k_on: ArrayLike, v: ArrayLike, v_e: ArrayLike
                           ) -> NDArray[np.float64]:
    """Unblocking rate ``k_off(V) = k_on Kd(0) exp(V/V_e)`` [1/s].

    Parameters
    ----------
    kd_0mV
        Dissociation constant at 0 mV [mol/m^3].
    k_on
        Association rate constant [m^3/(mol s)].
    v
        Membrane potential [V], any shape.
    v_e
        e-fold voltage [V], > 0.
    """
    return (np.asarray(k_on, dtype=float) * np.asarray(kd_0mV, dtype=float)
            * np.exp(np.asarray(v, dtype=float) / np.asarray(v_e, dtype=float)))


def open_channel_block_equilibrium(c: ArrayLike, kd_0mV: ArrayLike, v: ArrayLike, v_e: ArrayLike
                                   ) -> NDArray[np.float64]:
    """Equilibrium blocked fraction ``c / (c + Kd(0) exp(V/V_e))`` at constant c and V.

    For a trapping blocker this is also the steady state of all receptors (open or closed)
    under repeated activation, because binding and unbinding both scale with the open time.

    Parameters
    ----------
    c
        Blocker concentration [mol/m^3], any shape.
    kd_0mV
        Dissociation constant at 0 mV [mol/m^3].
    v
        Membrane potential [V].
    v_e
        e-fold voltage [V], > 0.

    Returns
    -------
    ndarray
        Blocked fraction in [0, 1), broadcast shape.
    """
    c = np.asarray(c, dtype=float)
    kd = np.asarray(kd_0mV, dtype=float) * np.exp(np.asarray(v, dtype=float) / np.asarray(v_e))
    return c / (c + kd)


def open_channel_block_step(blocked: ArrayLike, open_time_integral: ArrayLike, c: ArrayLike,
                            k_on: ArrayLike, k_off: ArrayLike) -> NDArray[np.float64]:
    """Exact update of the blocked fraction over an interval with open time ``T``.

    Solves ``db/dt = O(t) [k_on c (1 - b) - k_off b]`` with c and k_off constant:
    ``b(T) = b_eq + (b0 - b_eq) exp(-(k_on c + k_off) T)``, ``b_eq = k_on c/(k_on c + k_off)``.

    Parameters
    ----------
    blocked
        Blocked fraction b0 at the start [1], any shape.
    open_time_integral
        ``T = integral of the open probability over the interval`` [s], >= 0.
    c
        Blocker concentration [mol/m^3].
    k_on
        Association rate constant [m^3/(mol s)].
    k_off
        Unblocking rate at the (constant) membrane potential [1/s], e.g. from
        :func:`blocker_unbinding_rate`.

    Returns
    -------
    ndarray
        Blocked fraction at the end of the interval, broadcast shape.
    """
    on = np.asarray(k_on, dtype=float) * np.asarray(c, dtype=float)
    total = on + np.asarray(k_off, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        b_eq = np.where(total > 0, on / np.where(total > 0, total, 1.0), 0.0)
    decay = np.exp(-total * np.asarray(open_time_integral, dtype=float))
    return b_eq + (np.asarray(blocked, dtype=float) - b_eq) * decay


def closed_channel_block_step(blocked: ArrayLike, closed_time: ArrayLike, k_off: ArrayLike,
                              trapping: bool) -> NDArray[np.float64]:
    """Blocked fraction after a time ``closed_time`` [s] with the channel closed.

    A trapping blocker cannot leave a closed channel (returned unchanged); a non-trapping one
    leaves with rate ``k_off`` [1/s]: ``b exp(-k_off t)``.
    """
    blocked = np.asarray(blocked, dtype=float)
    if trapping:
        return blocked.copy()
    return blocked * np.exp(-np.asarray(k_off, dtype=float) * np.asarray(closed_time, dtype=float))

"""Equilibrium receptor occupancy and inhibition (Hill, Gaddum).

All functions are pure NumPy, broadcast over their array arguments, and take concentrations
in the internal unit mol/m^3 (numerically mM; 10 uM = 0.01). They never emit NumPy warnings
for zero or very large concentrations.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "competitive_fraction_available",
    "gaddum_occupancy",
    "hill_inhibition",
    "hill_occupancy",
]


def hill_occupancy(c: ArrayLike, ec50: ArrayLike, hill: ArrayLike = 1.0) -> NDArray[np.float64]:
    """Fractional occupancy (or activation) by an agonist, ``c^n / (c^n + EC50^n)``.

    Parameters
    ----------
    c
        Agonist concentration [mol/m^3], any shape; must be >= 0.
    ec50
        Half-maximal concentration [mol/m^3], > 0; broadcast against ``c``.
    hill
        Hill coefficient n [1], > 0.

    Returns
    -------
    ndarray
        Occupancy in [0, 1], shape ``broadcast(c, ec50, hill)``.

    Examples
    --------
    >>> float(hill_occupancy(0.003, 0.003))
    0.5
    """
    c = np.asarray(c, dtype=float)
    with np.errstate(divide="ignore", over="ignore"):
        ratio = (np.asarray(ec50, dtype=float) / c) ** np.asarray(hill, dtype=float)
    return 1.0 / (1.0 + ratio)


def hill_inhibition(c: ArrayLike, ic50: ArrayLike, hill: ArrayLike = 1.0) -> NDArray[np.float64]:
    """Fraction of a channel population inhibited, ``c^n / (c^n + IC50^n)``.

    Same form as :func:`hill_occupancy`; ``1 - hill_inhibition`` is the fraction available.
    Concentrations in [mol/m^3]; returns values in [0, 1] with the broadcast shape.
    """
    return hill_occupancy(c, ic50, hill)


def competitive_fraction_available(c_antagonist: ArrayLike, kd: ArrayLike) -> NDArray[np.float64]:
    """Fraction of receptors not bound by a competitive antagonist at equilibrium, ``1/(1 + c/Kd)``.

    Parameters
    ----------
    c_antagonist
        Antagonist concentration [mol/m^3], any shape, >= 0.
    kd
        Antagonist dissociation constant [mol/m^3], > 0.

    Returns
    -------
    ndarray
        Fraction in (0, 1], broadcast shape. 1 means no antagonist bound.
    """
    c = np.asarray(c_antagonist, dtype=float)
    return 1.0 / (1.0 + c / np.asarray(kd, dtype=float))


def gaddum_occupancy(c_agonist: ArrayLike, ec50: ArrayLike, hill: ArrayLike,
                     antagonists: Iterable[tuple[ArrayLike, ArrayLike]] = ()
                     ) -> NDArray[np.float64]:
    """Agonist occupancy in the presence of competitive antagonists (Gaddum / Schild).

    The antagonists shift the agonist curve right by the dose ratio
    ``r = 1 + sum_j c_j / Kd_j``, so occupancy is ``hill_occupancy(c, EC50 * r, n)``.

    Parameters
    ----------
    c_agonist
        Agonist concentration [mol/m^3], any shape.
    ec50, hill
        Agonist EC50 [mol/m^3] and Hill coefficient [1].
    antagonists
        Pairs ``(c_antagonist [mol/m^3], kd [mol/m^3])``; each ``c`` broadcasts with ``c_agonist``.

    Returns
    -------
    ndarray
        Occupancy in [0, 1], broadcast shape.
    """
    dose_ratio = np.asarray(1.0)
    for c_antagonist, kd in antagonists:
        c = np.asarray(c_antagonist, dtype=float)
        dose_ratio = dose_ratio + c / np.asarray(kd, dtype=float)
    return hill_occupancy(c_agonist, np.asarray(ec50, dtype=float) * dose_ratio, hill)

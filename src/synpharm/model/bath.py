"""How the bathing solution acts: Ca2+/Mg2+ at the release site, temperature on kinetics.

Release (Dodge & Rahamimoff 1967): Ca2+ and Mg2+ compete for a presynaptic site X and release
grows with the fourth power of CaX, ``release ~ (Ca / (1 + Ca/K_Ca + Mg/K_Mg))^n``. The slice
model's release probability already has the cooperative form ``p = p_max x^n / (x^n + K^n)``
in the presynaptic Ca2+ influx ``x`` (1 = control), so the bath enters as one factor on ``x``:
the CaX occupancy in the bath relative to that in the preparation's reference ACSF. At low
release probability ``p ~ x^n``, i.e. Dodge & Rahamimoff's law.

Temperature: a rate scales by ``Q10 ** ((T - T_ref) / 10 K)``, a time constant by its inverse.
"""

from __future__ import annotations

__all__ = ["bath_calcium_influx", "calcium_site_occupancy", "q10_rate_factor"]


def calcium_site_occupancy(calcium: float, magnesium: float, calcium_kd: float,
                           magnesium_kd: float) -> float:
    """Fraction of release sites X holding Ca2+ with Mg2+ competing (Dodge & Rahamimoff 1967).

    ``CaX / X_total = (Ca / K_Ca) / (1 + Ca / K_Ca + Mg / K_Mg)``; concentrations and
    dissociation constants in the same unit [mol/m^3].

    Examples
    --------
    >>> calcium_site_occupancy(1.0, 0.0, 1.0, 3.0)
    0.5
    """
    bound = calcium / calcium_kd
    return bound / (1.0 + bound + magnesium / magnesium_kd)


def bath_calcium_influx(calcium: float, magnesium: float, reference_calcium: float,
                        reference_magnesium: float, calcium_kd: float,
                        magnesium_kd: float) -> float:
    """Presynaptic Ca2+ influx in a bath relative to the reference ACSF (1 = reference).

    Exactly 1.0 when the bath is the reference ACSF (same inputs, same arithmetic).
    """
    here = calcium_site_occupancy(calcium, magnesium, calcium_kd, magnesium_kd)
    reference = calcium_site_occupancy(reference_calcium, reference_magnesium, calcium_kd,
                                       magnesium_kd)
    return here / reference


def q10_rate_factor(q10: float, temperature: float, reference_temperature: float) -> float:
    """Factor on a rate at ``temperature`` vs ``reference_temperature`` [K]: Q10^(dT / 10 K).

    Exactly 1.0 at the reference temperature.

    Examples
    --------
    >>> q10_rate_factor(3.0, 305.15, 295.15)
    3.0
    """
    return q10 ** ((temperature - reference_temperature) / 10.0)

"""A protocol's bath (ACSF Ca2+, Mg2+, temperature) applied to a slice preparation.

The preparation's parameter file names the reference ACSF its parameters hold in
(``calcium_concentration``, ``mg_concentration``, ``recording_temperature``); a bath field left
unset means that value, and the reference bath changes nothing, bit for bit. Mechanisms:
:mod:`synpharm.model.bath` (Dodge & Rahamimoff release site, Q10).
"""

from __future__ import annotations

from typing import NamedTuple

from synpharm.errors import InputError
from synpharm.model.bath import bath_calcium_influx, q10_rate_factor
from synpharm.model.slice_state import SliceConstants
from synpharm.parameters import ParameterSet
from synpharm.protocols import Bath

__all__ = ["BathEffects", "bath_effects", "reference_bath", "temperature_constants"]

#: the parameters a preparation needs to simulate a bath other than its reference ACSF
_BATH_PARAMETERS = ("calcium_concentration", "mg_concentration", "recording_temperature",
                    "release_site_calcium_kd", "release_site_magnesium_kd", "ampa_decay_q10",
                    "nmda_decay_q10")


def reference_bath(p: ParameterSet) -> Bath | None:
    """The preparation's reference ACSF, or None if its data file does not declare one."""
    if not all(name in p for name in _BATH_PARAMETERS):
        return None
    return Bath(p["calcium_concentration"], p["mg_concentration"], p["recording_temperature"])


def _resolved(p: ParameterSet, bath: Bath, where: str) -> Bath:
    reference = reference_bath(p)
    if reference is None:
        if not bath.is_empty:
            raise InputError(where, f"preparation {p.name!r} declares no reference ACSF, so a "
                             "bath cannot be simulated for it",
                             "remove the bath fields or use preparation = 'ca1_slice'")
        return Bath()
    return bath.over(reference)


class BathEffects(NamedTuple):
    """What one condition's bath changes: presynaptic Ca2+ influx (factor, 1 = reference)
    and bath Mg2+ minus the reference Mg2+ [mol/m^3]."""

    influx: float
    magnesium_change: float


def bath_effects(p: ParameterSet, bath: Bath, where: str = "bath") -> BathEffects:
    """Ca2+ influx factor at the terminals (1 = reference) and Mg2+ change of ``bath``.

    Raises :class:`InputError` (naming ``where``) if ``bath`` sets a field and the
    preparation declares no reference ACSF.
    """
    full = _resolved(p, bath, where)
    if full.is_empty:
        return BathEffects(1.0, 0.0)
    influx = bath_calcium_influx(full.calcium, full.magnesium, p["calcium_concentration"],
                                 p["mg_concentration"], p["release_site_calcium_kd"],
                                 p["release_site_magnesium_kd"])
    return BathEffects(influx, full.magnesium - p["mg_concentration"])


def temperature_constants(c: SliceConstants, p: ParameterSet, bath: Bath,
                          where: str = "bath.temperature") -> SliceConstants:
    """Kernel constants at the bath temperature: synaptic decay times scaled by their Q10.

    The reference temperature returns ``c`` itself (no arithmetic, results unchanged).
    """
    full = _resolved(p, bath, where)
    if full.temperature is None or full.temperature == p["recording_temperature"]:
        return c
    t, t_ref = full.temperature, p["recording_temperature"]
    return c._replace(
        ampa_tau=c.ampa_tau / q10_rate_factor(p["ampa_decay_q10"], t, t_ref),
        nmda_tau=c.nmda_tau / q10_rate_factor(p["nmda_decay_q10"], t, t_ref),
    )

"""The NMDA part of the stratum-radiatum field: the extracellular signature of the NMDA current.

The fEPSP in stratum radiatum is the field of the summed synaptic current sink (Andersen, Bliss
& Skrede 1971 Exp Brain Res 13:208; Johnston & Wu 1995 ch. 11). The volume conductor is
linear, so each synaptic current adds its own field, with a time integral proportional to its
charge. :mod:`synpharm.model.field_potential` gives the AMPA part: a waveform of unit peak
scaled by the synaptic drive. This module adds the NMDA part: the NMDA charge of each stimulus
(recorded by the kernels at the dendritic potential, with the bath's Mg2+ block and the
antagonists), converted to field with the AMPA part's volts per coulomb, and spread over the
NMDA current's time course (slow rise, the model's NMDA closing time). Removing the NMDA
charge (D-APV) removes exactly this part; the AMPA part is unchanged.

Closed forms: the NMDA waveform is a difference of exponentials (rise ``tau_r``, decay
``tau_d``) with the same Gaussian onset dispersion as the AMPA fEPSP, divided by its integral
``tau_d - tau_r``, so that it has unit time integral.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import log_ndtr

from synpharm.errors import InputError
from synpharm.model.field_potential import FieldWaveform, fepsp_unit_waveform

__all__ = [
    "NmdaField",
    "ampa_field_integral",
    "nmda_field_integral",
    "nmda_field_waveform",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class NmdaField:
    """The NMDA part of the field sweeps of one slice.

    Attributes
    ----------
    integral
        Time integral of the NMDA field per sweep [V s], positive for the usual negative-going
        field, shape ``(n_sweeps,)``.
    rise_time_constant, decay_time_constant
        Rise and decay of the NMDA current [s] (decay: the model's NMDA closing time).
    """

    integral: FloatArray
    rise_time_constant: float
    decay_time_constant: float

    def __post_init__(self) -> None:
        if not 0 < self.rise_time_constant < self.decay_time_constant:
            raise InputError(
                "nmda_field_rise_time_constant",
                f"must be > 0 and shorter than the NMDA decay time "
                f"({self.decay_time_constant} s), got {self.rise_time_constant} s",
                "fix the value in parameters/field_potential.toml",
            )


def _dispersed_exponential(t: FloatArray, tau: float, sigma: float) -> FloatArray:
    """``exp(-t/tau) H(t)`` convolved with a zero-mean Gaussian of sd ``sigma``."""
    return np.exp(sigma**2 / (2 * tau**2) - t / tau + log_ndtr(t / sigma - sigma / tau))


def nmda_field_waveform(
    time_after_stimulus: ArrayLike, waveform: FieldWaveform, rise: float, decay: float
) -> FloatArray:
    """NMDA field of unit time integral (negative-going) [1/s] at times after the stimulus [s].

    Same onset latency and dispersion as the AMPA fEPSP of ``waveform``; ``rise`` and ``decay``
    [s] are the NMDA current's time constants.
    """
    t = np.asarray(time_after_stimulus, dtype=float) - waveform.fepsp_onset_latency
    sigma = waveform.fepsp_onset_dispersion
    shape = _dispersed_exponential(t, decay, sigma) - _dispersed_exponential(t, rise, sigma)
    return -shape / (decay - rise)


@lru_cache(maxsize=8)
def ampa_field_integral(waveform: FieldWaveform) -> float:
    """Time integral [s] of the AMPA fEPSP of unit peak (:func:`fepsp_unit_waveform`), > 0."""
    start = waveform.fepsp_onset_latency - 8 * waveform.fepsp_onset_dispersion
    stop = waveform.fepsp_onset_latency + 40 * waveform.fepsp_decay_time_constant
    t = np.linspace(start, stop, 400001)
    return float(-np.trapezoid(fepsp_unit_waveform(t, waveform), t))


def nmda_field_integral(
    nmda_charge: ArrayLike, field_gain: ArrayLike, quantal_charge: float, waveform: FieldWaveform
) -> FloatArray:
    """Time integral [V s] of the NMDA field from the NMDA charge of each stimulus.

    The AMPA part of the field is ``field_gain x drive`` at its peak, so its integral is
    ``field_gain x drive x ampa_field_integral`` for an AMPA charge ``drive x quantal_charge``;
    the same volts per coulomb turn the NMDA charge into field.

    Parameters
    ----------
    nmda_charge
        Inward NMDA charge per stimulus [C], shape ``(n,)``.
    field_gain
        Peak fEPSP per unit synaptic drive [V], scalar or shape ``(n,)``.
    quantal_charge
        AMPA charge of one unit of drive at rest [C]:
        ``ampa_per_quantum x ampa_tau x (E_AMPA - E_rest)``.
    waveform
        The AMPA field waveform.
    """
    if not quantal_charge > 0:
        raise InputError("quantal_charge", f"must be > 0 C, got {quantal_charge}",
                         "check quantal_conductance, ampa_decay_time and the reversal potentials")
    q = np.asarray(nmda_charge, dtype=float)
    return np.asarray(field_gain, dtype=float) * ampa_field_integral(waveform) * q / quantal_charge

"""Units at the boundary: parse "10 uM", "20 min", "100 Hz" into one internal SI convention.

Internal convention (documented once, used everywhere inside synpharm)
------------------------------------------------------------------------
============== ============================ ==========================
kind           internal unit                example input
============== ============================ ==========================
time           second (s)                   "20 min", "50 ms"
frequency      hertz (1/s)                  "100 Hz", "0.05 Hz"
concentration  mol/m^3 (numerically mM)      "10 uM", "3 nM", "1 mM"
voltage        volt (V)                     "-70 mV"
conductance    siemens (S)                  "0.5 nS"
current        ampere (A)                   "100 pA"
length         metre (m)                    "10 um"
dose           kg/kg (mass per body mass)   "10 mg/kg"
mass           kilogram (kg)                "50 mg"
dimensionless  1                            "0.5", "50 %"
temperature    kelvin (K)                   "32 degC"
============== ============================ ==========================

Concentrations are mol/m^3, the SI unit, which equals millimolar: 10 uM is 0.01.
"""

from synpharm.units._parse import (
    KINDS,
    format_quantity,
    parse_quantity,
    to_unit,
)

__all__ = ["KINDS", "format_quantity", "parse_quantity", "to_unit"]

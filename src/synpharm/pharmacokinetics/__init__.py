"""Pharmacokinetics: doses to concentration time courses in plasma, brain, CSF and effect site.

Linear mammillary compartment models (1-3 compartments) declared as data in the compound files
(``[[pharmacokinetics]]``, one table per species, every number cited or marked calibrated),
with first-order absorption and bioavailability for extravascular routes, zero-order infusion
for intravenous doses, sites that follow plasma with a ratio and an equilibration rate, and
log-normal between-subject variability. Solved in closed form as sums of exponentials, batched
over subjects (see :mod:`._solution`).

- :func:`parse_dose`, :class:`Dose`: ``"10 mg/kg i.p."``, ``"50 mg p.o."``,
  ``"0.5 mg/kg IV over 40 min"``.
- :func:`concentration_time_course`: concentration [mol/m^3] at a site, typical subject or a
  cohort.
- :func:`pharmacokinetic_model`, :func:`draw_subjects`: the model and individual parameters.
"""

from synpharm.pharmacokinetics._api import concentration_time_course
from synpharm.pharmacokinetics._dose import ROUTES, Dose, parse_dose
from synpharm.pharmacokinetics._model import (
    PharmacokineticModel,
    SubjectParameters,
    draw_subjects,
    pharmacokinetic_model,
    pharmacokinetic_species,
)

__all__ = [
    "ROUTES",
    "Dose",
    "PharmacokineticModel",
    "SubjectParameters",
    "concentration_time_course",
    "draw_subjects",
    "parse_dose",
    "pharmacokinetic_model",
    "pharmacokinetic_species",
]

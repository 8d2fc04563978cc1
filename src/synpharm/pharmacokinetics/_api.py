"""The public entry point: concentration time course of a compound after doses."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synpharm.compounds import Compound
from synpharm.errors import InputError
from synpharm.pharmacokinetics._dose import Dose, parse_dose
from synpharm.pharmacokinetics._model import (
    SubjectParameters,
    draw_subjects,
    pharmacokinetic_model,
)
from synpharm.pharmacokinetics._solution import dose_response

__all__ = ["concentration_time_course"]


def _doses(dose: Dose | str | Sequence[Dose | str]) -> list[Dose]:
    items = [dose] if isinstance(dose, Dose | str) else list(dose)
    if not items:
        raise InputError("dose", "no dose given", "give a dose such as '10 mg/kg i.p.'")
    return [parse_dose(d) if isinstance(d, str) else d for d in items]


def _generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    seed = 0 if rng is None else rng
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError("rng", f"{rng!r} is not a Generator or a seed >= 0", "give e.g. rng=0")
    return np.random.default_rng(np.random.SeedSequence(int(seed)))


def concentration_time_course(
    compound: str | Compound,
    dose: Dose | str | Sequence[Dose | str],
    species: str,
    times: ArrayLike,
    site: str = "plasma",
    *,
    subjects: int | SubjectParameters | None = None,
    rng: np.random.Generator | int | None = None,
) -> NDArray[np.float64]:
    """Concentration of ``compound`` at ``site`` after ``dose``, from a linear compartment model.

    Parameters
    ----------
    compound
        Name (or alias) or :class:`~synpharm.compounds.Compound` with a ``[[pharmacokinetics]]``
        table for ``species``.
    dose
        A :class:`Dose`, a dose string (``"10 mg/kg i.p."``, ``"50 mg p.o."``,
        ``"0.5 mg/kg IV over 40 min"``) or several (superposed; set ``Dose.start`` to stagger).
    species
        ``"human"``, ``"mouse"``, ``"rat"`` (whatever the compound file declares).
    times
        Times [s] after the start of the (first) dose, shape ``(n_times,)``; before a dose's
        start its contribution is 0.
    site
        ``"plasma"`` or a site declared by the model: ``"brain"`` (rodent brain tissue, total
        concentration per tissue volume), ``"csf"`` (human), ``"effect_site"`` (human ketamine,
        ke0). See ``docs/pharmacokinetics.md``.
    subjects
        None: the typical subject, result shape ``(n_times,)``. An int ``n``: ``n`` subjects
        drawn with log-normal between-subject variability from ``rng``, shape
        ``(n, n_times)``. Or :class:`SubjectParameters` from :func:`draw_subjects` (reuse one
        draw for several doses or sites).
    rng
        Generator or integer seed for the draws (None = seed 0); same seed, same subjects.

    Returns
    -------
    numpy.ndarray
        Concentration [mol/m^3] (numerically mM), non-negative.

    Raises
    ------
    InputError
        Unknown compound, species, route or site; bad dose text; negative or non-finite times.

    Examples
    --------
    >>> import numpy as np
    >>> c = concentration_time_course("baclofen", "50 mg p.o.", "human", [0.0, 5400.0], "csf")
    >>> bool(c[0] == 0.0 and c[1] > 0.0)
    True
    """
    doses = _doses(dose)
    t = np.asarray(times, dtype=float)
    if t.ndim != 1 or not np.all(np.isfinite(t)) or np.any(t < 0):
        raise InputError("times", "must be a 1-d array of finite times >= 0 [s]",
                         "pass seconds after the dose, e.g. np.linspace(0, 7200, 121)")
    if isinstance(subjects, SubjectParameters):
        individuals = subjects
        model = individuals.model
    else:
        if subjects is not None and (
            isinstance(subjects, bool) or not isinstance(subjects, int | np.integer) or subjects < 1
        ):
            raise InputError("subjects", f"{subjects!r} is not a whole number >= 1", "e.g. 24")
        model = pharmacokinetic_model(compound, species)
        individuals = draw_subjects(model, subjects, None if subjects is None else _generator(rng))
    if site not in model.sites:
        raise InputError("site", f"no site {site!r} in the {model.species} model of "
                         f"{model.compound}", f"use one of: {', '.join(model.sites)}")
    for d in doses:
        if d.route not in model.routes:
            raise InputError("dose.route", f"no {d.route} route in the {model.species} model of "
                             f"{model.compound}", f"use one of: {', '.join(model.routes)}")
    result = dose_response(individuals, doses, t, site)
    return result[0] if subjects is None else result

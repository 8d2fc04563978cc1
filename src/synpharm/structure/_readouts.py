"""Readouts measured from a simulated spine population as an experimenter measures them.

Longitudinal two-photon imaging
    The same segments at several sessions. A spine present at session k whose identity was not
    present at session k-1 is *gained*; one present at k-1 and absent at k is *lost*. Formation
    and elimination rates are gained (lost) spines as a fraction of the spines at session k-1,
    divided by the interval in days. Spines that appear and vanish between sessions are not
    seen, as in real imaging.
Endpoint histology (Golgi)
    At one time: spines per 10 um of dendrite and the fractions of thin (new spines count as
    thin), stubby and mushroom spines, pooled over an animal's segments.
"""

from __future__ import annotations

import itertools

import numpy as np

from synpharm.errors import InputError
from synpharm.structure._parameters import (
    COLLAPSED,
    MUSHROOM,
    NEW,
    STUBBY,
    THIN,
    SpineParameters,
    _steady_densities,
    check_modifiers,
    modified_generator,
)
from synpharm.structure._simulate import SpinePopulation, van_loan

__all__ = ["expected_imaging_turnover", "golgi_readouts", "imaging_readouts"]

DAY = 86400.0


def _session_times(population: SpinePopulation, session_times_s) -> np.ndarray:
    times = np.asarray(session_times_s, dtype=np.float64)
    if times.ndim != 1 or times.size < 1 or np.any(np.diff(times) <= 0):
        raise InputError("session_times_s", "must be a 1-D increasing array", "")
    for index, time in enumerate(times):
        population.boundary_index(time, f"session_times_s[{index}]")
    return times


def _visible(state: np.ndarray) -> np.ndarray:
    """Slots holding a spine that imaging and histology detect (not empty, not collapsed)."""
    return (state > 0) & (state != COLLAPSED)


def _density_per_10um(population: SpinePopulation, state: np.ndarray) -> np.ndarray:
    count = _visible(state).sum(axis=(1, 2))
    length = population.segments_per_animal * population.segment_length_um
    return 10.0 * count / length


def imaging_readouts(population: SpinePopulation, session_times_s) -> dict[str, np.ndarray]:
    """Two-photon readouts per animal at the imaging sessions.

    Parameters
    ----------
    population
        From :func:`synpharm.structure.simulate_spines`.
    session_times_s
        Imaging sessions [s], increasing, within the simulation (read at the step boundary at or
        before each time).

    Returns
    -------
    dict
        ``session_times_s`` ``(n_sessions,)``; ``density_per_10um`` ``(n_animals, n_sessions)``;
        ``formation_rate`` and ``elimination_rate`` [fraction of the previous session's spines
        per day], ``gained_fraction`` and ``lost_fraction`` (not per day), all
        ``(n_animals, n_sessions - 1)``; NaN where the previous session had no spines.
    """
    times = _session_times(population, session_times_s)
    snapshots = [population.state_at(t) for t in times]
    density = np.stack([_density_per_10um(population, s) for s, _ in snapshots], axis=1)
    gained, lost = [], []
    for (state0, ids0), (state1, ids1) in itertools.pairwise(snapshots):
        seen0, seen1 = _visible(state0), _visible(state1)
        kept = (ids1 == ids0) & seen1 & seen0
        before = seen0.sum(axis=(1, 2)).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            gained.append((seen1 & ~kept).sum(axis=(1, 2)) / before)
            lost.append((seen0 & ~kept).sum(axis=(1, 2)) / before)
    n_animals = population.n_animals
    gained_array = np.stack(gained, axis=1) if gained else np.zeros((n_animals, 0))
    lost_array = np.stack(lost, axis=1) if lost else np.zeros((n_animals, 0))
    interval_days = np.diff(times) / DAY
    return {
        "session_times_s": times,
        "density_per_10um": density,
        "formation_rate": gained_array / interval_days,
        "elimination_rate": lost_array / interval_days,
        "gained_fraction": gained_array,
        "lost_fraction": lost_array,
    }


def golgi_readouts(population: SpinePopulation, time_s: float) -> dict[str, np.ndarray]:
    """Endpoint histology per animal at ``time_s``.

    Returns
    -------
    dict
        ``density_per_10um``, ``thin_fraction`` (new + thin), ``stubby_fraction``,
        ``mushroom_fraction`` (NaN for an animal without spines), ``n_spines`` and
        ``dendrite_length_um``, each ``(n_animals,)``.
    """
    population.boundary_index(time_s)
    state, _ = population.state_at(time_s)
    counts = np.stack(
        [np.isin(state, (NEW, THIN)), state == STUBBY, state == MUSHROOM], axis=-1
    ).sum(axis=(1, 2))
    total = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        fractions = counts / total[:, None]
    length = population.segments_per_animal * population.segment_length_um
    return {
        "density_per_10um": 10.0 * total / length,
        "thin_fraction": fractions[:, 0],
        "stubby_fraction": fractions[:, 1],
        "mushroom_fraction": fractions[:, 2],
        "n_spines": total,
        "dendrite_length_um": np.full(population.n_animals, length),
    }


def expected_imaging_turnover(
    params: SpineParameters, interval_s: float, modifiers: dict[str, float] | None = None
) -> dict[str, float]:
    """Expected two-photon formation and elimination rates at steady state (drive = 1).

    Closed form: of the spines present at one session, the fraction lost by the next is
    ``sum_i x_i (1 - sum_live expm(Q d)[i, live]) / sum_i x_i``; the spines gained are those
    born during the interval and still present, ``F integral_0^d expm(Q s)[new, live] ds``,
    relative to the spines at the first session.

    Returns
    -------
    dict
        ``formation_rate`` and ``elimination_rate`` [fraction per day], ``density_per_10um``.
    """
    if not interval_s > 0:
        raise InputError("interval_s", f"{interval_s!r}", "give a positive interval in seconds")
    mods = check_modifiers(modifiers)
    q, formation = modified_generator(params, mods)
    x = _steady_densities(q, formation)[:4]  # visible states
    transition, integral = van_loan(q, np.asarray(interval_s))
    survive = transition[1:5, 1:5].sum(axis=1)
    lost = float((x * (1.0 - survive)).sum() / x.sum())
    gained = float(formation * integral[NEW, 1:5].sum() / x.sum())
    days = interval_s / DAY
    return {
        "formation_rate": gained / days,
        "elimination_rate": lost / days,
        "density_per_10um": float(10.0 * x.sum()),
    }
